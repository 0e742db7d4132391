import { randomBytes } from "node:crypto";
import net from "node:net";
import type { FastifyInstance } from "fastify";
import Redis from "ioredis";
import { Pool } from "pg";
import type { Logger } from "pino";
import { buildApp } from "../../../app/src/app";
import { Cache, MemcachedCache, MemoryCache } from "../../../app/src/cache/cache";
import type { Database } from "../../../app/src/db/database";
import { migrate } from "../../../app/src/db/migrations";
import { PgDatabase } from "../../../app/src/db/pg-database";
import { PGliteDatabase } from "../../../app/src/db/pglite-database";
import { ReplicaSet } from "../../../app/src/db/replicas";
import { LocalModeStore, ModeStore, RedisModeStore } from "../../../app/src/mode-store";
import { Stores } from "../../../app/src/services/stores";
import { TicketSigner } from "../../../app/src/tickets/codes";
import type { WaitingRoomOptions } from "../../../app/src/waiting-room";
import { RedisRoomStore } from "../../../app/src/waiting-room/redis-store";
import { registerCleanup } from "../../support/root-hooks";
import { migratedPGlite } from "./pglite-template";

export const ADMIN_TOKEN = "test-admin-token";

export interface AppOverrides {
    cache?: Cache;
    mode?: ModeStore;
    lifecycle?: { draining: boolean };
    writer?: Database;
    /** Waiting-room clock and settings; the real backend adds its Redis store unless one is given. */
    waitingRoom?: WaitingRoomOptions;
    purchaseDeadlineMs?: number;
    holdMaxMs?: number;
    logger?: Logger;
}

/** Everything a test needs: a backend (PGlite or real servers) and a way to build apps on it. */
export interface Backend {
    name: string;
    writer: Database;
    signer: TicketSigner;
    /** Builds an app; each call gets its own mode store (shared through Redis on the real backend). */
    app(overrides?: AppOverrides): Promise<FastifyInstance>;
    /** Read replicas behind the app's reads (none on PGlite). */
    replicas?: ReplicaSet;
    /** Whether the read-only mode is shared between app instances (Redis). */
    sharedMode: boolean;
    close(): Promise<void>;
}

const signer = new TicketSigner(Buffer.alloc(32, 7), "test");

// ---- PGlite: ONE instance per test process (slow to start, ~1 GB RSS) ----
let sharedPGlite: Promise<PGliteDatabase> | undefined;

export function pglite(): Promise<PGliteDatabase> {
    sharedPGlite ??= migratedPGlite();
    return sharedPGlite;
}

// Closed by the root afterAll hook: once at the end of a serial run, after each file with --parallel; the
// next file in the same worker then opens a fresh instance.
registerCleanup(async () => {
    const open = sharedPGlite;
    sharedPGlite = undefined;
    if (open) await (await open).close();
});

export async function pgliteBackend(): Promise<Backend> {
    const db = await pglite();
    const apps: FastifyInstance[] = [];
    return {
        name: "pglite",
        writer: db,
        signer,
        sharedMode: false,
        async app(overrides = {}) {
            const app = await buildApp({
                stores: new Stores(overrides.writer ?? db),
                cache: overrides.cache ?? new MemoryCache(),
                mode: overrides.mode ?? new LocalModeStore(),
                signer,
                adminToken: ADMIN_TOKEN,
                lifecycle: overrides.lifecycle,
                waitingRoom: overrides.waitingRoom,
                purchaseDeadlineMs: overrides.purchaseDeadlineMs,
                holdMaxMs: overrides.holdMaxMs,
                logger: overrides.logger,
            });
            apps.push(app);
            return app;
        },
        async close() {
            for (const app of apps) await app.close();
        },
    };
}

// ---- Real PostgreSQL, Redis and Memcached ----
export const REAL_ENV = {
    database: process.env.BOXOFFICE_TEST_DATABASE_URL,
    redis: process.env.BOXOFFICE_TEST_REDIS_URL,
    memcached: process.env.BOXOFFICE_TEST_MEMCACHED_SERVERS,
};

