import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Database, Queryable } from "../../../app/src/db/database";
import { migrate } from "../../../app/src/db/migrations";
import { PgDatabase } from "../../../app/src/db/pg-database";
import { checkIn } from "../../../app/src/services/checkin";
import { createEvent } from "../../../app/src/services/events";
import { purchase } from "../../../app/src/services/purchase";
import { TicketSigner } from "../../../app/src/tickets/codes";
import { InvariantInput, InvariantResult, checkInvariants } from "../../../tools/loadgen/invariants";
import type { AcknowledgedOrder } from "../../../tools/loadgen/load-generator";
import { Pool } from "pg";
import { REAL_ENV, freshDatabase, pglite } from "../../app/helpers/harness";

const signer = new TicketSigner(Buffer.alloc(32, 9), "inv");
const ROLLBACK = new Error("rollback");
const VIOLATIONS = [
    "lostOrders",
    "oversold",
    "doubleAdmissions",
    "duplicateEmails",
    "missingEmails",
    "lostOutbox",
    "lostAdmissions",
    "counterMismatches",
    "idempotencyMismatches",
] as const;

interface Sale {
    eventId: string;
    ticketTypeId: string;
    acknowledged: AcknowledgedOrder[];
    admissions: Array<{ code: string; at: number }>;
    emailsSent: Map<string, number>;
}

/**
 * Each case sells through the service's own code (committed), then breaks the data inside a transaction
 * that is rolled back after the check, so cases never see each other's damage.
 */
