import type { FastifyInstance } from "fastify";
import { cached } from "../cache/cache";
import { HttpError } from "../errors";
import { getEvent } from "../services/events";
import { PAGE_CSP, PAGE_HTML } from "../waiting-room/page";
import type { RoomInput } from "../waiting-room/rooms";
import { VISITOR_ID_PATTERN } from "../waiting-room/service";
import { RouteContext, UUID_PATTERN, requireAdmin, uuidParams } from "./context";

const TAG = "waiting room";
const error = {
    type: "object",
    additionalProperties: true,
    required: ["error", "message"],
    properties: { error: { type: "string" }, message: { type: "string" } },
} as const;
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, error]));

const roomBody = {
    type: "object",
    additionalProperties: false,
    anyOf: [{ required: ["admitPerMinute"] }, { required: ["maxActive"] }],
    properties: {
        admitPerMinute: {
            type: "integer",
            minimum: 1,
            maximum: 1_000_000,
            description: "Admissions per minute, spread evenly (one every 60/N s)",
        },
        maxActive: {
            type: "integer",
            minimum: 1,
            maximum: 10_000_000,
            description: "Most visitors admitted and not yet finished (ordered or expired)",
        },
        opensAt: {
            type: "string",
            format: "date-time",
            description: "When admitting starts (RFC 3339); earlier joins are shuffled then. Default: now",
        },
        autoOpenOrdersPerMinute: {
            type: "integer",
            minimum: 1,
            maximum: 10_000_000,
            description:
                "Instead of opensAt: the room stays off until order attempts exceed this many per minute, then opens",
        },
    },
} as const;

const roomView = {
    type: "object",
    properties: {
        eventId: { type: "string" },
        roomId: { type: "string" },
        admitPerMinute: { type: ["integer", "null"] },
        maxActive: { type: ["integer", "null"] },
        opensAt: { type: ["string", "null"], format: "date-time" },
        autoOpenOrdersPerMinute: { type: ["integer", "null"] },
        state: { type: "string", enum: ["armed", "before-start", "open"] },
        queued: { type: "integer", description: "Places given so far" },
        admitted: { type: "integer", description: "Places admitted so far" },
        waiting: { type: "integer" },
        active: { type: "integer", description: "Admitted and not finished" },
        admittedPerMinute: { type: "number", description: "Measured over the last minute of waiting" },
        newcomerWaitSeconds: { type: "integer" },
        paused: { type: "boolean" },
        health: {
            type: "object",
            properties: { ok: { type: "boolean" }, reasons: { type: "array", items: { type: "string" } } },
        },
    },
} as const;

const answer = {
    type: "object",
    required: ["admitted"],
    properties: {
        waitingRoom: {
            type: "string",
            enum: ["on", "off"],
            description: "off: no room for this event, buy without a token",
        },
        queueTicket: {
            type: "string",
            description: "Identifies this place (not a secret); poll GET /events/{id}/queue/{queueTicket}",
        },
        visitorId: {
            type: "string",
            description: "Keep it secret: the status call hands the admission token only to its holder",
        },
        state: { type: "string", enum: ["before-start", "waiting", "admitted", "expired"] },
        position: {
            type: ["integer", "null"],
            description: "Place in line from the start (null until the pre-start draw)",
        },
        aheadOfYou: { type: ["integer", "null"], description: "People before you not yet admitted" },
        etaSeconds: {
            type: "integer",
            description: "From the measured admission rate (the configured one until measured)",
        },
        admitted: { type: "boolean" },
        admissionToken: { type: ["string", "null"], description: "Send as Admission-Token with the order" },
        admissionExpiresAt: { type: "string", format: "date-time" },
        opensAt: { type: "string", format: "date-time" },
        paused: { type: "boolean", description: "Admissions held while the platform is unhealthy" },
        pollAfterSeconds: { type: "integer" },
    },
} as const;

const ticketParams = {
    type: "object",
    required: ["id", "queueTicket"],
    properties: {
        id: { type: "string", pattern: UUID_PATTERN },
        queueTicket: { type: "string", pattern: "^[A-Za-z0-9_-]{1,200}$" },
    },
} as const;

