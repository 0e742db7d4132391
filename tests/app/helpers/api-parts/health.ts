import assert from "node:assert/strict";
import type { Cache } from "../../../../app/src/cache/cache";
import type { Database } from "../../../../app/src/db/database";
import type { ModeStore } from "../../../../app/src/mode-store";
import type { SuiteContext } from "../api-suite";
import { buy, createEvent } from "../fixtures";

/** A database that fails every call the way an unreachable server does (node's ECONNREFUSED). */
export function unreachableDatabase(kind: Database["kind"]): Database & { calls: number } {
    const db = {
        kind,
        calls: 0,
        async query(): Promise<never> {
            db.calls++;
            throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
        },
        async transaction(): Promise<never> {
            return db.query();
        },
        async exec(): Promise<void> {
            await db.query();
        },
        async close() {},
    };
    return db;
}

export function healthPart(t: SuiteContext): void {
    it("answers /healthz 200 without touching any dependency, and 503 only while draining", async () => {
        const writer = unreachableDatabase(t.backend.writer.kind);
        const fail = () => Promise.reject(Object.assign(new Error("down"), { code: "ECONNREFUSED" }));
        const mode: ModeStore = {
            current: () => "read-write",
            set: fail,
            ping: fail,
            onChange: () => () => undefined,
            close: async () => undefined,
        };
        const cache: Cache = { get: fail, set: fail, delete: fail, close: async () => undefined, ping: () => [fail()] };
        const lifecycle = { draining: false };
        const app = await t.backend.app({ writer, mode, cache, lifecycle });
        const healthy = await app.inject("/healthz");
        assert.equal(healthy.statusCode, 200);
        assert.deepEqual(healthy.json(), { status: "ok" });
        assert.equal(writer.calls, 0, "/healthz must not query the database");
        lifecycle.draining = true;
        const draining = await app.inject("/healthz");
        assert.equal(draining.statusCode, 503);
        assert.equal(draining.json().error, "draining");
    });

    it("reports each dependency on /readyz with its latency: 200 while the writer answers, else 503", async () => {
        const ready = await t.app.inject("/readyz");
        assert.equal(ready.statusCode, 200, ready.body);
        const report = ready.json();
        assert.equal(report.status, "ready");
        assert.equal(report.writer.status, "up");
        assert.equal(typeof report.writer.latencyMs, "number");
        const replicas = t.backend.replicas?.size ?? 0;
        assert.equal(report.readers.length, replicas);
        for (const reader of report.readers) {
            assert.deepEqual([reader.status, reader.lagSeconds, reader.error], ["up", 0, undefined], ready.body);
        }
        if (t.backend.sharedMode) {
            assert.equal(report.redis.status, "up", ready.body);
            assert.ok(
                Array.isArray(report.memcached) &&
                    report.memcached.every((node: { status: string }) => node.status === "up"),
                ready.body,
            );
        } else {
            assert.equal(report.redis.status, "not_configured");
        }
        const down = await (
            await t.backend.app({ writer: unreachableDatabase(t.backend.writer.kind) })
        ).inject("/readyz");
        assert.equal(down.statusCode, 503);
        assert.equal(down.json().error, "database_unavailable");
        assert.deepEqual(
            { ...down.json().writer, latencyMs: 0 },
            { status: "down", error: "ECONNREFUSED", latencyMs: 0 },
        );
    });

    it("keeps /healthz at 200 while the database is unreachable; purchases and reads fail fast with 503 database_unavailable", async () => {
        const event = await createEvent(t.app, 5);
        const writer = unreachableDatabase(t.backend.writer.kind);
        const app = await t.backend.app({ writer, purchaseDeadlineMs: 1000 });
        const started = Date.now();
        const refused = await buy(app, event);
        const elapsed = Date.now() - started;
        assert.equal(refused.statusCode, 503, refused.body);
        assert.equal(refused.json().error, "database_unavailable");
        assert.ok(Number(refused.headers["retry-after"]) > 0);
        assert.ok(writer.calls >= 2, "a lost connection is retried within the deadline");
        // Generous against a loaded machine; without the deadline six attempts each wait a connect timeout.
        assert.ok(elapsed < 8000, `purchase took ${elapsed} ms`);
        const read = await app.inject(`/events/${event.id}`);
        assert.equal(read.statusCode, 503, read.body);
        assert.equal(read.json().error, "database_unavailable");
        assert.equal((await app.inject("/healthz")).statusCode, 200);
        assert.equal((await buy(t.app, event)).statusCode, 201, "the other app, on the real database, still sells");
    });
}
