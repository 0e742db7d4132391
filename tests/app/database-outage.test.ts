import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../app/src/app";
import { MemoryCache } from "../../app/src/cache/cache";
import { migrate } from "../../app/src/db/migrations";
import { PgDatabase } from "../../app/src/db/pg-database";
import { LocalModeStore } from "../../app/src/mode-store";
import { Stores } from "../../app/src/services/stores";
import { TicketSigner } from "../../app/src/tickets/codes";
import { buy, createEvent } from "./helpers/fixtures";
import { ADMIN_TOKEN, REAL_ENV, freshDatabase } from "./helpers/harness";
import { TcpProxy } from "./helpers/tcp-proxy";

/**
 * With a 1.5 s deadline a purchase answers in about that; the bound is generous for a busy machine
 * and still far under what these took without the deadline (12 s or more).
 */
const FAIL_FAST_MS = 10_000;

/**
 * The real PostgreSQL behind a proxy the test can take away: the ticket service must keep its
 * liveness answer (what load balancers and ECS judge it by) while purchases fail fast with a clear
 * 503, and recover by itself when the database is back.
 */
describe("database outage (PostgreSQL behind a proxy)", function () {
    this.timeout(60_000);
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    let proxy: TcpProxy;
    let writer: PgDatabase;
    let app: FastifyInstance;

    before(async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        database = await freshDatabase(REAL_ENV.database!);
        const direct = new URL(database.url);
        proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
        const proxied = new URL(database.url);
        proxied.port = String(await proxy.start());
        writer = new PgDatabase({ url: proxied.toString(), max: 5, connectTimeoutMs: 500 });
        await migrate(writer);
        app = await buildApp({
            stores: new Stores(writer),
            cache: new MemoryCache(),
            mode: new LocalModeStore(),
            signer: new TicketSigner(Buffer.alloc(32, 4), "test"),
            adminToken: ADMIN_TOKEN,
            purchaseDeadlineMs: 1500,
        });
    });

    after(async () => {
        await app?.close();
        await proxy?.close();
        await writer?.close();
        await database?.drop();
    });

    async function expectFastPurchase503(event: Awaited<ReturnType<typeof createEvent>>): Promise<void> {
        const health = await app.inject("/healthz");
        assert.equal(health.statusCode, 200);
        assert.deepEqual(health.json(), { status: "ok" });
        const started = Date.now();
        const refused = await buy(app, event);
        const elapsed = Date.now() - started;
        assert.equal(refused.statusCode, 503, refused.body);
        assert.equal(refused.json().error, "database_unavailable");
        assert.ok(Number(refused.headers["retry-after"]) > 0, "Retry-After");
        assert.ok(elapsed < FAIL_FAST_MS, `purchase took ${elapsed} ms`);
        const ready = await app.inject("/readyz");
        assert.equal(ready.statusCode, 503);
        assert.equal(ready.json().writer.status, "down");
        assert.equal((await app.inject("/healthz")).statusCode, 200);
    }

    async function expectRecovery(event: Awaited<ReturnType<typeof createEvent>>): Promise<void> {
        proxy.restore();
        const bought = await buy(app, event);
        assert.equal(bought.statusCode, 201, bought.body);
        assert.equal((await app.inject("/readyz")).statusCode, 200);
    }

    it("treats a busy pool as busy, not as an outage: callers wait for a connection longer than a connect may take", async () => {
        const busy = new PgDatabase({ url: database.url, max: 1, connectTimeoutMs: 200, poolWaitMs: 10_000 });
        try {
            let holding!: () => void;
            const held = new Promise<void>((resolve) => (holding = resolve));
            const transaction = busy.transaction(async (tx) => {
                await tx.query("SELECT 1");
                holding();
                await new Promise((resolve) => setTimeout(resolve, 1000));
            });
            await held;
            // The only connection is taken for a second: far longer than the 200 ms connect timeout.
            const waited = await busy.query<{ one: number }>("SELECT 1 AS one");
            assert.equal(waited.rows[0].one, 1);
            await transaction;
        } finally {
            await busy.close();
        }
    });

    it("resets the pool for a switchover: a transaction in flight commits, then no connection from before is used again", async () => {
        const pool = new PgDatabase({ url: database.url, max: 3 });
        const pid = async () => (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        const alive = async (pids: number[]) =>
            (
                await writer.query<{ n: number }>(
                    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)",
                    [pids],
                )
            ).rows[0].n;
        try {
            await pool.exec("CREATE TABLE IF NOT EXISTS switchover_probe (n int)");
            const idle = await pid();
            let resume!: () => void;
            let inside!: () => void;
            const entered = new Promise<void>((resolve) => (inside = resolve));
            const inFlight = pool.transaction(async (tx) => {
                const own = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
                inside();
                await new Promise<void>((resolve) => (resume = resolve));
                await tx.query("INSERT INTO switchover_probe VALUES (1)");
                return own;
            });
            await entered;
            pool.reset();
            const fresh = await pid();
            resume();
            const busy = await inFlight;
            assert.notEqual(fresh, idle);
            assert.notEqual(fresh, busy);
            assert.equal(
                (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM switchover_probe")).rows[0].n,
                1,
                "it committed",
            );
            for (
                const giveUpAt = Date.now() + 60_000;
                (await alive([idle, busy])) > 0;
                await new Promise((r) => setTimeout(r, 50))
            ) {
                assert.ok(Date.now() < giveUpAt, "the old connections stayed open");
            }
        } finally {
            await pool.close();
        }
    });

    it("when the server goes away (connections reset, new ones reset at once)", async () => {
        const event = await createEvent(app, 5);
        assert.equal((await buy(app, event)).statusCode, 201);
        proxy.refuse();
        await expectFastPurchase503(event);
        await expectRecovery(event);
    });

    it("when the server stops answering (open connections go silent, new ones are never answered)", async () => {
        const event = await createEvent(app, 5);
        assert.equal((await buy(app, event)).statusCode, 201);
        proxy.stall();
        await expectFastPurchase503(event);
        await expectRecovery(event);
    });
});
