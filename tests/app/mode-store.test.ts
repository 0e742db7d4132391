import assert from "node:assert/strict";
import type Redis from "ioredis";
import { RedisModeStore } from "../../app/src/mode-store";

/** A Redis stand-in whose GET answers are released by the test, one at a time. */
function scriptedRedis() {
    const pending: Array<{ resolve: (value: string | null) => void; reject: (error: Error) => void }> = [];
    const stored: string[] = [];
    const redis = {
        get: () => new Promise<string | null>((resolve, reject) => pending.push({ resolve, reject })),
        set: async (_key: string, value: string) => void stored.push(value),
    } as unknown as Redis;
    return { redis, pending, stored };
}

describe("shared service mode (RedisModeStore)", () => {
    const stores: RedisModeStore[] = [];
    // A long poll interval: the test drives refresh() itself.
    const open = (redis: Redis) => {
        const store = new RedisModeStore(redis, "boxoffice:test:mode", undefined, 60_000);
        stores.push(store);
        return store;
    };
    after(async () => {
        for (const store of stores) await store.close();
    });

    it("is unknown until the first successful read; a missing key then means read-write", async () => {
        const { redis, pending } = scriptedRedis();
        const store = open(redis);
        assert.equal(store.current(), "unknown");
        const failed = store.refresh();
        pending.shift()!.reject(new Error("ECONNREFUSED"));
        await failed;
        assert.equal(store.current(), "unknown", "a failed read must not default to read-write");
        const read = store.refresh();
        pending.shift()!.resolve(null);
        await read;
        assert.equal(store.current(), "read-write");
    });

    it("follows the shared key and keeps the last known mode through an outage", async () => {
        const { redis, pending } = scriptedRedis();
        const store = open(redis);
        const read = store.refresh();
        pending.shift()!.resolve("read-only");
        await read;
        assert.equal(store.current(), "read-only");
        const failed = store.refresh();
        pending.shift()!.reject(new Error("ETIMEDOUT"));
        await failed;
        assert.equal(store.current(), "read-only");
    });

    it("reads hold from the shared key and tells listeners about every change, once", async () => {
        const { redis, pending } = scriptedRedis();
        const store = open(redis);
        const changes: string[] = [];
        const unsubscribe = store.onChange((from, to) => changes.push(`${from}->${to}`));
        for (const value of [null, "hold", "hold", "read-write", "read-only"]) {
            const read = store.refresh();
            pending.shift()!.resolve(value);
            await read;
        }
        assert.equal(store.current(), "read-only");
        assert.deepEqual(changes, [
            "unknown->read-write",
            "read-write->hold",
            "hold->read-write",
            "read-write->read-only",
        ]);
        unsubscribe();
        await store.set("read-write");
        assert.equal(changes.length, 4, "no calls after unsubscribing");
    });

    it("ignores a poll that started before the latest local set()", async () => {
        const { redis, pending, stored } = scriptedRedis();
        const store = open(redis);
        const initial = store.refresh();
        pending.shift()!.resolve(null);
        await initial;
        // A poll is in flight and will bring back the old value...
        const stale = store.refresh();
        // ...while an operator switches this instance (and Redis) to read-only.
        assert.deepEqual(await store.set("read-only"), { shared: true });
        assert.deepEqual(stored, ["read-only"]);
        pending.shift()!.resolve("read-write");
        await stale;
        assert.equal(store.current(), "read-only");
        // The next poll, started after set(), is believed again.
        const next = store.refresh();
        pending.shift()!.resolve("read-write");
        await next;
        assert.equal(store.current(), "read-write");
    });
});
