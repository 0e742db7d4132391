import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { RedisRoomStore } from "../../../app/src/waiting-room/redis-store";
import { REAL_ENV } from "../helpers/harness";
import { defineStoreContract } from "./store-contract";

const reason = REAL_ENV.redis ? undefined : "real-Redis variant skipped: set BOXOFFICE_TEST_REDIS_URL";

defineStoreContract(`waiting room store: Redis (Lua scripts)${reason ? ` (${reason})` : ""}`, async () => {
    if (reason) return reason;
    const redis = new Redis(REAL_ENV.redis!, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    const prefix = `boxoffice:test-${randomBytes(4).toString("hex")}`;
    const wipe = async () => {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
    };
    return {
        store: new RedisRoomStore(redis, prefix),
        // What a failover to a replica that missed everything, or a flush, leaves behind.
        loseEverything: wipe,
        async close() {
            await wipe();
            redis.disconnect();
        },
    };
});
