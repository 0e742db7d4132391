import assert from "node:assert/strict";
import { MemcachedCache } from "../../../../app/src/cache/cache";
import { RedisModeStore } from "../../../../app/src/mode-store";
import Redis from "ioredis";
import type { SuiteContext } from "../api-suite";
import { closedPort } from "../harness";
import { admin, buy, createEvent, untilMode } from "../fixtures";

/** Degraded operation: read-only mode, caches and the shared mode store down, draining. */
export function degradedPart(t: SuiteContext): void {
    it("refuses writes with 503 read_only and Retry-After in read-only mode, and serves reads", async () => {
        const event = await createEvent(t.app, 5);
        const other = t.backend.sharedMode ? await t.backend.app() : t.app;
        const set = await t.app.inject({
            method: "POST",
            url: "/admin/mode",
            headers: admin,
            payload: { mode: "read-only" },
        });
        assert.equal(set.statusCode, 200, set.body);
        try {
            await untilMode(other, "read-only"); // the other instance polls the shared mode
            for (const instance of [t.app, other]) {
                assert.equal((await instance.inject({ url: "/admin/mode", headers: admin })).json().mode, "read-only");
                const refused = await buy(instance, event);
                assert.equal(refused.statusCode, 503);
                assert.equal(refused.json().error, "read_only");
                assert.ok(Number(refused.headers["retry-after"]) > 0);
                const scan = await instance.inject({
                    method: "POST",
                    url: "/checkins",
                    payload: { code: "a.b.c", gate: "A" },
                });
                assert.equal(scan.json().error, "read_only");
                assert.equal((await instance.inject(`/events/${event.id}`)).statusCode, 200);
            }
        } finally {
            await t.app.inject({ method: "POST", url: "/admin/mode", headers: admin, payload: { mode: "read-write" } });
        }
        await untilMode(other, "read-write");
        assert.equal((await buy(other, event)).statusCode, 201);
    });

    it("keeps answering 2xx when Memcached and Redis go down", async () => {
        const port = await closedPort();
        const cache = new MemcachedCache({ servers: [`127.0.0.1:${port}`], timeoutMs: 200 });
        // Redis answered once (no key: read-write), then went away: the last known mode holds.
        let redisUp = true;
        const redis = {
            get: async () => (redisUp ? null : Promise.reject(new Error("connect ECONNREFUSED"))),
            set: async () => Promise.reject(new Error("connect ECONNREFUSED")),
        } as unknown as Redis;
        const mode = new RedisModeStore(redis, "boxoffice:down:mode", undefined, 20);
        await mode.refresh();
        redisUp = false;
        await new Promise((resolve) => setTimeout(resolve, 60)); // a few failed polls
        try {
            assert.equal(mode.current(), "read-write");
            const degraded = await t.backend.app({ cache, mode });
            const event = await createEvent(degraded, 3);
            assert.equal((await degraded.inject(`/events/${event.id}`)).statusCode, 200);
            assert.equal((await degraded.inject(`/events/${event.id}`)).statusCode, 200);
            assert.equal((await degraded.inject("/events")).statusCode, 200);
            const bought = await buy(degraded, event);
            assert.equal(bought.statusCode, 201);
            const scan = await degraded.inject({
                method: "POST",
                url: "/checkins",
                payload: { code: bought.json().tickets[0].code, gate: "A" },
            });
            assert.equal(scan.statusCode, 200);
            assert.equal((await degraded.inject("/readyz")).statusCode, 200);
            assert.match(
                (await degraded.inject("/metrics")).body,
                /boxoffice_cache_errors_total\{operation="get"\} [1-9]/,
            );
        } finally {
            await mode.close();
            await cache.close();
        }
    });

    it("refuses writes (503 read_only) but serves reads while the shared mode has never been read", async () => {
        const event = await createEvent(t.app, 3);
        const port = await closedPort();
        const redis = new Redis({
            host: "127.0.0.1",
            port,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            retryStrategy: () => 1000,
        });
        redis.on("error", () => undefined);
        const mode = new RedisModeStore(redis, "boxoffice:never-read:mode");
        try {
            await mode.refresh();
            assert.equal(mode.current(), "unknown");
            const blind = await t.backend.app({ mode });
            const refused = await buy(blind, event);
            assert.equal(refused.statusCode, 503);
            assert.equal(refused.json().error, "read_only");
            assert.ok(Number(refused.headers["retry-after"]) > 0);
            const scan = await blind.inject({
                method: "POST",
                url: "/checkins",
                payload: { code: "a.b.c", gate: "A" },
            });
            assert.equal(scan.statusCode, 503);
            assert.equal((await blind.inject(`/events/${event.id}`)).statusCode, 200);
            assert.equal((await blind.inject({ url: "/admin/mode", headers: admin })).json().mode, "unknown");
            assert.equal(await t.count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [event.id]), 0);
        } finally {
            await mode.close();
            redis.disconnect();
        }
    });

    it("reports 503 on readiness and liveness while draining", async () => {
        const lifecycle = { draining: false };
        const instance = await t.backend.app({ lifecycle });
        assert.equal((await instance.inject("/readyz")).statusCode, 200);
        lifecycle.draining = true;
        const draining = await instance.inject("/readyz");
        assert.equal(draining.statusCode, 503);
        assert.equal(draining.json().error, "draining");
        assert.equal((await instance.inject("/healthz")).statusCode, 503);
    });
}
