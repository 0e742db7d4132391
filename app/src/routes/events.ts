import type { FastifyInstance } from "fastify";
import { cached } from "../cache/cache";
import { HttpError } from "../errors";
import { EventInput, EventView, createEvent, getEvent, listEvents } from "../services/events";
import { PLAIN_TEXT_PATTERN, RouteContext, requireAdmin, uuidParams } from "./context";

/** Availability may be up to this stale; purchases never rely on it (the counter update decides). */
const EVENT_CACHE_SECONDS = 2;
const LIST_KEY = "events:list";

const createBody = {
    type: "object",
    additionalProperties: false,
    required: ["name", "startsAt", "ticketTypes"],
    properties: {
        name: { type: "string", minLength: 1, maxLength: 200, pattern: PLAIN_TEXT_PATTERN },
        startsAt: { type: "string", format: "date-time" },
        ticketTypes: {
            type: "array",
            minItems: 1,
            maxItems: 20,
            items: {
                type: "object",
                additionalProperties: false,
                required: ["name", "priceCents", "capacity"],
                properties: {
                    name: { type: "string", minLength: 1, maxLength: 100, pattern: PLAIN_TEXT_PATTERN },
                    priceCents: { type: "integer", minimum: 0, maximum: 100_000_000 },
                    // A ticket type nobody can buy is a mistake, not an offer.
                    capacity: { type: "integer", minimum: 1, maximum: 10_000_000 },
                },
            },
        },
    },
} as const;

export async function eventRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    app.post<{ Body: EventInput }>(
        "/events",
        { schema: { body: createBody }, onRequest: requireAdmin(ctx.adminToken) },
        async (request, reply) => {
            const event = await ctx.writes.run(() => createEvent(ctx.stores.writer, request.body));
            await ctx.cache.delete(LIST_KEY);
            return reply.code(201).send(event);
        },
    );

    app.get("/events", async () => {
        const events = await cached<EventView[]>(ctx.cache, LIST_KEY, EVENT_CACHE_SECONDS, () =>
            listEvents(ctx.stores),
        );
        return { events: events ?? [] };
    });

    app.get<{ Params: { id: string } }>("/events/:id", { schema: { params: uuidParams } }, async (request) => {
        const id = request.params.id.toLowerCase();
        const event = await cached(ctx.cache, `event:${id}`, EVENT_CACHE_SECONDS, () => getEvent(ctx.stores, id));
        if (!event) throw new HttpError(404, "not_found", "no such event");
        return event;
    });
}
