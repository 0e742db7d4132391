import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Pool } from "pg";
import type { Database, Queryable } from "../../app/src/db/database";
import { migrate } from "../../app/src/db/migrations";
import { PgDatabase } from "../../app/src/db/pg-database";
import { createLogger } from "../../app/src/logging";
import { createEvent } from "../../app/src/services/events";
import { purchase } from "../../app/src/services/purchase";
import { TicketSigner } from "../../app/src/tickets/codes";
import { REAL_ENV, freshDatabase } from "./helpers/harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A backend killed in the middle of a purchase transaction (pg_terminate_backend, which is what an
 * RDS failover or a restart looks like to the client): the checked-out client emits 'error' while
 * idle between statements. Unhandled, that event kills the process; mocha reports it as an uncaught
 * error and fails this test.
 */
describe("PostgreSQL connection lost mid-transaction", function () {
    this.timeout(20_000);

    it("keeps the process alive and lets the purchase retry into exactly one order", async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        const database = await freshDatabase(REAL_ENV.database!);
        let logs = "";
        const logger = createLogger(
            "warn",
            "test",
            new Writable({
                write(chunk, _enc, done) {
                    logs += chunk;
                    done();
                },
            }),
        );
        const writer = new PgDatabase({ url: database.url, max: 4, logger });
        const killer = new Pool({ connectionString: database.url, max: 1 });
        killer.on("error", () => undefined); // its idle client is not the one under test
        try {
            await migrate(writer);
            const event = await createEvent(writer, {
                name: "Failover gig",
                startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
                ticketTypes: [{ name: "GA", priceCents: 100, capacity: 5 }],
            });
            const signer = new TicketSigner(Buffer.alloc(32, 5), "test");
            const input = {
                idempotencyKey: randomUUID(),
                eventId: event.id,
                ticketTypeId: event.ticketTypes[0].id,
                quantity: 1,
                email: "a@example.com",
            };

            let killedPid: number | undefined;
            // The real PgDatabase, with a hook after the first statement of the first attempt (the key
            // is claimed, nothing committed): terminate that backend and wait until it is gone.
            const hooked: Database = {
                kind: writer.kind,
                query: (sql, params) => writer.query(sql, params),
                exec: (sql) => writer.exec(sql),
                close: async () => undefined,
                transaction: (fn, options) =>
                    writer.transaction(async (tx) => {
                        let statements = 0;
                        const spy: Queryable = {
                            async query(sql, params) {
                                const result = await tx.query(sql, params);
                                if (killedPid === undefined && ++statements === 1) {
                                    killedPid = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))
                                        .rows[0].pid;
                                    await killer.query("SELECT pg_terminate_backend($1)", [killedPid]);
                                    for (let i = 0; i < 100; i++) {
                                        const alive = await killer.query(
                                            "SELECT 1 FROM pg_stat_activity WHERE pid = $1",
                                            [killedPid],
                                        );
                                        if (alive.rowCount === 0) break;
                                        await sleep(20);
                                    }
                                    await sleep(200); // the client reads the FATAL message and the socket close
                                }
                                return result as never;
                            },
                        };
                        return fn(spy);
                    }, options),
            };

            let retries = 0;
            const result = await purchase(hooked, signer, input, { onRetry: () => retries++ });
            assert.ok(killedPid, "the hook did not run");
            assert.equal(retries, 1);
            assert.equal(result.created, true);
            assert.match(logs, /database connection lost during a transaction/);
            assert.match(logs, /"code":"57P01"/, "the SQLSTATE of the termination is logged");
            const orders = await writer.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM orders WHERE event_id = $1",
                [event.id],
            );
            assert.equal(orders.rows[0].n, 1);
            const sold = await writer.query<{ sold: number }>("SELECT sold FROM ticket_types WHERE id = $1", [
                input.ticketTypeId,
            ]);
            assert.equal(sold.rows[0].sold, 1);
            // The dead client was dropped, not handed back: the pool still serves queries.
            assert.equal(writer.pool.totalCount, writer.pool.idleCount);
            assert.equal((await writer.query<{ one: number }>("SELECT 1 AS one")).rows[0].one, 1);
        } finally {
            await killer.end();
            await writer.close();
            await database.drop();
        }
    });
});
