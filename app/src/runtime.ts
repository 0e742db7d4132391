import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import Redis from "ioredis";
import type { Logger } from "pino";
import { Cache, MemcachedCache, MemoryCache } from "./cache/cache";
import type { Config } from "./config";
import type { Database } from "./db/database";
import { migrate } from "./db/migrations";
import { PgDatabase } from "./db/pg-database";
import { PGliteDatabase } from "./db/pglite-database";
import { ReplicaSet } from "./db/replicas";
import { LocalModeStore, ModeStore, RedisModeStore } from "./mode-store";
import { loadOrCreateSeed } from "./signing-key";
import { Stores } from "./services/stores";
import { TicketSigner } from "./tickets/codes";
import type { WaitingRoomOptions } from "./waiting-room";
import { RedisRoomStore } from "./waiting-room/redis-store";

/** Everything the server and the worker need, built from the configuration. */
export interface Runtime {
    embedded: boolean;
    stores: Stores;
    cache: Cache;
    mode: ModeStore;
    signer: TicketSigner;
    adminToken: string;
    /** True when the admin token was generated here and should be shown to the operator. */
    generatedAdminToken: boolean;
    /** The queue in Redis when configured (shared by every instance), else in process; the server starts its inlet. */
    waitingRoom: WaitingRoomOptions;
    close(): Promise<void>;
}

export function openWriter(config: Config, logger: Logger, applicationName: string): Database {
    return new PgDatabase({
        url: config.databaseUrl!,
        user: config.databaseUser,
        password: config.databasePassword,
        tlsByDefault: config.production,
        max: config.databasePoolMax,
        connectTimeoutMs: config.databaseConnectTimeoutMs,
        applicationName,
        logger,
    });
}

function connectRedis(config: Config, logger: Logger): Redis {
    const redis = new Redis(config.redisUrl!, {
        password: config.redisAuthToken,
        // Fail fast instead of queueing: a cache or mode lookup must never hold up a request.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: 500,
        retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on("error", (error) => logger.debug({ err: error }, "redis error"));
    return redis;
}

function waitForRedis(redis: Redis, ms: number): Promise<void> {
    if (redis.status === "ready") return Promise.resolve();
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        redis.once("ready", () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
    const embedded = !config.databaseUrl;
    // Before anything connects: a key problem must stop the start, not surface after migrations.
    let signer = config.signer;
    if (!signer) {
        signer = new TicketSigner(await loadOrCreateSeed(config.dataDir), config.signingKeyId);
        if (!embedded) {
            logger.warn(
                { keyFile: config.dataDir },
                "TICKET_SIGNING_KEY is not set: signing with the key in the data directory; every instance sharing this database must use the same key",
            );
        }
    }
    const closers: Array<() => Promise<unknown>> = [];
    let writer: Database;
    let replicas: ReplicaSet | undefined;
    if (embedded) {
        await mkdir(config.dataDir, { recursive: true });
        writer = await PGliteDatabase.open(path.join(config.dataDir, "pglite"));
    } else {
        writer = openWriter(config, logger, "boxoffice-api");
        if (config.databaseReadUrls.length > 0) {
            const readers = config.databaseReadUrls.map(
                (url, index) =>
                    new PgDatabase({
                        url,
                        user: config.databaseUser,
                        password: config.databasePassword,
                        tlsByDefault: config.production,
                        max: config.databasePoolMax,
                        connectTimeoutMs: config.databaseConnectTimeoutMs,
                        // Tells the replicas apart in pg_stat_activity and in the logs.
                        applicationName: `boxoffice-api-read-${index + 1}`,
                        logger,
                    }),
            );
            replicas = new ReplicaSet(readers, { maxLagSeconds: config.databaseMaxReplicaLagSeconds, logger });
            // The first sample before serving; replicas that do not answer it just start out of rotation.
            await replicas.start();
            closers.push(() => replicas!.close());
        }
    }
    closers.push(() => writer.close());
    await migrate(writer);

    let mode: ModeStore = new LocalModeStore();
    const waitingRoom: WaitingRoomOptions = { settings: config.waitingRoom, start: true, stack: config.stack };
    if (config.redisUrl) {
        const redis = connectRedis(config, logger);
        await waitForRedis(redis, 2000);
        const store = new RedisModeStore(redis, `boxoffice:${config.stack}:mode`, logger);
        await store.refresh();
        if (store.current() === "unknown") {
            // Fail closed: serve reads, refuse writes until the poll reads the shared mode.
            logger.warn("could not read the shared mode from Redis; refusing writes until it can");
        }
        mode = store;
        // Its own connection, auto-pipelined: thousands of status calls a second leave in few writes.
        const roomRedis = redis.duplicate({ enableAutoPipelining: true });
        roomRedis.on("error", (error) => logger.debug({ err: error }, "redis error (waiting room)"));
        waitingRoom.store = new RedisRoomStore(roomRedis, `boxoffice:${config.stack}`);
        closers.unshift(async () => roomRedis.disconnect());
        closers.unshift(async () => {
            await store.close();
            redis.disconnect();
        });
    }

    const cache: Cache =
        config.memcachedServers.length > 0
            ? new MemcachedCache({ servers: config.memcachedServers, tls: config.memcachedTls }, "bx:", logger)
            : new MemoryCache();
    closers.unshift(() => cache.close());

    const adminToken = config.adminToken ?? randomBytes(24).toString("base64url");

    return {
        embedded,
        stores: new Stores(writer, replicas, logger),
        cache,
        mode,
        signer,
        adminToken,
        generatedAdminToken: !config.adminToken,
        waitingRoom,
        async close() {
            for (const close of closers) {
                try {
                    await close();
                } catch (error) {
                    logger.warn({ err: error }, "error while closing");
                }
            }
        },
    };
}
