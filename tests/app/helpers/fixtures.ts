import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { ADMIN_TOKEN } from "./harness";

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** An instant `days` from now: events must start in the future, and fixed dates would expire. */
export function future(days = 365): string {
    return new Date(Date.now() + days * 86_400_000).toISOString();
}

export interface CreatedEvent {
    id: string;
    ticketTypes: Array<{ id: string; capacity: number; available: number }>;
}

export async function createEvent(app: FastifyInstance, capacity = 10, priceCents = 1500): Promise<CreatedEvent> {
    const response = await app.inject({
        method: "POST",
        url: "/events",
        headers: admin,
        payload: {
            name: `Concert ${randomUUID().slice(0, 8)}`,
            startsAt: future(),
            ticketTypes: [{ name: "Standing", priceCents, capacity }],
        },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
}

export function buy(
    app: FastifyInstance,
    event: CreatedEvent,
    key = randomUUID(),
    quantity = 1,
    email = "fan@example.com",
) {
    return app.inject({
        method: "POST",
        url: `/events/${event.id}/orders`,
        headers: { "idempotency-key": key },
        payload: { ticketTypeId: event.ticketTypes[0].id, quantity, email },
    });
}

/** Waits until an instance reports `mode` (instances poll the shared mode twice a second). */
export async function untilMode(app: FastifyInstance, mode: string): Promise<void> {
    for (const giveUpAt = Date.now() + 60_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const current = (await app.inject({ url: "/admin/mode", headers: admin })).json().mode;
        if (current === mode) return;
        assert.ok(Date.now() < giveUpAt, `still ${current} after a minute, waiting for ${mode}`);
    }
}