export async function waitingRoomRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    const room = ctx.waitingRoom;
    const admin = requireAdmin(ctx.adminToken);

    app.post<{ Params: { id: string }; Body: RoomInput }>(
        "/events/:id/waiting-room",
        {
            onRequest: admin,
            schema: {
                tags: [TAG],
                summary: "Turn the waiting room on (or change its inlet)",
                security: [{ admin: [] }],
                params: uuidParams,
                body: roomBody,
                response: { 200: roomView, ...errors(400, 401, 404, 409, 503) },
            },
        },
        async (request) => {
            if (request.body.opensAt !== undefined && request.body.autoOpenOrdersPerMinute !== undefined) {
                throw new HttpError(400, "invalid_request", "give opensAt or autoOpenOrdersPerMinute, not both");
            }
            // A configuration write like any other: refused while read-only, held during a switchover.
            return ctx.writes.run(() => room.configure(request.params.id.toLowerCase(), request.body));
        },
    );

    app.delete<{ Params: { id: string } }>(
        "/events/:id/waiting-room",
        {
            onRequest: admin,
            schema: {
                tags: [TAG],
                summary: "Turn the waiting room off (orders need no token; the line is dropped)",
                security: [{ admin: [] }],
                params: uuidParams,
                response: {
                    200: {
                        type: "object",
                        properties: { eventId: { type: "string" }, waitingRoom: { type: "string" } },
                    },
                    ...errors(401, 404, 503),
                },
            },
        },
        async (request) => {
            const eventId = request.params.id.toLowerCase();
            if (!(await ctx.writes.run(() => room.remove(eventId))))
                throw new HttpError(404, "not_found", "this event has no waiting room");
            return { eventId, waitingRoom: "off" };
        },
    );

    app.get<{ Params: { id: string } }>(
        "/events/:id/waiting-room",
        {
            onRequest: admin,
            schema: {
                tags: [TAG],
                summary: "The room's inlet and live figures",
                security: [{ admin: [] }],
                params: uuidParams,
                response: { 200: roomView, ...errors(401, 404, 503) },
            },
        },
        async (request) => {
            const view = await room.describe(request.params.id.toLowerCase());
            if (!view) throw new HttpError(404, "not_found", "this event has no waiting room");
            return view;
        },
    );

    app.post<{ Params: { id: string }; Body: { visitorId?: string } | undefined }>(
        "/events/:id/queue",
        {
            schema: {
                tags: [TAG],
                summary: "Join the line",
                description:
                    "201 with a new place; 200 with the same place when this visitorId already holds one. Without a visitorId " +
                    'one is generated and returned. When the event has no open room: 200 {waitingRoom: "off", admitted: true, admissionToken: null}.',
                params: uuidParams,
                body: {
                    type: ["object", "null"],
                    additionalProperties: false,
                    properties: {
                        visitorId: {
                            type: "string",
                            pattern: VISITOR_ID_PATTERN,
                            description: "A random id the visitor's browser keeps (never an IP address)",
                        },
                    },
                },
                response: { 200: answer, 201: answer, ...errors(400, 404, 503) },
            },
        },
        async (request, reply) => {
            const eventId = request.params.id.toLowerCase();
            const joined = await room.join(eventId, request.body?.visitorId);
            reply.header("cache-control", "no-store");
            if (joined) return reply.code(joined.created ? 201 : 200).send({ waitingRoom: "on", ...joined.answer });
            const event = await cached(ctx.cache, `event:${eventId}`, 2, () => getEvent(ctx.stores, eventId));
            if (!event) throw new HttpError(404, "not_found", "no such event");
            return { waitingRoom: "off", admitted: true, admissionToken: null };
        },
    );

    app.get<{ Params: { id: string; queueTicket: string }; Headers: { "visitor-id"?: string } }>(
        "/events/:id/queue/:queueTicket",
        {
            schema: {
                tags: [TAG],
                summary: "Your place, wait and (once admitted) your admission token",
                description:
                    "Needs the Visitor-Id header (403 visitor_mismatch otherwise). 400 invalid_ticket for a ticket this service did not issue, " +
                    "404 ticket_lost if the place was lost with the queue's last writes and 410 room_closed if the room was turned off: join again.",
                params: ticketParams,
                headers: { type: "object", properties: { "visitor-id": { type: "string", maxLength: 128 } } },
                response: { 200: answer, ...errors(400, 403, 404, 410, 503) },
            },
        },
        async (request, reply) => {
            reply.header("cache-control", "no-store");
            return room.status(
                request.params.id.toLowerCase(),
                request.params.queueTicket,
                request.headers["visitor-id"],
            );
        },
    );

    app.get<{ Params: { id: string } }>(
        "/events/:id/queue",
        {
            schema: {
                tags: [TAG],
                summary: "The visitor's waiting-room page (HTML)",
                params: uuidParams,
                produces: ["text/html"],
            },
        },
        async (_request, reply) => {
            reply
                .header("content-security-policy", PAGE_CSP)
                .header("cache-control", "no-cache")
                .type("text/html; charset=utf-8");
            return PAGE_HTML;
        },
    );
}
