import assert from "node:assert/strict";
import { createPublicKey, randomUUID, verify } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Database } from "../../../app/src/db/database";
import { TicketSigner } from "../../../app/src/tickets/codes";
import { Backend } from "./harness";
import { admin, buy, createEvent, future } from "./fixtures";

const FUTURE = future();

/** What the parts of the suite share: the backend, one app on it, and a counting query. */
export interface SuiteContext {
    readonly backend: Backend;
    readonly app: FastifyInstance;
    count(sql: string, params: unknown[]): Promise<number>;
}

/**
 * The HTTP behaviour, run once on PGlite and once on real PostgreSQL + Redis + Memcached.
 * `open` returns the backend, or a reason to skip. `parts` add more behaviour on the same backend
 * (each in its own file, so no file grows past a screenful of concerns).
 */
export function defineApiSuite(
    title: string,
    open: () => Promise<Backend | string>,
    parts: Array<(t: SuiteContext) => void> = [],
): void {
    describe(title, function () {
        let backend: Backend;
        let app: FastifyInstance;

        before(async function () {
            const opened = await open();
            if (typeof opened === "string") this.skip();
            backend = opened as Backend;
            app = await backend.app();
        });

        after(async () => {
            await backend?.close();
        });

        async function count(sql: string, params: unknown[]): Promise<number> {
            const result = await backend.writer.query<{ n: number }>(sql, params);
            return Number(result.rows[0].n);
        }

        it("answers liveness, readiness, metrics and keys", async () => {
            assert.deepEqual((await app.inject("/healthz")).json(), { status: "ok" });
            const ready = await app.inject("/readyz");
            assert.equal(ready.statusCode, 200);
            const metrics = await app.inject("/metrics");
            assert.equal(metrics.statusCode, 200);
            assert.match(metrics.body, /boxoffice_order_backlog \d+/);
            assert.match(metrics.body, /boxoffice_http_request_duration_seconds_bucket/);
            const keys = (await app.inject("/keys")).json().keys;
            assert.equal(keys.length, 1);
            assert.equal(keys[0].algorithm, "Ed25519");
        });

        it("creates an event (admin only) and lists it with availability", async () => {
            const anonymous = await app.inject({ method: "POST", url: "/events", payload: {} });
            assert.equal(anonymous.statusCode, 401);
            assert.equal(anonymous.json().error, "unauthorized");
            const wrong = await app.inject({
                method: "POST",
                url: "/events",
                headers: { authorization: "Bearer nope" },
                payload: {},
            });
            assert.equal(wrong.statusCode, 401);
            const event = await createEvent(app, 7);
            assert.equal(event.ticketTypes[0].available, 7);
            const fetched = await app.inject(`/events/${event.id}`);
            assert.equal(fetched.statusCode, 200);
            assert.equal(fetched.json().ticketTypes[0].available, 7);
            const list = (await app.inject("/events")).json().events as Array<{ id: string }>;
            assert.ok(list.some((e) => e.id === event.id));
            assert.equal((await app.inject(`/events/${randomUUID()}`)).statusCode, 404);
        });

        it("sells, replays with 200, rejects a changed body with 422 and serves order and QR", async () => {
            const event = await createEvent(app, 5, 2000);
            const key = randomUUID();
            const first = await buy(app, event, key, 2);
            assert.equal(first.statusCode, 201, first.body);
            const order = first.json();
            assert.equal(order.status, "confirmed");
            assert.equal(order.amountCents, 4000);
            assert.equal(order.tickets.length, 2);
            const again = await buy(app, event, key, 2);
            assert.equal(again.statusCode, 200);
            assert.deepEqual(again.json(), order);
            const changed = await buy(app, event, key, 3);
            assert.equal(changed.statusCode, 422);
            assert.equal(changed.json().error, "idempotency_mismatch");
            const secret = { "order-secret": order.secret };
            const fetched = await app.inject({ url: `/orders/${order.id}`, headers: secret });
            const { secret: _secret, ...shown } = order;
            assert.deepEqual(fetched.json(), shown);
            const qr = await app.inject({ url: `/tickets/${order.tickets[0].id}/qr.svg`, headers: secret });
            assert.equal(qr.statusCode, 200);
            assert.match(qr.headers["content-type"] as string, /image\/svg\+xml/);
            assert.match(qr.body, /<svg/);
            const soldOut = await buy(app, event, randomUUID(), 4);
            assert.equal(soldOut.statusCode, 409);
            assert.equal(soldOut.json().error, "sold_out");
            assert.equal(await count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [event.id]), 2);
            assert.equal(
                await count(
                    "SELECT count(*)::int AS n FROM outbox x JOIN orders o ON o.id = x.order_id WHERE o.event_id = $1",
                    [event.id],
                ),
                1,
            );
        });

        it("sells exactly 100 seats to 500 concurrent buyers", async () => {
            const event = await createEvent(app, 100);
            // About overselling, not latency: on a loaded machine the default purchase deadline would
            // rightly turn some of 500 queued buyers into 503s, which is not what this test is about.
            const patient = await backend.app({ purchaseDeadlineMs: 120_000 });
            const responses = await Promise.all(Array.from({ length: 500 }, () => buy(patient, event)));
            const codes = responses.map((r) => r.statusCode);
            assert.equal(codes.filter((c) => c === 201).length, 100);
            assert.equal(codes.filter((c) => c === 409).length, 400);
            assert.ok(responses.filter((r) => r.statusCode === 409).every((r) => r.json().error === "sold_out"));
            assert.equal(await count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [event.id]), 100);
            assert.equal(await count("SELECT count(*)::int AS n FROM tickets WHERE event_id = $1", [event.id]), 100);
            assert.equal(await count("SELECT count(*)::int AS n FROM orders WHERE event_id = $1", [event.id]), 100);
        });

        it("turns racing replays of one Idempotency-Key into one order", async () => {
            const event = await createEvent(app, 50);
            const key = randomUUID();
            const responses = await Promise.all(Array.from({ length: 25 }, () => buy(app, event, key, 2)));
            assert.equal(responses.filter((r) => r.statusCode === 201).length, 1);
            assert.equal(responses.filter((r) => r.statusCode === 200).length, 24);
            assert.equal(new Set(responses.map((r) => r.json().id)).size, 1);
            assert.equal(await count("SELECT count(*)::int AS n FROM orders WHERE event_id = $1", [event.id]), 1);
            assert.equal(await count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [event.id]), 2);
        });

        it("admits one of 2 x 50 concurrent scans of one code, and reports the first scan", async () => {
            const event = await createEvent(app, 1);
            const code = (await buy(app, event)).json().tickets[0].code as string;
            const scan = (gate: string) => app.inject({ method: "POST", url: "/checkins", payload: { code, gate } });
            const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => scan(i % 2 ? "north" : "south")));
            const admitted = responses.filter((r) => r.statusCode === 200);
            assert.equal(admitted.length, 1);
            assert.equal(admitted[0].json().status, "admitted");
            const rejected = responses.filter((r) => r.statusCode === 409);
            assert.equal(rejected.length, 99);
            for (const r of rejected) {
                assert.equal(r.json().error, "already_checked_in");
                assert.equal(r.json().gate, admitted[0].json().gate);
                assert.equal(r.json().checkedInAt, admitted[0].json().checkedInAt);
            }
            assert.equal(
                await count(
                    "SELECT count(*)::int AS n FROM checkins c JOIN tickets t ON t.id = c.ticket_id WHERE t.event_id = $1",
                    [event.id],
                ),
                1,
            );
        });

        it("rejects forged, altered and unknown codes, forged ones before touching the database", async () => {
            const event = await createEvent(app, 1);
            const ticket = (await buy(app, event)).json().tickets[0];
            const code = ticket.code as string;
            const [kid, body, sig] = code.split(".");
            const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
            const otherKey = new TicketSigner(Buffer.alloc(32, 9), kid);
            const forged = [
                "hello",
                `${kid}.${flip(body, 30)}.${sig}`,
                `${kid}.${body}.${flip(sig, 10)}`,
                `other.${body}.${sig}`,
                otherKey.issue(event.id, ticket.id),
                `${code}.x`,
                code.toLowerCase(),
            ];
            // An app whose database throws on any use proves the signature decides first.
            const explode = async () => {
                throw new Error("database touched");
            };
            const noDb = {
                query: explode,
                transaction: explode,
                exec: explode,
                close: async () => undefined,
                kind: "postgres",
            } as unknown as Database;
            const guarded = await backend.app({ writer: noDb });
            for (const candidate of forged) {
                const response = await guarded.inject({
                    method: "POST",
                    url: "/checkins",
                    payload: { code: candidate, gate: "A" },
                });
                assert.equal(response.statusCode, 400, candidate);
                assert.equal(response.json().error, "invalid_code");
            }
            // Genuinely signed, but never issued: 404.
            const unknown = backend.signer.issue(event.id, randomUUID());
            const response = await app.inject({
                method: "POST",
                url: "/checkins",
                payload: { code: unknown, gate: "A" },
            });
            assert.equal(response.statusCode, 404);
            assert.equal(response.json().error, "invalid_code");
            assert.equal(await count("SELECT count(*)::int AS n FROM checkins WHERE ticket_id = $1", [ticket.id]), 0);
        });

        it("lets an offline scanner verify a code with the public key from /keys", async () => {
            const event = await createEvent(app, 1);
            const code = (await buy(app, event)).json().tickets[0].code as string;
            const key = (await app.inject("/keys")).json().keys[0];
            const [kid, body, sig] = code.split(".");
            assert.equal(kid, key.keyId);
            const message = Buffer.concat([
                Buffer.from("boxoffice-ticket-v1\0"),
                Buffer.from(kid),
                Buffer.from([0]),
                Buffer.from(body, "base64url"),
            ]);
            assert.ok(verify(null, message, createPublicKey(key.publicKeyPem), Buffer.from(sig, "base64url")));
        });

        it("answers malformed bodies, headers and paths with 4xx JSON, never 5xx", async () => {
            const event = await createEvent(app, 5);
            const tt = event.ticketTypes[0].id;
            const order = (payload: unknown, headers: Record<string, string> = { "idempotency-key": randomUUID() }) =>
                app.inject({ method: "POST", url: `/events/${event.id}/orders`, headers, payload: payload as object });
            const cases = [
                await app.inject({
                    method: "POST",
                    url: `/events/${event.id}/orders`,
                    headers: { "idempotency-key": "k", "content-type": "application/json" },
                    payload: "{bad",
                }),
                await app.inject({
                    method: "POST",
                    url: "/checkins",
                    headers: { "content-type": "application/json" },
                    payload: "",
                }),
                await app.inject({
                    method: "POST",
                    url: "/checkins",
                    headers: { "content-type": "text/plain" },
                    payload: "hi",
                }),
                await app.inject({
                    method: "POST",
                    url: "/checkins",
                    payload: { code: "x".repeat(70_000), gate: "A" },
                }),
                await app.inject({ method: "POST", url: "/checkins", payload: { code: 5, gate: "A" } }),
                await app.inject({ method: "POST", url: "/checkins", payload: [] }),
                await order({ ticketTypeId: tt, quantity: 1, email: "a@example.com" }, {}),
                await order({ ticketTypeId: tt, quantity: 0, email: "a@example.com" }),
                await order({ ticketTypeId: tt, quantity: 11, email: "a@example.com" }),
                await order({ ticketTypeId: tt, quantity: "1", email: "a@example.com" }),
                await order({ ticketTypeId: tt, quantity: 1.5, email: "a@example.com" }),
                await order({ ticketTypeId: tt, quantity: 1, email: "not-an-email" }),
                await order({ ticketTypeId: "nope", quantity: 1, email: "a@example.com" }),
                await order({ ticketTypeId: tt, quantity: 1, email: "a@example.com", admin: true }),
                await order({ ticketTypeId: randomUUID(), quantity: 1, email: "a@example.com" }),
                await order(null),
                await app.inject({
                    method: "POST",
                    url: "/events",
                    headers: admin,
                    payload: { name: "x", startsAt: "tomorrow", ticketTypes: [] },
                }),
                await app.inject({
                    method: "POST",
                    url: "/events",
                    headers: admin,
                    payload: { name: "x", startsAt: FUTURE, ticketTypes: [{ name: "a", priceCents: -1, capacity: 1 }] },
                }),
                await app.inject("/events/not-a-uuid"),
                await app.inject("/events/%zz"),
                await app.inject("/events/..%2F..%2Fetc"),
                await app.inject("/orders/123"),
                await app.inject(`/orders/${randomUUID()}`),
                await app.inject("/tickets/abc/qr.svg"),
                await app.inject(`/tickets/${randomUUID()}/qr.svg`),
                await app.inject("/no/such/route"),
                await app.inject({ method: "DELETE", url: "/events" }),
                await app.inject({ method: "POST", url: "/admin/mode", headers: admin, payload: { mode: "off" } }),
                // ajv's format "uuid" also takes the urn:uuid: form, which PostgreSQL's uuid type refuses.
                await app.inject(`/events/urn:uuid:${event.id}`),
                await app.inject(`/orders/urn:uuid:${randomUUID()}`),
                await app.inject(`/tickets/urn:uuid:${randomUUID()}/qr.svg`),
                await app.inject({
                    method: "POST",
                    url: `/events/urn:uuid:${event.id}/orders`,
                    headers: { "idempotency-key": randomUUID() },
                    payload: { ticketTypeId: tt, quantity: 1, email: "a@example.com" },
                }),
                await order({ ticketTypeId: `urn:uuid:${tt}`, quantity: 1, email: "a@example.com" }),
                // PostgreSQL refuses NUL in text; control characters are refused before it.
                await app.inject({ method: "POST", url: "/checkins", payload: { code: "a.b.c", gate: "north\u0000" } }),
                await app.inject({ method: "POST", url: "/checkins", payload: { code: "a.b.c", gate: "north\n" } }),
                await app.inject({
                    method: "POST",
                    url: "/events",
                    headers: admin,
                    payload: {
                        name: "Gig\u0000",
                        startsAt: FUTURE,
                        ticketTypes: [{ name: "a", priceCents: 1, capacity: 1 }],
                    },
                }),
                await app.inject({
                    method: "POST",
                    url: "/events",
                    headers: admin,
                    payload: {
                        name: "Gig",
                        startsAt: FUTURE,
                        ticketTypes: [{ name: "\u0000", priceCents: 1, capacity: 1 }],
                    },
                }),
                // Valid RFC 3339 that Date or PostgreSQL cannot hold: year 0, a leap second, past year 9999.
                ...(await Promise.all(
                    ["0000-01-01T20:00:00Z", "2016-12-31T23:59:60Z", "9999-12-31T23:59:59-23:59"].map((startsAt) =>
                        app.inject({
                            method: "POST",
                            url: "/events",
                            headers: admin,
                            payload: {
                                name: "Gig",
                                startsAt,
                                ticketTypes: [{ name: "a", priceCents: 1, capacity: 1 }],
                            },
                        }),
                    ),
                )),
            ];
            for (const [index, response] of cases.entries()) {
                assert.ok(
                    response.statusCode >= 400 && response.statusCode < 500,
                    `case ${index}: ${response.statusCode} ${response.body}`,
                );
                const body = response.json();
                assert.equal(typeof body.error, "string", `case ${index}`);
                assert.equal(typeof body.message, "string", `case ${index}`);
            }
            assert.equal(cases[0].statusCode, 400);
            assert.equal(cases[3].statusCode, 413);
            assert.equal(cases[7].json().error, "invalid_request");
            for (const response of cases.slice(28)) {
                assert.equal(response.statusCode, 400, response.body);
                assert.equal(response.json().error, "invalid_request", response.body);
            }
            assert.equal(await count("SELECT sold AS n FROM ticket_types WHERE id = $1", [tt]), 0);
            assert.equal(await count("SELECT count(*)::int AS n FROM events WHERE name = 'Gig'", []), 0);
        });

        const context: SuiteContext = {
            get backend() {
                return backend;
            },
            get app() {
                return app;
            },
            count,
        };
        for (const part of parts) part(context);
    });
}
