import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { SuiteContext } from "../api-suite";
import { admin, buy, createEvent, future } from "../fixtures";

type TicketType = { name: string; priceCents: number; capacity: number };

export function eventInputPart(t: SuiteContext): void {
    const post = (payload: object | string) =>
        t.app.inject({
            method: "POST",
            url: "/events",
            headers: typeof payload === "string" ? { ...admin, "content-type": "application/json" } : admin,
            payload,
        });
    const event = (overrides: { name?: string; startsAt?: string; ticketTypes?: TicketType[] }) => ({
        name: "Gig",
        startsAt: future(),
        ticketTypes: [{ name: "GA", priceCents: 100, capacity: 10 }],
        ...overrides,
    });

    it("refuses past starts, capacity 0, invisible or bidi-override names and repeated type names: 400 naming the field", async () => {
        const before = await t.count("SELECT count(*)::int AS n FROM events", []);
        const cases: Array<[object | string, string, RegExp]> = [
            [
                event({ startsAt: new Date(Date.now() - 60_000).toISOString() }),
                "body/startsAt",
                /must be in the future/,
            ],
            [event({ startsAt: "2020-02-02T20:00:00Z" }), "body/startsAt", /must be in the future/],
            [
                event({ ticketTypes: [{ name: "GA", priceCents: 100, capacity: 0 }] }),
                "body/ticketTypes/0/capacity",
                /must be >= 1/,
            ],
            [event({ name: "\u200b\u200b" }), "body/name", /at least one visible character/],
            [event({ name: " \u3164 \u00ad " }), "body/name", /at least one visible character/],
            [event({ name: "\u2800\ufe0f" }), "body/name", /at least one visible character/],
            [event({ name: "Gig \u202egnp.exe" }), "body/name", /bidirectional override or isolate/],
            [event({ name: "\u2066Gig\u2069" }), "body/name", /bidirectional override or isolate/],
            [
                event({
                    ticketTypes: [
                        { name: "GA", priceCents: 1, capacity: 1 },
                        { name: "\u200d", priceCents: 1, capacity: 1 },
                    ],
                }),
                "body/ticketTypes/1/name",
                /visible/,
            ],
            [
                event({
                    ticketTypes: [
                        { name: "GA", priceCents: 1, capacity: 1 },
                        { name: " ga ", priceCents: 2, capacity: 1 },
                    ],
                }),
                "body/ticketTypes/1/name",
                /repeats body\/ticketTypes\/0\/name/,
            ],
            // JSON may carry a lone surrogate; it is not text anyone can read or store faithfully.
            [JSON.stringify(event({})).replace('"Gig"', '"Gig \\ud800"'), "body/name", /well-formed Unicode/],
            [{ startsAt: future(), ticketTypes: [] }, "body/name", /required property 'name'/],
            [{ ...event({}), venue: "x" }, "body/venue", /additional properties/],
        ];
        for (const [payload, field, message] of cases) {
            const response = await post(payload);
            assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
            const body = response.json();
            assert.equal(body.error, "invalid_request");
            assert.equal(body.field, field, response.body);
            assert.match(body.message, message);
        }
        assert.equal(await t.count("SELECT count(*)::int AS n FROM events", []), before, "nothing was created");
    });

    it("keeps right-to-left text, joined emoji and marks, stored trimmed and in NFC", async () => {
        const name = ` \u05e9\u05dc\u05d5\u05dd \u200f\u{1f468}\u200d\u{1f469}\u200d\u{1f467} Cafe\u0301 ${randomUUID().slice(0, 4)} `;
        const created = await post(event({ name, ticketTypes: [{ name: "Lo\u0301ge", priceCents: 0, capacity: 1 }] }));
        assert.equal(created.statusCode, 201, created.body);
        const expected = name.normalize("NFC").trim();
        assert.equal(created.json().name, expected);
        assert.ok(expected.includes("Caf\u00e9"));
        const fetched = (await t.app.inject(`/events/${created.json().id}`)).json();
        assert.equal(fetched.name, expected);
        assert.equal(fetched.ticketTypes[0].name, "L\u00f3ge");
    });

    it("stops selling once the event has started (409 sales_closed) but still replays earlier orders", async () => {
        const started = await createEvent(t.app, 5);
        const key = randomUUID();
        const first = await buy(t.app, started, key);
        assert.equal(first.statusCode, 201, first.body);
        await t.backend.writer.query("UPDATE events SET starts_at = now() - interval '1 minute' WHERE id = $1", [
            started.id,
        ]);
        const late = await buy(t.app, started);
        assert.equal(late.statusCode, 409, late.body);
        assert.equal(late.json().error, "sales_closed");
        const replay = await buy(t.app, started, key);
        assert.equal(replay.statusCode, 200, replay.body);
        assert.equal(replay.json().id, first.json().id);
        const unknown = await t.app.inject({
            method: "POST",
            url: `/events/${started.id}/orders`,
            headers: { "idempotency-key": randomUUID() },
            payload: { ticketTypeId: randomUUID(), quantity: 1, email: "a@example.com" },
        });
        assert.equal(unknown.statusCode, 404, "an unknown ticket type stays a 404, also for a started event");
        assert.equal(await t.count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [started.id]), 1);
    });
}
