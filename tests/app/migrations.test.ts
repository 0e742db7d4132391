import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MIGRATIONS, migrate } from "../../app/src/db/migrations";
import { Client } from "pg";
import { PgDatabase } from "../../app/src/db/pg-database";
import { REAL_ENV, freshDatabase, pglite } from "./helpers/harness";

describe("migrations", () => {
    // PGlite runs one statement at a time (one connection, one lock in PGliteDatabase), so the two
    // runs below never overlap: this checks bookkeeping and idempotence, not the advisory lock. The
    // PostgreSQL test further down is the one that would fail without the lock.
    it("record each version once and are idempotent when run twice at once (PGlite: runs serialize)", async () => {
        const db = await pglite();
        const schema = `mig_${randomBytes(4).toString("hex")}`;
        try {
            const [a, b] = await Promise.all([migrate(db, { schema }), migrate(db, { schema })]);
            assert.deepEqual(
                [...a, ...b],
                MIGRATIONS.map((m) => m.version),
            );
            const rows = await db.query<{ version: number }>(
                `SELECT version FROM ${schema}.schema_migrations ORDER BY version`,
            );
            assert.deepEqual(
                rows.rows.map((r) => Number(r.version)),
                MIGRATIONS.map((m) => m.version),
            );
            assert.deepEqual(await migrate(db, { schema }), []);
        } finally {
            await db.exec(`DROP SCHEMA ${schema} CASCADE`);
        }
    });

    it("rejects a schema name that is not a plain identifier", async () => {
        await assert.rejects(
            migrate(await pglite(), { schema: "x; DROP TABLE events" }),
            /plain lower-case identifier/,
        );
    });

    it("apply once when two instances with their own pools start at once (PostgreSQL)", async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        const database = await freshDatabase(REAL_ENV.database!);
        const first = new PgDatabase({ url: database.url });
        const second = new PgDatabase({ url: database.url });
        try {
            const results = await Promise.all([migrate(first), migrate(second), migrate(first), migrate(second)]);
            assert.deepEqual(
                results.flat(),
                MIGRATIONS.map((m) => m.version),
            );
            const rows = await first.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
            assert.equal(rows.rows[0].n, MIGRATIONS.length);
        } finally {
            await first.close();
            await second.close();
            await database.drop();
        }
    });

    it("run past the pool's statement timeout: no statement_timeout, the client waits too (PostgreSQL)", async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        const database = await freshDatabase(REAL_ENV.database!);
        // A 200 ms statement_timeout (client-side wait 2.2 s) on the pool; the migration has to wait
        // 2.6 s for the advisory lock another instance holds.
        const db = new PgDatabase({ url: database.url, statementTimeoutMs: 200 });
        const holder = new Client({ connectionString: database.url });
        await holder.connect();
        try {
            await holder.query("SELECT pg_advisory_lock(726351904)");
            const released = new Promise((resolve) => setTimeout(resolve, 2600)).then(() =>
                holder.query("SELECT pg_advisory_unlock(726351904)"),
            );
            const started = Date.now();
            assert.deepEqual(
                await migrate(db),
                MIGRATIONS.map((m) => m.version),
            );
            assert.ok(Date.now() - started >= 2500, "migrate did not wait for the lock");
            await released;
            // Ordinary statements keep the pool's limit.
            await assert.rejects(
                db.query("SELECT pg_sleep(1)"),
                (error: Error & { code?: string }) => error.code === "57014",
            );
        } finally {
            await holder.end();
            await db.close();
            await database.drop();
        }
    });
});