export function realServicesMissing(): string | undefined {
    const missing = Object.entries({
        BOXOFFICE_TEST_DATABASE_URL: REAL_ENV.database,
        BOXOFFICE_TEST_REDIS_URL: REAL_ENV.redis,
        BOXOFFICE_TEST_MEMCACHED_SERVERS: REAL_ENV.memcached,
    })
        .filter(([, value]) => !value)
        .map(([name]) => name);
    return missing.length ? `real-services variant skipped: set ${missing.join(", ")}` : undefined;
}

/** Creates a fresh database on the server named by baseUrl and returns its URL and a dropper. */
export async function freshDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
    const name = `boxoffice_test_${randomBytes(5).toString("hex")}`;
    const admin = new Pool({ connectionString: baseUrl, max: 1 });
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    return {
        url: url.toString(),
        async drop() {
            // pg-pool's end() resolves before its connections have closed. A FORCE drop then terminates
            // those backends, and the FATAL can reach a client whose pool has no 'error' listener left
            // (an uncaught error in whichever test runs next). Wait for them to go first.
            for (let i = 0; i < 100; i++) {
                const open = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [
                    name,
                ]);
                if (open.rows[0].n === 0) break;
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await admin.end();
        },
    };
}

export async function realBackend(): Promise<Backend> {
    const database = await freshDatabase(REAL_ENV.database!);
    const writer = new PgDatabase({ url: database.url, max: 30 });
    // Two more pools on the same database stand in for two replica endpoints (DATABASE_READ_URLS).
    const replicas = new ReplicaSet(
        [1, 2].map((n) => new PgDatabase({ url: database.url, max: 5, applicationName: `boxoffice-test-read-${n}` })),
    );
    await migrate(writer);
    await replicas.start();
    const run = randomBytes(4).toString("hex");
    const redisClients: Redis[] = [];
    const closers: Array<() => Promise<unknown>> = [];
    // The waiting room's queue, shared by every app of this run like the fleet shares it.
    const roomRedis = new Redis(REAL_ENV.redis!, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    roomRedis.on("error", () => undefined);
    const roomStore = new RedisRoomStore(roomRedis, `boxoffice:test-${run}`);
    return {
        name: "real",
        writer,
        replicas,
        signer,
        sharedMode: true,
        async app(overrides = {}) {
            let mode = overrides.mode;
            if (!mode) {
                const redis = new Redis(REAL_ENV.redis!, {
                    enableOfflineQueue: false,
                    maxRetriesPerRequest: 1,
                    commandTimeout: 500,
                });
                redis.on("error", () => undefined);
                await new Promise((resolve) => redis.once("ready", resolve));
                redisClients.push(redis);
                const store = new RedisModeStore(redis, `boxoffice:test-${run}:mode`);
                await store.refresh();
                closers.push(() => store.close());
                mode = store;
            }
            const cache =
                overrides.cache ?? new MemcachedCache({ servers: REAL_ENV.memcached!.split(",") }, `bxt${run}:`);
            const app = await buildApp({
                stores: new Stores(overrides.writer ?? writer, overrides.writer ? undefined : replicas),
                cache,
                mode,
                signer,
                adminToken: ADMIN_TOKEN,
                lifecycle: overrides.lifecycle,
                waitingRoom: { store: roomStore, ...overrides.waitingRoom },
                purchaseDeadlineMs: overrides.purchaseDeadlineMs,
                holdMaxMs: overrides.holdMaxMs,
                logger: overrides.logger,
            });
            closers.push(
                () => app.close(),
                () => cache.close(),
            );
            return app;
        },
        async close() {
            for (const close of closers) await close();
            for (const redis of redisClients) {
                await redis.del(`boxoffice:test-${run}:mode`).catch(() => undefined);
                redis.disconnect();
            }
            const roomKeys = await roomRedis.keys(`boxoffice:test-${run}:*`).catch(() => []);
            if (roomKeys.length > 0) await roomRedis.del(...roomKeys).catch(() => undefined);
            roomRedis.disconnect();
            await replicas.close();
            await writer.close();
            await database.drop();
        },
    };
}

/** A loopback port with nothing listening: the "cache is down" address. */
export async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}
