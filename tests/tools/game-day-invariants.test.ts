/**
 * The game-day invariant check (tools/game-day-invariants.js) on the app's real schema: every count is 0 on a
 * consistent database, and each kind of damage a failover could do is counted. On PGlite always; as the
 * documented `node -e "$(cat …)"` command against real PostgreSQL when BOXOFFICE_TEST_DATABASE_URL is set.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { randomUUID, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Queryable } from "../../app/src/db/database";
import { migrate } from "../../app/src/db/migrations";
import { PgDatabase } from "../../app/src/db/pg-database";
import { REAL_ENV, freshDatabase, pglite } from "../app/helpers/harness";
import { REPO_ROOT } from "../../tools/offline/stack-files";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkInvariants } = require("../../tools/game-day-invariants.js") as {
    checkInvariants(
        query: (sql: string, params: unknown[]) => Promise<Array<{ n: number }>>,
        opts: { since: Date; graceMinutes?: number; ackedIds?: string[] },
    ): Promise<Record<string, unknown>>;
};
const SCRIPT = path.join(REPO_ROOT, "tools/game-day-invariants.js");

/** One event with a 2-seat ticket type sold out by one order of two, its tickets and its sent confirmation. */
async function seed(db: Queryable): Promise<{ orderId: string; typeId: string; ticketIds: string[] }> {
    const eventId = randomUUID();
    const typeId = randomUUID();
    const orderId = randomUUID();
    const ticketIds = [randomUUID(), randomUUID()];
    await db.query("INSERT INTO events (id, name, starts_at) VALUES ($1, 'Gig', now() + interval '30 days')", [
        eventId,
    ]);
    await db.query(
        "INSERT INTO ticket_types (id, event_id, name, price_cents, capacity, sold, sort_order) VALUES ($1, $2, 'GA', 2500, 2, 2, 0)",
        [typeId, eventId],
    );
    await db.query(
        "INSERT INTO orders (id, event_id, ticket_type_id, email, quantity, amount_cents) VALUES ($1, $2, $3, 'fan@example.com', 2, 5000)",
        [orderId, eventId, typeId],
    );
    for (const id of ticketIds)
        await db.query("INSERT INTO tickets (id, order_id, event_id, code) VALUES ($1, $2, $3, $4)", [
            id,
            orderId,
            eventId,
            `code-${id}`,
        ]);
    await db.query("INSERT INTO checkins (ticket_id, gate) VALUES ($1, 'north')", [ticketIds[0]]);
    await db.query("INSERT INTO outbox (order_id, kind, sent_at) VALUES ($1, 'order_confirmation', now())", [orderId]);
    return { orderId, typeId, ticketIds };
}

const ZERO = {
    oversold: 0,
    soldMismatch: 0,
    wrongTicketCount: 0,
    missingConfirmation: 0,
    doubleAdmissions: 0,
    stuckConfirmations: 0,
    failedConfirmations: 0,
};
const pick = (r: Record<string, unknown>) => Object.fromEntries(Object.keys(ZERO).map((k) => [k, r[k]]));

