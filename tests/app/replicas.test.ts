import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../app/src/config";
import type { Database } from "../../app/src/db/database";
import { LAG_SQL, ReplicaSet, measureLag } from "../../app/src/db/replicas";
import { createLogger } from "../../app/src/logging";
import { createRuntime } from "../../app/src/runtime";
import { Stores } from "../../app/src/services/stores";
import { REAL_ENV, freshDatabase } from "./helpers/harness";

/** A database that answers every read with its own name, or fails while `down` is set. */
function named(name: string) {
    const db = {
        kind: "postgres" as const,
        down: false,
        reads: 0,
        async query<R>(): Promise<{ rows: R[]; rowCount: number }> {
            if (db.down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
            db.reads++;
            return { rows: [{ name } as R], rowCount: 1 };
        },
        transaction: async () => Promise.reject(new Error("not for reads")),
        exec: async () => undefined,
        close: async () => undefined,
    };
    return db;
}

async function whoAnswers(stores: Stores, reads: number): Promise<string[]> {
    const names: string[] = [];
    for (let i = 0; i < reads; i++) names.push((await stores.read<{ name: string }>("SELECT")).rows[0].name);
    return names;
}

describe("read replicas", () => {
    const writer = named("writer");

    it("spread reads round-robin over every healthy replica", async () => {
        const [a, b, c] = [named("a"), named("b"), named("c")];
        const replicas = new ReplicaSet([a, b, c], { measure: async () => 0 });
        await replicas.sample();
        assert.deepEqual(await whoAnswers(new Stores(writer, replicas), 6), ["a", "b", "c", "a", "b", "c"]);
    });

    it("skip a replica lagging beyond the bound (default 5 s), and read from the writer when all lag", async () => {
        const [a, b, c] = [named("a"), named("b"), named("c")];
        const lag = new Map<Database, number>([
            [a, 1],
            [b, 6],
            [c, 5],
        ]);
        const replicas = new ReplicaSet([a, b, c], { measure: async (db) => lag.get(db)! });
        const stores = new Stores(writer, replicas);
        await replicas.sample();
        assert.deepEqual(await whoAnswers(stores, 4), ["a", "c", "a", "c"]);
        assert.deepEqual(
            replicas.status().map((s) => [s.status, s.lagSeconds]),
            [
                ["up", 1],
                ["lagging", 6],
                ["up", 5],
            ],
        );
        for (const db of [a, c]) lag.set(db, 30);
        await replicas.sample();
        assert.deepEqual(await whoAnswers(stores, 2), ["writer", "writer"]);
        lag.set(b, 0);
        await replicas.sample();
        assert.deepEqual(await whoAnswers(stores, 2), ["b", "b"], "a caught-up replica comes back at the next sample");
    });

    it("answer a read that fails on a replica from the writer, and keep that replica out until a sample finds it well", async () => {
        const [a, b] = [named("a"), named("b")];
        const replicas = new ReplicaSet([a, b], {
            measure: async (db) => ((db as typeof a).down ? Promise.reject(new Error("down")) : 0),
        });
        const stores = new Stores(writer, replicas);
        await replicas.sample();
        a.down = true;
        assert.deepEqual(await whoAnswers(stores, 4), ["writer", "b", "b", "b"]);
        assert.equal(replicas.status()[0].status, "down");
        assert.equal(replicas.status()[0].error, "ECONNREFUSED");
        await replicas.sample();
        assert.deepEqual(await whoAnswers(stores, 2), ["b", "b"], "still down at the next sample");
        a.down = false;
        await replicas.sample();
        assert.deepEqual(await whoAnswers(stores, 2), ["a", "b"]);
    });

    it("count a sample that times out, or one too old to trust, as down (injected clock)", async () => {
        const [a, b] = [named("a"), named("b")];
        let clock = 1_000_000;
        const replicas = new ReplicaSet([a, b], {
            sampleIntervalMs: 1000,
            sampleTimeoutMs: 50,
            now: () => clock,
            measure: async (db) => (db === a ? new Promise<number>(() => undefined) : 0),
        });
        const stores = new Stores(writer, replicas);
        await replicas.sample();
        assert.deepEqual(
            replicas.status().map((s) => [s.status, s.error]),
            [
                ["down", "timeout"],
                ["up", undefined],
            ],
        );
        assert.deepEqual(await whoAnswers(stores, 2), ["b", "b"]);
        clock += 3 * 1000 + 50; // three intervals and a timeout: still trusted
        assert.deepEqual(await whoAnswers(stores, 1), ["b"]);
        clock += 1; // no good sample for longer: the sampler may be stuck, the replica far behind
        assert.deepEqual(await whoAnswers(stores, 1), ["writer"]);
        assert.equal(replicas.status()[1].sampledAgoMs, 3051);
    });

    it("sample lag in the background, not per read", async () => {
        const [a, b] = [named("a"), named("b")];
        let samples = 0;
        const replicas = new ReplicaSet([a, b], { sampleIntervalMs: 20, measure: async () => (samples++, 0) });
        await replicas.start();
        try {
            assert.equal(samples, 2);
            await whoAnswers(new Stores(writer, replicas), 50);
            assert.equal(samples, 2, "reads do not sample");
            for (let i = 0; i < 500 && samples < 6; i++) await new Promise((resolve) => setTimeout(resolve, 10));
            assert.ok(samples >= 6, "the background sampler keeps sampling");
        } finally {
            replicas.stop();
        }
    });

    it("read DATABASE_READ_URLS (one URL per replica) and still DATABASE_READ_URL, without naming a URL in errors", () => {
        const config = loadConfig({
            DATABASE_READ_URLS: "postgres://u:p@r1:5432/db, postgresql://u:p@r2:5432/db,",
            DATABASE_READ_URL: "postgres://u:p@r1:5432/db",
        });
        assert.deepEqual(config.databaseReadUrls, ["postgres://u:p@r1:5432/db", "postgresql://u:p@r2:5432/db"]);
        assert.deepEqual(loadConfig({ DATABASE_READ_URL: "postgres://r/db" }).databaseReadUrls, ["postgres://r/db"]);
        assert.deepEqual(loadConfig({}).databaseReadUrls, []);
        assert.equal(loadConfig({}).databaseMaxReplicaLagSeconds, 5);
        assert.equal(loadConfig({ DATABASE_MAX_REPLICA_LAG_SECONDS: "30" }).databaseMaxReplicaLagSeconds, 30);
        assert.throws(
            () => loadConfig({ DATABASE_READ_URLS: "postgres://r1/db,mysql://u:hunter2@r2/db" }),
            (error: Error) =>
                error instanceof ConfigError &&
                error.message === "DATABASE_READ_URLS entry 2 must be a postgres:// or postgresql:// URL",
        );
        assert.throws(
            () => loadConfig({ DATABASE_MAX_REPLICA_LAG_SECONDS: "-1" }),
            /DATABASE_MAX_REPLICA_LAG_SECONDS must be an integer/,
        );
    });

    it("send reads to every endpoint in DATABASE_READ_URLS, each its own pool (PostgreSQL)", async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        const database = await freshDatabase(REAL_ENV.database!);
        // Two URLs to the same database stand in for two replica endpoints.
        const config = loadConfig({
            DATABASE_URL: database.url,
            DATABASE_READ_URLS: `${database.url},${database.url.replace(/^postgres:/, "postgresql:")}`,
            TICKET_SIGNING_KEY: Buffer.alloc(32, 1).toString("base64"),
        });
        assert.equal(config.databaseReadUrls.length, 2);
        const runtime = await createRuntime(config, createLogger("silent"));
        try {
            assert.equal(runtime.stores.replicas?.size, 2);
            const names: string[] = [];
            for (let i = 0; i < 4; i++) {
                names.push(
                    (await runtime.stores.read<{ name: string }>("SELECT current_setting('application_name') AS name"))
                        .rows[0].name,
                );
            }
            assert.deepEqual(names, [
                "boxoffice-api-read-1",
                "boxoffice-api-read-2",
                "boxoffice-api-read-1",
                "boxoffice-api-read-2",
            ]);
            // On a server that is not a standby the lag is 0 by definition; the query itself must run.
            assert.equal(await measureLag(runtime.stores.writer), 0);
            assert.match(LAG_SQL, /pg_last_xact_replay_timestamp\(\)/);
        } finally {
            await runtime.close();
            await database.drop();
        }
    });
});
