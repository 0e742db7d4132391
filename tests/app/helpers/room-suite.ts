import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { admin, createEvent } from "./fixtures";
import type { Backend } from "./harness";
import { join, order, roomOn, status, steppedCalls, visitor } from "./room-calls";

/** The waiting room over HTTP, run on PGlite + in-process queue and on PostgreSQL + Redis. */
export function defineRoomSuite(title: string, open: () => Promise<Backend | string>): void {
    describe(title, function () {
        let backend: Backend;
        let now = Date.now();
        const clock = () => now;

        before(async function () {
            const opened = await open();
            if (typeof opened === "string") this.skip();
            backend = opened as Backend;
        });
        after(async () => backend?.close());

        /** Each test gets its own app on a clock it moves by hand; the inlet steps only when told. */
        async function fresh(settings?: {
            tokenTtlSeconds: number;
            collectSeconds: number;
            pauseErrorPercent: number;
            pauseAlarmPrefixes: string[];
        }) {
            now = Date.now();
            const app = await backend.app({ waitingRoom: { clock, settings } });
            return app;
        }

        const { sold, run, admitted } = steppedCalls(
            () => backend,
            (ms) => {
                now += ms;
            },
        );

        it("turns a room on and off (admin only) and validates its inlet", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            assert.equal(
                (
                    await app.inject({
                        method: "POST",
                        url: `/events/${event.id}/waiting-room`,
                        payload: { admitPerMinute: 60 },
                    })
                ).statusCode,
                401,
            );
            for (const bad of [
                {},
                { admitPerMinute: 0 },
                { admitPerMinute: 1.5 },
                { maxActive: -1 },
                { admitPerMinute: 60, extra: 1 },
                { admitPerMinute: 60, opensAt: "soon" },
                { admitPerMinute: 60, opensAt: "2030-01-01T00:00:00Z", autoOpenOrdersPerMinute: 5 },
            ]) {
                const response = await roomOn(app, event.id, bad);
                assert.equal(response.statusCode, 400, JSON.stringify(bad));
                assert.equal(response.json().error, "invalid_request");
            }
            assert.equal((await roomOn(app, randomUUID(), { admitPerMinute: 60 })).statusCode, 404);
            const on = await roomOn(app, event.id, { admitPerMinute: 60, maxActive: 100 });
            assert.equal(on.statusCode, 200, on.body);
            assert.equal(on.json().state, "open");
            const view = await app.inject({ url: `/events/${event.id}/waiting-room`, headers: admin });
            assert.equal(view.json().admitPerMinute, 60);
            assert.equal(view.json().waiting, 0);
            assert.equal((await join(app, event.id)).statusCode, 201);
            assert.equal(
                (await app.inject({ method: "DELETE", url: `/events/${event.id}/waiting-room`, headers: admin }))
                    .statusCode,
                200,
            );
            assert.equal(
                (await app.inject({ method: "DELETE", url: `/events/${event.id}/waiting-room`, headers: admin }))
                    .statusCode,
                404,
            );
            const off = await join(app, event.id);
            assert.equal(off.statusCode, 200);
            assert.deepEqual(off.json(), { waitingRoom: "off", admitted: true, admissionToken: null });
            assert.equal((await order(app, event)).statusCode, 201, "no room: no token needed");
            assert.equal((await join(app, randomUUID())).statusCode, 404);
        });

        it("sells only against a valid, unused admission; every refusal is distinct and leaves stock untouched", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            const other = await createEvent(app, 10);
            assert.equal((await roomOn(app, event.id, { admitPerMinute: 600 })).statusCode, 200);
            assert.equal((await roomOn(app, other.id, { admitPerMinute: 600 })).statusCode, 200);
            const mine = await admitted(app, event);
            const theirs = await admitted(app, other);
            const [head, tail] = [mine.token.slice(0, 20), mine.token.slice(21)];
            const refusals: Array<[string | undefined, number, string]> = [
                [undefined, 403, "admission_required"],
                ["", 403, "admission_required"],
                ["not-a-token", 403, "admission_invalid"],
                [`${head}${mine.token[20] === "A" ? "B" : "A"}${tail}`, 403, "admission_invalid"],
                [mine.ticket, 403, "admission_invalid"],
                [theirs.token, 403, "admission_wrong_event"],
            ];
            for (const [token, code, error] of refusals) {
                const response = await order(app, event, token);
                assert.equal(response.statusCode, code, `${token}: ${response.body}`);
                assert.equal(response.json().error, error);
            }
            assert.equal(await sold(event), 0);
            const key = randomUUID();
            const bought = await order(app, event, mine.token, key, 2);
            assert.equal(bought.statusCode, 201, bought.body);
            const replay = await order(app, event, mine.token, key, 2);
            assert.equal(replay.statusCode, 200, "the order's own idempotency still answers");
            assert.deepEqual(replay.json(), bought.json());
            const again = await order(app, event, mine.token, randomUUID(), 2);
            assert.equal(again.statusCode, 409);
            assert.equal(again.json().error, "admission_used");
            assert.equal(await sold(event), 2);
            // Racing replays of one admission with different keys: exactly one buys.
            const second = await admitted(app, event);
            const race = await Promise.all(Array.from({ length: 10 }, () => order(app, event, second.token)));
            assert.equal(race.filter((r) => r.statusCode === 201).length, 1);
            assert.equal(race.filter((r) => r.statusCode === 409 && r.json().error === "admission_used").length, 9);
            assert.equal(await sold(event), 3);
            // Expired, and from a room that was turned off and on again.
            const late = await admitted(app, event);
            now += 10 * 60_000 + 1;
            const expired = await order(app, event, late.token);
            assert.deepEqual([expired.statusCode, expired.json().error], [403, "admission_expired"]);
            const fresher = await admitted(app, event);
            await app.inject({ method: "DELETE", url: `/events/${event.id}/waiting-room`, headers: admin });
            await roomOn(app, event.id, { admitPerMinute: 600 });
            const stale = await order(app, event, fresher.token);
            assert.deepEqual([stale.statusCode, stale.json().error], [403, "admission_stale"]);
            assert.equal(await sold(event), 3);
            const metrics = (await app.inject("/metrics")).body;
            assert.match(metrics, /boxoffice_waiting_room_order_refusals_total\{reason="admission_used"\} 10/);
        });

        it("lets the database decide: an instance that has not yet seen a new room still refuses a tokenless order", async () => {
            const app = await fresh();
            const other = await backend.app({ waitingRoom: { clock } });
            const event = await createEvent(app, 10);
            assert.equal(
                (await join(other, event.id)).json().waitingRoom,
                "off",
                "the other instance has read the rooms: none",
            );
            assert.equal((await roomOn(app, event.id, { admitPerMinute: 60 })).statusCode, 200);
            // Within the other instance's second of configuration caching: it lets the order through to the transaction.
            const refused = await order(other, event);
            assert.deepEqual([refused.statusCode, refused.json().error], [403, "admission_required"]);
            assert.equal(await sold(event), 0);
        });

        it("draws pre-start joins at random, then serves later joins first come first served, one place per visitor", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            assert.equal(
                (
                    await roomOn(app, event.id, { admitPerMinute: 600, opensAt: new Date(now + 60_000).toISOString() })
                ).json().state,
                "before-start",
            );
            const early = [];
            for (let i = 0; i < 40; i++) {
                const visitorId = visitor();
                const response = await join(app, event.id, visitorId);
                assert.equal(response.statusCode, 201);
                assert.equal(response.json().position, null);
                assert.equal(response.json().state, "before-start");
                assert.ok(response.json().etaSeconds >= 60, "the wait includes the time until the start");
                early.push({ visitorId, ticket: response.json().queueTicket as string });
            }
            const rejoin = await join(app, event.id, early[5].visitorId);
            assert.equal(rejoin.statusCode, 200);
            assert.equal(rejoin.json().queueTicket, early[5].ticket);
            now += 60_000;
            const late = [];
            for (let i = 0; i < 10; i++) late.push((await join(app, event.id, visitor())).json().position as number);
            assert.deepEqual(
                late,
                Array.from({ length: 10 }, (_, i) => 41 + i),
            );
            const drawn = [];
            for (const e of early)
                drawn.push((await status(app, event.id, e.ticket, e.visitorId)).json().position as number);
            assert.deepEqual(
                [...drawn].sort((a, b) => a - b),
                Array.from({ length: 40 }, (_, i) => i + 1),
            );
            assert.notDeepEqual(
                drawn,
                Array.from({ length: 40 }, (_, i) => i + 1),
                "not in join order (1 in 40! by chance)",
            );
        });

        it("answers the status call only to the ticket's visitor, and tells a replaced room", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            await roomOn(app, event.id, { admitPerMinute: 60 });
            const visitorId = visitor();
            const joined = await join(app, event.id, visitorId);
            const ticket = joined.json().queueTicket;
            assert.equal(joined.json().visitorId, visitorId);
            const generated = await join(app, event.id);
            assert.match(generated.json().visitorId, /^[A-Za-z0-9_-]{22}$/, "a visitor id is made when none is given");
            for (const headers of [undefined, visitor()]) {
                const refused = await status(app, event.id, ticket, headers);
                assert.deepEqual([refused.statusCode, refused.json().error], [403, "visitor_mismatch"]);
            }
            const ok = await status(app, event.id, ticket, visitorId);
            assert.equal(ok.statusCode, 200);
            assert.deepEqual([ok.json().position, ok.json().aheadOfYou, ok.json().admitted], [1, 0, false]);
            assert.equal(ok.headers["cache-control"], "no-store");
            const forged = await status(app, event.id, `${ticket.slice(0, -2)}AA`, visitorId);
            assert.deepEqual([forged.statusCode, forged.json().error], [400, "invalid_ticket"]);
            await app.inject({ method: "DELETE", url: `/events/${event.id}/waiting-room`, headers: admin });
            await roomOn(app, event.id, { admitPerMinute: 60 });
            const gone = await status(app, event.id, ticket, visitorId);
            assert.deepEqual([gone.statusCode, gone.json().error], [410, "room_closed"]);
        });

        it("estimates the wait from the rate the room really achieves", async () => {
            const app = await fresh();
            const event = await createEvent(app, 100);
            // Configured for 600/min, but only 5 may be active and nobody finishes within the collect window.
            await roomOn(app, event.id, { admitPerMinute: 600, maxActive: 5 });
            const visitors = [];
            for (let i = 0; i < 60; i++) {
                const visitorId = visitor();
                visitors.push({
                    visitorId,
                    ticket: (await join(app, event.id, visitorId)).json().queueTicket as string,
                });
            }
            const last = visitors[visitors.length - 1];
            const before = (await status(app, event.id, last.ticket, last.visitorId)).json();
            assert.equal(before.etaSeconds, 6, "60 ahead-and-including at the configured 600/min");
            await run(app, 150_000, 1000); // uncollected admissions lapse after 120 s: 10 admitted in 150 s
            const view = (await app.inject({ url: `/events/${event.id}/waiting-room`, headers: admin })).json();
            assert.equal(view.admitted, 10);
            const after = (await status(app, event.id, last.ticket, last.visitorId)).json();
            assert.equal(after.aheadOfYou, 49);
            // 50 to go at the measured ~5/min is about 10 minutes; the configured 600/min would say 5 s.
            assert.ok(after.etaSeconds > 300, `honest ETA from the measured rate, got ${after.etaSeconds} s`);
        });

        it("holds admissions while the platform is unhealthy and shows it", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            await roomOn(app, event.id, { admitPerMinute: 600 });
            const visitorId = visitor();
            const ticket = (await join(app, event.id, visitorId)).json().queueTicket;
            await app.inject({ method: "POST", url: "/admin/mode", headers: admin, payload: { mode: "read-only" } });
            try {
                assert.deepEqual(app.waitingRoom.health.current().reasons, ["mode"]);
                assert.equal(await run(app, 2000), 0);
                const held = (await status(app, event.id, ticket, visitorId)).json();
                assert.equal(held.paused, true);
                assert.equal(held.admitted, false);
            } finally {
                await app.inject({
                    method: "POST",
                    url: "/admin/mode",
                    headers: admin,
                    payload: { mode: "read-write" },
                });
            }
            if (backend.sharedMode) await new Promise((resolve) => setTimeout(resolve, 700)); // the mode poll
            assert.equal(await run(app, 200), 1);
            assert.equal((await status(app, event.id, ticket, visitorId)).json().admitted, true);
        });

        it("opens by itself when order attempts exceed the limit", async () => {
            const app = await fresh();
            const event = await createEvent(app, 20);
            const armed = await roomOn(app, event.id, { admitPerMinute: 60, autoOpenOrdersPerMinute: 3 });
            assert.equal(armed.json().state, "armed");
            assert.equal((await join(app, event.id)).json().waitingRoom, "off");
            for (let i = 0; i < 3; i++)
                assert.equal((await order(app, event)).statusCode, 201, `order ${i + 1} within the limit`);
            // The attempt that takes the rate over the limit opens the room and is itself sent to the queue.
            const refused = await order(app, event);
            assert.deepEqual([refused.statusCode, refused.json().error], [403, "admission_required"]);
            assert.equal((await join(app, event.id)).statusCode, 201);
            assert.equal(
                (await app.inject({ url: `/events/${event.id}/waiting-room`, headers: admin })).json().state,
                "open",
            );
        });

        it("keeps maxActive buyers in at once; a finished order lets the next one in", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            await roomOn(app, event.id, { maxActive: 2 });
            const people = [];
            for (let i = 0; i < 3; i++) {
                const visitorId = visitor();
                people.push({ visitorId, ticket: (await join(app, event.id, visitorId)).json().queueTicket as string });
            }
            await run(app, 500);
            const answers = [];
            for (const p of people) answers.push((await status(app, event.id, p.ticket, p.visitorId)).json());
            assert.deepEqual(
                answers.map((a) => a.admitted),
                [true, true, false],
            );
            assert.equal((await order(app, event, answers[0].admissionToken)).statusCode, 201);
            await run(app, 100);
            assert.equal((await status(app, event.id, people[2].ticket, people[2].visitorId)).json().admitted, true);
        });

        it("reports the line, admissions and waits on /metrics", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            await roomOn(app, event.id, { admitPerMinute: 60 });
            await admitted(app, event);
            await join(app, event.id, visitor());
            const metrics = (await app.inject("/metrics")).body;
            assert.match(metrics, new RegExp(`boxoffice_waiting_room_queue_length\\{event="${event.id}"\\} 1`));
            assert.match(metrics, new RegExp(`boxoffice_waiting_room_admitted_total\\{event="${event.id}"\\} 1`));
            assert.match(metrics, /boxoffice_waiting_room_wait_seconds_count 1/);
            assert.match(
                metrics,
                new RegExp(`boxoffice_waiting_room_newcomer_wait_seconds\\{event="${event.id}"\\} \\d+`),
            );
        });

        it("answers malformed queue calls with 4xx JSON", async () => {
            const app = await fresh();
            const event = await createEvent(app, 10);
            await roomOn(app, event.id, { admitPerMinute: 60 });
            const cases = [
                await join(app, event.id, "short"),
                await join(app, event.id, "has spaces in it, sixteen+"),
                await app.inject({
                    method: "POST",
                    url: `/events/${event.id}/queue`,
                    payload: { visitorId: visitor(), ip: "1.2.3.4" },
                }),
                await app.inject({
                    method: "POST",
                    url: `/events/${event.id}/queue`,
                    payload: [] as unknown as object,
                }),
                await app.inject({ method: "POST", url: "/events/not-a-uuid/queue", payload: {} }),
                await status(app, event.id, "x".repeat(101), visitor()),
                await status(app, event.id, "%00", visitor()),
                await order(app, event, "x".repeat(600)),
            ];
            for (const [i, response] of cases.entries()) {
                assert.ok(
                    response.statusCode >= 400 && response.statusCode < 500,
                    `case ${i}: ${response.statusCode} ${response.body}`,
                );
                assert.equal(typeof response.json().error, "string", `case ${i}`);
            }
            assert.equal(await sold(event), 0);
        });
    });
}