describe("game-day invariant check", () => {
    it("passes a consistent database and counts each kind of damage (PGlite, the app's schema)", async () => {
        const db = await pglite();
        const schema = `gameday_${randomBytes(4).toString("hex")}`;
        await migrate(db, { schema });
        try {
            await db.transaction(async (tx) => {
                await tx.query(`SET LOCAL search_path TO ${schema}`);
                const since = new Date(Date.now() - 60_000);
                const check = (ackedIds: string[] = []) =>
                    checkInvariants(async (sql, params) => (await tx.query<{ n: number }>(sql, params)).rows, {
                        since,
                        ackedIds,
                    });
                const { orderId, typeId } = await seed(tx);

                const clean = await check([orderId]);
                assert.deepStrictEqual(pick(clean), ZERO);
                assert.deepStrictEqual(
                    [clean.orders, clean.ackedOrders, clean.lostOrders, clean.passed],
                    [1, 1, 0, true],
                );

                assert.deepStrictEqual(
                    [(await check([orderId, randomUUID()])).lostOrders, (await check([orderId, randomUUID()])).passed],
                    [1, false],
                );

                // A third ticket on the sold-out type: oversold, counter and order disagree.
                const [{ event_id: eventId }] = (
                    await tx.query<{ event_id: string }>("SELECT event_id FROM orders WHERE id = $1", [orderId])
                ).rows;
                await tx.query("INSERT INTO tickets (id, order_id, event_id, code) VALUES ($1, $2, $3, 'extra')", [
                    randomUUID(),
                    orderId,
                    eventId,
                ]);
                assert.deepStrictEqual(pick(await check()), {
                    ...ZERO,
                    oversold: 1,
                    soldMismatch: 1,
                    wrongTicketCount: 1,
                });
                await tx.query("DELETE FROM tickets WHERE code = 'extra'");

                await tx.query("UPDATE ticket_types SET sold = 1 WHERE id = $1", [typeId]);
                assert.deepStrictEqual(pick(await check()), { ...ZERO, soldMismatch: 1 });
                await tx.query("UPDATE ticket_types SET sold = 2 WHERE id = $1", [typeId]);

                await tx.query(
                    "UPDATE outbox SET sent_at = NULL, created_at = now() - interval '20 minutes' WHERE order_id = $1",
                    [orderId],
                );
                assert.deepStrictEqual(pick(await check()), ZERO, "created before the drill: not the drill's");
                await tx.query("UPDATE outbox SET created_at = $2 WHERE order_id = $1", [
                    orderId,
                    new Date(since.getTime() + 1000),
                ]);
                assert.deepStrictEqual(pick(await check()), ZERO, "within the grace period");
                await tx.query("UPDATE outbox SET failed_at = now() WHERE order_id = $1", [orderId]);
                assert.deepStrictEqual(pick(await check()), { ...ZERO, failedConfirmations: 1 });

                await tx.query("DELETE FROM outbox WHERE order_id = $1", [orderId]);
                const broken = await check();
                assert.deepStrictEqual([broken.missingConfirmation, broken.passed], [1, false]);
            });
        } finally {
            await db.exec(`DROP SCHEMA ${schema} CASCADE`);
        }
    });

    it("fits ECS's 8,192-character limit on RunTask overrides, with room for 50 acknowledged order ids", () => {
        const ids = Array.from({ length: 50 }, () => randomUUID()).join(",");
        const overrides = JSON.stringify({
            containerOverrides: [
                {
                    name: "app",
                    command: ["node", "-e", fs.readFileSync(SCRIPT, "utf8")],
                    environment: [
                        { name: "SINCE", value: "2026-05-01T09:00:00Z" },
                        { name: "ACKED_ORDER_IDS", value: ids },
                    ],
                },
            ],
        });
        assert.ok(overrides.length <= 8192, `${overrides.length} characters`);
    });

    it('runs as documented, `node -e "$(cat tools/game-day-invariants.js)"`, with the task\'s variables (PostgreSQL)', async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        this.timeout(60_000);
        const database = await freshDatabase(REAL_ENV.database!);
        const db = new PgDatabase({ url: database.url });
        try {
            await migrate(db);
            const { orderId } = await seed(db);
            // The task definition passes the URL without a password and the password separately.
            const url = new URL(database.url);
            const password = decodeURIComponent(url.password);
            url.password = "";
            const run = (env: Record<string, string>) =>
                spawnSync(process.execPath, ["-e", fs.readFileSync(SCRIPT, "utf8")], {
                    cwd: REPO_ROOT,
                    encoding: "utf8",
                    timeout: 30_000,
                    env: {
                        PATH: process.env.PATH ?? "",
                        DATABASE_URL: url.toString(),
                        ...(password ? { DATABASE_PASSWORD: password } : {}),
                        ...env,
                    },
                });
            const ok = run({ SINCE: new Date(Date.now() - 60_000).toISOString(), ACKED_ORDER_IDS: orderId });
            assert.strictEqual(ok.status, 0, ok.stderr);
            const report = JSON.parse(ok.stdout.trim()).gameDayCheck;
            assert.deepStrictEqual([report.passed, report.lostOrders, report.orders], [true, 0, 1]);
            const lost = run({ ACKED_ORDER_IDS: `${orderId},${randomUUID()}` });
            assert.strictEqual(lost.status, 1);
            assert.strictEqual(JSON.parse(lost.stdout.trim()).gameDayCheck.lostOrders, 1);
            const bad = run({ SINCE: "yesterday-ish" });
            assert.strictEqual(bad.status, 2);
            assert.match(bad.stderr, /SINCE = yesterday-ish: not a date/);
        } finally {
            await db.close();
            await database.drop();
        }
    });
});
