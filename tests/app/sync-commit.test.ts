import assert from "node:assert/strict";
import { migrate } from "../../app/src/db/migrations";
import { PgDatabase } from "../../app/src/db/pg-database";
import { CommitNotReplicated } from "../../app/src/db/sync-commit";
import { createEvent } from "../../app/src/services/events";
import { purchase, requestHash } from "../../app/src/services/purchase";
import { TicketSigner } from "../../app/src/tickets/codes";
import { closedPort } from "./helpers/harness";
import { SyncPrimary } from "./helpers/sync-primary";

const signer = new TicketSigner(Buffer.alloc(32, 9), "sync");

/**
 * A primary whose synchronous standby is unreachable (cut off, or being failed over) must never have
 * a write reported as done: a failover would lose it. The server here waits for a standby that never
 * connects; no write may succeed. (PostgreSQL answers a *cancelled* wait with success plus a WARNING,
 * and a *terminated* one leaves the commit visible locally: both are covered.)
 */
describe("writes are never acknowledged without the synchronous standby", function () {
    this.timeout(60_000);
    let primary: SyncPrimary | undefined;
    const dbs: PgDatabase[] = [];
    const open = (applicationName: string) => {
        // statement_timeout 300 ms server-side; the client stops waiting after 2.3 s.
        const db = new PgDatabase({ url: primary!.url, statementTimeoutMs: 300, max: 2, applicationName });
        dbs.push(db);
        return db;
    };
    let event: { eventId: string; ticketTypeId: string };

    before(async function () {
        if (!SyncPrimary.available()) {
            console.log("      (skipped: needs root and PostgreSQL server binaries to run its own primary)");
            this.skip();
        }
        primary = await SyncPrimary.start(await closedPort());
        const setup = open("setup");
        await migrate(setup);
        const created = await createEvent(setup, {
            name: "Sync",
            startsAt: "2030-01-01T20:00:00Z",
            ticketTypes: [{ name: "GA", priceCents: 100, capacity: 10 }],
        });
        event = { eventId: created.id, ticketTypeId: created.ticketTypes[0].id };
        await primary.loseStandby();
    });

    after(async () => {
        for (const db of dbs) await db.close().catch(() => undefined);
        await primary?.stop();
    });

    it("statement_timeout does not cut COMMIT's wait short: the client gives up, nothing is acknowledged", async () => {
        await assert.rejects(
            open("commit").transaction((tx) => tx.query("INSERT INTO t VALUES (1)")),
            (error: Error) => !(error instanceof CommitNotReplicated) && /timeout/i.test(error.message),
        );
        // The server still waits for the standby: the row is not visible, no one was told it exists.
        assert.deepEqual(await primary!.admin("SELECT count(*)::int AS n FROM t WHERE id = 1"), [{ n: 0 }]);
    });

    it("the same for an autocommit write (statement_timeout is off while PostgreSQL commits)", async () => {
        await assert.rejects(open("autocommit").query("INSERT INTO t VALUES (2)"), (error: Error) =>
            /timeout/i.test(error.message),
        );
        assert.deepEqual(await primary!.admin("SELECT count(*)::int AS n FROM t WHERE id = 2"), [{ n: 0 }]);
    });

    for (const [kind, write] of [
        ["a transaction's COMMIT", (db: PgDatabase) => db.transaction((tx) => tx.query("INSERT INTO t VALUES (3)"))],
        ["an autocommit write", (db: PgDatabase) => db.query("INSERT INTO t VALUES (4)")],
    ] as const) {
        it(`${kind} whose wait is cancelled (committed locally, WARNING) fails instead of succeeding`, async () => {
            const name = `cancel-${kind.length}`;
            const outcome = write(open(name)).then(
                () => "acknowledged",
                (error: unknown) => error,
            );
            for (let i = 0; ; i++) {
                const waiting = await primary!.admin<{ pid: number }>(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND application_name = $1",
                    [name],
                );
                if (waiting.length === 1) {
                    await primary!.admin("SELECT pg_cancel_backend($1)", [waiting[0].pid]);
                    break;
                }
                assert.ok(i < 300, "the write never started waiting for the standby");
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
            const result = await outcome;
            assert.ok(result instanceof CommitNotReplicated, `expected CommitNotReplicated, got ${String(result)}`);
        });
    }

    it("an order found again by its key (its commit only local) is not confirmed until the standby has it", async () => {
        // A purchase whose COMMIT wait was terminated: committed on the primary, never on the standby.
        const input = { idempotencyKey: "terminated-wait", ...event, quantity: 1, email: "fan@example.com" };
        await primary!.admin(
            "BEGIN; SET LOCAL synchronous_commit = local;" +
                `INSERT INTO orders (id, event_id, ticket_type_id, email, quantity, amount_cents) VALUES ('00000000-0000-4000-8000-000000000001', '${event.eventId}', '${event.ticketTypeId}', 'fan@example.com', 1, 100);` +
                `INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ('terminated-wait', '${requestHash(input)}', '00000000-0000-4000-8000-000000000001');` +
                "COMMIT",
        );
        // The buyer's retry finds the order; it must not be confirmed to them while only the primary has it.
        await assert.rejects(purchase(open("replay"), signer, input), (error: Error) => /timeout/i.test(error.message));
    });
});
