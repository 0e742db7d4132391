import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MIGRATIONS, migrate } from "../../app/src/db/migrations";
import { PgDatabase } from "../../app/src/db/pg-database";
import { REAL_ENV, freshDatabase, pglite } from "./helpers/harness";

const latest = MIGRATIONS[MIGRATIONS.length - 1].version;

describe("migrations", () => {
  it("apply once when two runs start at the same time (PGlite, fresh schema)", async () => {
    const db = await pglite();
    const schema = `mig_${randomBytes(4).toString("hex")}`;
    try {
      const [a, b] = await Promise.all([migrate(db, { schema }), migrate(db, { schema })]);
      assert.deepEqual([...a, ...b], MIGRATIONS.map((m) => m.version));
      const rows = await db.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
      assert.deepEqual(rows.rows.map((r) => Number(r.version)), [latest]);
      assert.deepEqual(await migrate(db, { schema }), []);
    } finally {
      await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await assert.rejects(migrate(await pglite(), { schema: "x; DROP TABLE events" }), /plain lower-case identifier/);
  });

  it("apply once when two instances with their own pools start at once (PostgreSQL)", async function () {
    if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
    const database = await freshDatabase(REAL_ENV.database!);
    const first = new PgDatabase({ url: database.url });
    const second = new PgDatabase({ url: database.url });
    try {
      const results = await Promise.all([migrate(first), migrate(second), migrate(first), migrate(second)]);
      assert.deepEqual(results.flat(), MIGRATIONS.map((m) => m.version));
      const rows = await first.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
      assert.equal(rows.rows[0].n, MIGRATIONS.length);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });
});
