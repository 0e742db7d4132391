/**
 * The waiting-room suite's HTTP calls (room on, join, status, order) and the calls that step its test clock or read
 * the database: the sold count, the inlet run over a span of time, and a visitor taken through to admission.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { admin, CreatedEvent } from "./fixtures";
import type { Backend } from "./harness";

export const visitor = () => randomBytes(16).toString("base64url");

export const roomOn = (app: FastifyInstance, eventId: string, body: object) =>
    app.inject({ method: "POST", url: `/events/${eventId}/waiting-room`, headers: admin, payload: body });
export const join = (app: FastifyInstance, eventId: string, visitorId?: string) =>
    app.inject({ method: "POST", url: `/events/${eventId}/queue`, payload: visitorId ? { visitorId } : {} });
export const status = (app: FastifyInstance, eventId: string, ticket: string, visitorId?: string) =>
    app.inject({
        url: `/events/${eventId}/queue/${ticket}`,
        headers: visitorId ? { "visitor-id": visitorId } : {},
    });
export const order = (app: FastifyInstance, event: CreatedEvent, token?: string, key = randomUUID(), quantity = 1) =>
    app.inject({
        method: "POST",
        url: `/events/${event.id}/orders`,
        headers: { "idempotency-key": key, ...(token === undefined ? {} : { "admission-token": token }) },
        payload: { ticketTypeId: event.ticketTypes[0].id, quantity, email: "fan@example.com" },
    });
/** Calls bound to the suite's backend and to its hand-moved clock (`advance` moves it forward). */
export function steppedCalls(backend: () => Backend, advance: (ms: number) => void) {
    async function sold(event: CreatedEvent): Promise<number> {
        const found = await backend().writer.query<{ sold: number }>(
            "SELECT sold FROM ticket_types WHERE event_id = $1",
            [event.id],
        );
        return Number(found.rows[0].sold);
    }
    /** Steps the inlet over `ms` of the test clock, every `stepMs`. */
    async function run(app: FastifyInstance, ms: number, stepMs = 100): Promise<number> {
        let admitted = 0;
        for (let t = 0; t < ms; t += stepMs) {
            advance(stepMs);
            admitted += await app.waitingRoom.tickAll();
        }
        return admitted;
    }
    /** A visitor who joined, was admitted and collected its token. */
    async function admitted(
        app: FastifyInstance,
        event: CreatedEvent,
    ): Promise<{ token: string; visitorId: string; ticket: string }> {
        const visitorId = visitor();
        const joined = await join(app, event.id, visitorId);
        assert.equal(joined.statusCode, 201, joined.body);
        for (let i = 0; i < 100; i++) {
            const answer = (await status(app, event.id, joined.json().queueTicket, visitorId)).json();
            if (answer.admitted) return { token: answer.admissionToken, visitorId, ticket: joined.json().queueTicket };
            await run(app, 100);
        }
        throw new Error("never admitted");
    }
    return { sold, run, admitted };
}