function defineInvariantSuite(
    title: string,
    open: () => Promise<{ db: Database; close: () => Promise<void> } | string>,
): void {
    describe(title, function () {
        this.timeout(60_000);
        let db: Database;
        let close: (() => Promise<void>) | undefined;

        before(async function () {
            const opened = await open();
            if (typeof opened === "string") this.skip();
            ({ db, close } = opened as { db: Database; close: () => Promise<void> });
        });
        after(async () => close?.());

        /** Three orders (1 + 2 + 2 tickets of 5), two tickets admitted, every confirmation sent once. */
        async function sale(capacity = 5): Promise<Sale> {
            const event = await createEvent(db, {
                name: `Invariants ${randomUUID().slice(0, 8)}`,
                // Far ahead, so these events sort after any other test's in a shared database.
                startsAt: "2099-01-01T20:00:00Z",
                ticketTypes: [{ name: "Standing", priceCents: 1000, capacity }],
            });
            const ticketTypeId = event.ticketTypes[0].id;
            const acknowledged: AcknowledgedOrder[] = [];
            for (const quantity of [1, 2, 2]) {
                const key = randomUUID();
                const { order } = await purchase(db, signer, {
                    idempotencyKey: key,
                    eventId: event.id,
                    ticketTypeId,
                    quantity,
                    email: "fan@example.com",
                });
                acknowledged.push({
                    orderId: order.id,
                    idempotencyKey: key,
                    ticketTypeId,
                    quantity,
                    ticketCodes: order.tickets.map((t) => t.code),
                });
            }
            const admissions = [];
            for (const code of [acknowledged[0].ticketCodes[0], acknowledged[1].ticketCodes[1]]) {
                await checkIn(db, signer, code, "north");
                admissions.push({ code, at: Date.now() });
            }
            const ids = acknowledged.map((order) => order.orderId);
            await db.query("UPDATE outbox SET sent_at = now(), attempts = 1 WHERE order_id = ANY($1::uuid[])", [ids]);
            return {
                eventId: event.id,
                ticketTypeId,
                acknowledged,
                admissions,
                emailsSent: new Map(ids.map((id) => [id, 1])),
            };
        }

        async function check(
            s: Sale,
            breakIt: (tx: Queryable) => Promise<void> = async () => undefined,
            extra: Partial<InvariantInput> = {},
        ): Promise<InvariantResult> {
            let result: InvariantResult | undefined;
            await db
                .transaction(async (tx) => {
                    await breakIt(tx);
                    result = await checkInvariants(tx, { ...s, drainTimeoutMs: 2000, pollIntervalMs: 50, ...extra });
                    throw ROLLBACK;
                })
                .catch((error) => {
                    if (error !== ROLLBACK) throw error;
                });
            return result!;
        }

        function violations(result: InvariantResult): Record<string, number> {
            return Object.fromEntries(VIOLATIONS.filter((key) => result[key] > 0).map((key) => [key, result[key]]));
        }

        it("finds nothing wrong with a clean sale, and judges only its own event", async () => {
            const other = await sale();
            const s = await sale();
            // The mail sink also counted another event's confirmations.
            for (const [id, n] of other.emailsSent) s.emailsSent.set(id, n + 1);
            const result = await check(s);
            assert.deepEqual(violations(result), {});
            assert.deepEqual(result.details, []);
            assert.equal(result.drained, true);
            assert.deepEqual(result.counts, { acknowledgedOrders: 3, storedOrders: 3, admissions: 2, emailsSent: 3 });
        });

        it("detects an acknowledged order that was deleted", async () => {
            const s = await sale();
            const gone = s.acknowledged[2].orderId;
            const result = await check(s, async (tx) => {
                for (const table of ["tickets", "outbox", "idempotency_keys"])
                    await tx.query(`DELETE FROM ${table} WHERE order_id = $1`, [gone]);
                await tx.query("DELETE FROM orders WHERE id = $1", [gone]);
            });
            assert.deepEqual(violations(result), { lostOrders: 1, counterMismatches: 1, idempotencyMismatches: 1 });
            assert.ok(result.details.includes(`lost order: ${gone}: not stored`), result.details.join("\n"));
        });

        it("detects an order stored with fewer tickets than acknowledged", async () => {
            const s = await sale();
            const order = s.acknowledged[1];
            const result = await check(
                s,
                async (tx) => {
                    await tx.query(
                        "DELETE FROM checkins WHERE ticket_id IN (SELECT id FROM tickets WHERE order_id = $1)",
                        [order.orderId],
                    );
                    await tx.query(
                        "DELETE FROM tickets WHERE id = (SELECT id FROM tickets WHERE order_id = $1 ORDER BY id LIMIT 1)",
                        [order.orderId],
                    );
                },
                { admissions: s.admissions.slice(0, 1) },
            );
            assert.deepEqual(violations(result), { lostOrders: 1, counterMismatches: 1 });
            assert.match(result.details.join("\n"), /1 tickets stored, 2 acknowledged, codes differ/);
        });

        it("detects an oversold ticket type once the database constraint is disabled", async () => {
            const s = await sale();
            const result = await check(s, async (tx) => {
                await tx.query("ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_sold_within_capacity");
                // A purchase the guarded update would have refused: 2 more tickets on a sold-out type.
                const orderId = randomUUID();
                await tx.query(
                    `INSERT INTO orders (id, event_id, ticket_type_id, email, quantity, amount_cents) VALUES ($1, $2, $3, 'x@example.com', 2, 2000)`,
                    [orderId, s.eventId, s.ticketTypeId],
                );
                for (let i = 0; i < 2; i++) {
                    const id = randomUUID();
                    await tx.query("INSERT INTO tickets (id, order_id, event_id, code) VALUES ($1, $2, $3, $4)", [
                        id,
                        orderId,
                        s.eventId,
                        signer.issue(s.eventId, id),
                    ]);
                }
                await tx.query(
                    "INSERT INTO outbox (order_id, kind, sent_at) VALUES ($1, 'order_confirmation', now())",
                    [orderId],
                );
                await tx.query("UPDATE ticket_types SET sold = sold + 2 WHERE id = $1", [s.ticketTypeId]);
                s.emailsSent.set(orderId, 1);
            });
            assert.deepEqual(violations(result), { oversold: 2 });
            assert.match(result.details.join("\n"), /oversold: Standing .*capacity 5, sold 7, ordered 7, tickets 7/);
        });

        it("detects a sold counter that drifted from the orders without overselling", async () => {
            const s = await sale();
            const result = await check(s, (tx) =>
                tx
                    .query("UPDATE ticket_types SET sold = sold - 1 WHERE id = $1", [s.ticketTypeId])
                    .then(() => undefined),
            );
            assert.deepEqual(violations(result), { counterMismatches: 1 });
        });

        it("detects a ticket checked in twice in the database", async () => {
            const s = await sale();
            const code = s.admissions[0].code;
            const result = await check(s, async (tx) => {
                await tx.query("ALTER TABLE checkins DROP CONSTRAINT checkins_pkey");
                await tx.query(
                    "INSERT INTO checkins (ticket_id, gate) SELECT id, 'south' FROM tickets WHERE code = $1",
                    [code],
                );
            });
            assert.deepEqual(violations(result), { doubleAdmissions: 1 });
            assert.match(result.details.join("\n"), /double admission: ticket [0-9a-f-]{36} has 2 check-in rows/);
            assert.ok(!result.details.join("\n").includes(code), "reports name tickets by id, never by their code");
        });

        it("detects a code answered 'admitted' twice, and an admission with no check-in row", async () => {
            const s = await sale();
            const unscanned = s.acknowledged[2].ticketCodes[0];
            const admissions = [...s.admissions, s.admissions[1], { code: unscanned, at: Date.now() }];
            const result = await check(s, undefined, { admissions });
            assert.deepEqual(violations(result), { doubleAdmissions: 1, lostAdmissions: 1 });
            assert.match(result.details.join("\n"), /answered "admitted" 2 times/);
        });

        it("detects a duplicate e-mail, one the outbox marked sent that never arrived, and one for no stored order", async () => {
            const s = await sale();
            s.emailsSent.set(s.acknowledged[0].orderId, 2);
            s.emailsSent.delete(s.acknowledged[1].orderId);
            const phantom = randomUUID();
            s.emailsSent.set(phantom, 1);
            const result = await check(s);
            assert.deepEqual(violations(result), { duplicateEmails: 1, missingEmails: 1 });
            const text = result.details.join("\n");
            assert.match(text, /the outbox says sent at .*, the mail sink saw none/);
            assert.ok(text.includes(`stray e-mail: confirmation sent for order ${phantom}, which is not stored`));
        });

        it("waits for the outbox to drain before it calls a confirmation missing", async () => {
            const s = await sale();
            const late = s.acknowledged[2].orderId;
            s.emailsSent.delete(late);
            const result = await check(
                s,
                async (tx) => {
                    await tx.query("UPDATE outbox SET sent_at = NULL WHERE order_id = $1", [late]);
                    // The worker sends it while the check waits.
                    setTimeout(() => {
                        s.emailsSent.set(late, 1);
                        void tx.query("UPDATE outbox SET sent_at = now() WHERE order_id = $1", [late]);
                    }, 150);
                },
                { drainTimeoutMs: 20_000 },
            );
            assert.deepEqual(violations(result), {});
            assert.equal(result.drained, true);
            assert.ok(result.drainWaitMs > 0);
        });

        it("calls a confirmation still unsent at the drain deadline missing and its outbox row stuck", async () => {
            const s = await sale();
            const stuck = s.acknowledged[0].orderId;
            const given = s.acknowledged[1].orderId;
            s.emailsSent.delete(stuck);
            s.emailsSent.delete(given);
            const result = await check(
                s,
                async (tx) => {
                    // Claimed by a worker that died: hidden until its lease runs out, past the deadline.
                    await tx.query(
                        "UPDATE outbox SET sent_at = NULL, next_attempt_at = now() + interval '1 hour' WHERE order_id = $1",
                        [stuck],
                    );
                    await tx.query(
                        "UPDATE outbox SET sent_at = NULL, failed_at = now(), attempts = 12, last_error = 'mailbox full' WHERE order_id = $1",
                        [given],
                    );
                },
                { drainTimeoutMs: 200 },
            );
            assert.deepEqual(violations(result), { missingEmails: 2, lostOutbox: 1 });
            assert.equal(result.drained, false);
            const text = result.details.join("\n");
            assert.match(text, /still unsent after the drain deadline \(1 attempts, not due until/);
            assert.match(text, /given up after 12 attempts \(mailbox full\)/);
        });

        it("detects an order without its outbox row", async () => {
            const s = await sale();
            const order = s.acknowledged[1].orderId;
            s.emailsSent.delete(order);
            const result = await check(s, (tx) =>
                tx.query("DELETE FROM outbox WHERE order_id = $1", [order]).then(() => undefined),
            );
            assert.deepEqual(violations(result), { lostOutbox: 1, missingEmails: 1 });
            assert.match(result.details.join("\n"), /has no confirmation row/);
        });
    });
}

defineInvariantSuite("invariant checker (real PostgreSQL, fresh database)", async () => {
    if (!REAL_ENV.database) return "real-services variant skipped: set BOXOFFICE_TEST_DATABASE_URL";
    const database = await freshDatabase(REAL_ENV.database);
    const db = new PgDatabase({ url: database.url, max: 4 });
    await migrate(db);
    return {
        db,
        close: async () => {
            await db.close();
            // pg-pool's end() resolves before its connections are gone; a FORCE drop would then send their
            // FATAL to a pool without an error listener. Wait for them to leave first.
            const name = new URL(database.url).pathname.slice(1);
            const watcher = new Pool({ connectionString: REAL_ENV.database, max: 1 });
            for (let i = 0; i < 100; i++) {
                const open = await watcher.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [
                    name,
                ]);
                if (open.rows[0].n === 0) break;
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            await watcher.end();
            await database.drop();
        },
    };
});

defineInvariantSuite("invariant checker (embedded PostgreSQL)", async () => ({
    db: await pglite(),
    close: async () => undefined,
}));
