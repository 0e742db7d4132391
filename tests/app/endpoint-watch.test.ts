import assert from "node:assert/strict";
import { Pool } from "pg";
import { watchEndpoint } from "../../app/src/db/endpoint-watch";

const url = process.env.BOXOFFICE_TEST_DATABASE_URL;

/**
 * RDS moves the writer's name on failover; connections to the old address must go, also the idle ones
 * (a cut-off host never closes them). The real server stands in for "the old writer": the watcher is
 * told the name now has another address.
 */
(url ? describe : describe.skip)("database endpoint watch (real PostgreSQL)", function () {
    this.timeout(30_000);
    let pool: Pool;
    let addresses = ["127.0.0.1", "::1"];
    let stop = () => {};

    beforeEach(() => {
        addresses = ["127.0.0.1", "::1"];
        const target = new URL(url!);
        target.hostname = "localhost"; // a name, as an RDS endpoint is; the watcher leaves IP addresses alone
        pool = new Pool({ connectionString: target.toString(), max: 3 });
        pool.on("error", () => undefined);
        stop = watchEndpoint(pool, "localhost", { intervalMs: 50, lookup: async () => addresses }).stop;
    });

    afterEach(async () => {
        stop();
        await pool.end();
    });

    it("closes idle connections to an address the name no longer has; the pool reconnects", async () => {
        await pool.query("SELECT 1");
        assert.equal(pool.totalCount, 1);
        addresses = ["10.255.255.1"];
        for (let i = 0; pool.totalCount > 0; i++) {
            assert.ok(i < 200, "the idle connection to the old address was not closed");
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        addresses = ["127.0.0.1", "::1"];
        assert.deepEqual((await pool.query("SELECT 1 AS ok")).rows, [{ ok: 1 }]);
    });

    it("fails a query in flight on the old writer as a lost connection (which purchases retry)", async () => {
        const running = pool.query("SELECT pg_sleep(20)");
        await new Promise((resolve) => setTimeout(resolve, 200));
        addresses = ["10.255.255.1"];
        await assert.rejects(running, /Connection terminated/);
    });

    it("keeps its connections while the name still points at their address", async () => {
        await pool.query("SELECT 1");
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(pool.totalCount, 1);
    });
});

(url ? describe : describe.skip)("a write in flight when its connection is closed (real PostgreSQL)", function () {
    this.timeout(30_000);

    it("fails as a lost connection and leaves the process running", async () => {
        const { queryDurably } = await import("../../app/src/db/sync-commit");
        const pool = new Pool({ connectionString: url!, max: 2 });
        pool.on("error", () => undefined);
        try {
            const running = queryDurably(pool, "SELECT pg_sleep(20)");
            await new Promise((resolve) => setTimeout(resolve, 200));
            // What the endpoint watch does on failover; an unhandled 'error' here would end the test process.
            for (const client of (
                pool as unknown as { _clients: Array<{ connection: { stream: { destroy(): void } } }> }
            )._clients) {
                client.connection.stream.destroy();
            }
            await assert.rejects(running, /Connection terminated/);
            assert.deepEqual((await queryDurably(pool, "SELECT 1 AS ok")).rows, [{ ok: 1 }]);
        } finally {
            await pool.end();
        }
    });
});
