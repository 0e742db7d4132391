import path from "node:path";
import { DEFAULT_CONNECT_TIMEOUT_MS } from "./db/pg-database";
import { SSL_MODES, sslModeOf } from "./db/tls";
import { DEFAULT_PURCHASE_DEADLINE_MS } from "./services/purchase";
import { KEY_ID_PATTERN, TicketSigner } from "./tickets/codes";
import { DEFAULT_HOLD_MAX_MS } from "./write-gate";
import { WaitingRoomSettings, waitingRoomSettingsFrom } from "./waiting-room/settings";

/** Everything the service reads from its environment, parsed once at start-up. */
export interface Config {
    production: boolean;
    port: number;
    host: string;
    databaseUrl?: string;
    /** Replica endpoints: DATABASE_READ_URLS (comma-separated) and DATABASE_READ_URL, merged. */
    databaseReadUrls: string[];
    /** A replica further behind gets no reads (DATABASE_MAX_REPLICA_LAG_SECONDS). */
    databaseMaxReplicaLagSeconds: number;
    databaseUser?: string;
    databasePassword?: string;
    /** Connections per pool (writer and reader each); size it against the RDS connection limit. */
    databasePoolMax: number;
    /** Opening a connection, or waiting for a pooled one, gives up after this (then 503). */
    databaseConnectTimeoutMs: number;
    /** A purchase stops retrying and answers 503 after this while the database is away. */
    purchaseDeadlineMs: number;
    /** How long a write waits while the mode is `hold` before 503 on_hold. */
    holdMaxMs: number;
    redisUrl?: string;
    redisAuthToken?: string;
    memcachedServers: string[];
    memcachedTls: boolean;
    adminToken?: string;
    signingKey?: string;
    signingKeyId?: string;
    /** Built from TICKET_SIGNING_KEY (and _ID) here, so a bad key fails before anything connects. */
    signer?: TicketSigner;
    mailTransport: "ses" | "file";
    mailFrom: string;
    dataDir: string;
    stack: string;
    backlogMetricNamespace?: string;
    /** How long /healthz reports 503 before the listener closes on SIGTERM. */
    shutdownDrainMs: number;
    logLevel: string;
    /** WAITING_ROOM_* (see waiting-room/settings.ts). */
    waitingRoom: WaitingRoomSettings;
}

export class ConfigError extends Error {}

/** Production admin tokens must be at least this long (what a generated secret gives easily). */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/**
 * A signing seed is base64 of 32 bytes. Buffer.from(..., "base64") skips characters it does not
 * know and accepts any length, so check the text and the byte count here. `source` names where the
 * text came from (the variable or the key file) so the message points at what to fix.
 */
export function seedFrom(text: string, source: string): Buffer {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
        throw new ConfigError(`${source} must be base64 of exactly 32 bytes; it contains characters outside base64`);
    }
    const seed = Buffer.from(text, "base64");
    if (seed.length !== 32) {
        throw new ConfigError(`${source} must be base64 of exactly 32 bytes, got ${seed.length} bytes`);
    }
    return seed;
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
}

function intFrom(env: Env, name: string, fallback: number, min: number, max: number): number {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    }
    return value;
}

function waitingRoomFrom(env: Env): WaitingRoomSettings {
    try {
        return waitingRoomSettingsFrom(env);
    } catch (error) {
        throw new ConfigError((error as Error).message);
    }
}

/**
 * A database URL, checked before anything connects; a mistyped sslmode would otherwise surface as a
 * connection error, or not at all. Messages never repeat the URL: it may carry a password.
 */
function checkPostgresUrl(name: string, url: string): void {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new ConfigError(`${name} must be a postgres:// or postgresql:// URL`);
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
        throw new ConfigError(`${name} must be a postgres:// or postgresql:// URL`);
    }
    const mode = sslModeOf(url);
    if (mode !== undefined && !(SSL_MODES as readonly string[]).includes(mode)) {
        throw new ConfigError(`${name}: sslmode must be one of ${SSL_MODES.join(", ")}, got "${mode}"`);
    }
}

/**
 * DATABASE_READ_URLS (one URL per replica endpoint) and the older single DATABASE_READ_URL, merged
 * without duplicates. Messages name the entry, never the URL: it may carry a password.
 */
function readUrls(env: Env): string[] {
    const entries: Array<[string, string]> = [];
    (nonEmpty(env.DATABASE_READ_URLS) ?? "").split(",").forEach((url, index) => {
        if (url.trim()) entries.push([`DATABASE_READ_URLS entry ${index + 1}`, url.trim()]);
    });
    const single = nonEmpty(env.DATABASE_READ_URL);
    if (single) entries.push(["DATABASE_READ_URL", single]);
    for (const [name, url] of entries) checkPostgresUrl(name, url);
    return [...new Set(entries.map(([, url]) => url))];
}

export function loadConfig(env: Env = process.env): Config {
    const production = env.NODE_ENV === "production";
    const mailTransport = nonEmpty(env.MAIL_TRANSPORT) ?? "file";
    if (mailTransport !== "ses" && mailTransport !== "file") {
        throw new ConfigError(`MAIL_TRANSPORT must be "ses" or "file", got "${mailTransport}"`);
    }
    const memcachedTls = nonEmpty(env.MEMCACHED_TLS) ?? "false";
    if (memcachedTls !== "true" && memcachedTls !== "false") {
        throw new ConfigError(`MEMCACHED_TLS must be "true" or "false", got "${memcachedTls}"`);
    }
    const config: Config = {
        production,
        port: intFrom(env, "PORT", 8080, 0, 65535),
        // Containers must listen on every interface; the embedded default stays on loopback.
        host: nonEmpty(env.HOST) ?? (nonEmpty(env.DATABASE_URL) || production ? "0.0.0.0" : "127.0.0.1"),
        databaseUrl: nonEmpty(env.DATABASE_URL),
        databaseReadUrls: readUrls(env),
        databaseMaxReplicaLagSeconds: intFrom(env, "DATABASE_MAX_REPLICA_LAG_SECONDS", 5, 0, 3600),
        databaseUser: nonEmpty(env.DATABASE_USER),
        databasePassword: nonEmpty(env.DATABASE_PASSWORD),
        databasePoolMax: intFrom(env, "DATABASE_POOL_MAX", 20, 1, 500),
        databaseConnectTimeoutMs: intFrom(env, "DATABASE_CONNECT_TIMEOUT_MS", DEFAULT_CONNECT_TIMEOUT_MS, 100, 60_000),
        purchaseDeadlineMs: intFrom(env, "PURCHASE_DEADLINE_MS", DEFAULT_PURCHASE_DEADLINE_MS, 500, 60_000),
        holdMaxMs: intFrom(env, "HOLD_MAX_MS", DEFAULT_HOLD_MAX_MS, 0, 60_000),
        redisUrl: nonEmpty(env.REDIS_URL),
        redisAuthToken: nonEmpty(env.REDIS_AUTH_TOKEN),
        memcachedServers: (nonEmpty(env.MEMCACHED_SERVERS) ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        memcachedTls: memcachedTls === "true",
        adminToken: nonEmpty(env.ADMIN_TOKEN),
        signingKey: nonEmpty(env.TICKET_SIGNING_KEY),
        signingKeyId: nonEmpty(env.TICKET_SIGNING_KEY_ID),
        mailTransport,
        mailFrom: nonEmpty(env.MAIL_FROM) ?? "tickets@boxoffice.invalid",
        dataDir: path.resolve(nonEmpty(env.BOXOFFICE_DATA_DIR) ?? "./.data"),
        stack: nonEmpty(env.BOXOFFICE_STACK) ?? "local",
        backlogMetricNamespace: nonEmpty(env.BACKLOG_METRIC_NAMESPACE),
        shutdownDrainMs: intFrom(env, "SHUTDOWN_DRAIN_MS", production ? 5000 : 0, 0, 20000),
        logLevel: nonEmpty(env.LOG_LEVEL) ?? "info",
        waitingRoom: waitingRoomFrom(env),
    };
    if (production) {
        // A production task that silently made up its own admin token or signing key would issue
        // tickets no other task can verify, so refuse to start instead.
        const missing = [
            config.databaseUrl ? undefined : "DATABASE_URL",
            config.adminToken ? undefined : "ADMIN_TOKEN",
            config.signingKey ? undefined : "TICKET_SIGNING_KEY",
        ].filter((name): name is string => name !== undefined);
        if (missing.length > 0) {
            throw new ConfigError(`NODE_ENV=production requires ${missing.join(", ")}`);
        }
        if (config.adminToken!.length < MIN_ADMIN_TOKEN_LENGTH) {
            throw new ConfigError(
                `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters in production, got ${config.adminToken!.length}`,
            );
        }
    }
    if (config.databaseUrl !== undefined) checkPostgresUrl("DATABASE_URL", config.databaseUrl);
    if (config.signingKeyId !== undefined && !KEY_ID_PATTERN.test(config.signingKeyId)) {
        throw new ConfigError(
            `TICKET_SIGNING_KEY_ID must be 1-32 characters of A-Z a-z 0-9 _ -, got "${config.signingKeyId}"`,
        );
    }
    if (config.signingKey)
        config.signer = new TicketSigner(seedFrom(config.signingKey, "TICKET_SIGNING_KEY"), config.signingKeyId);
    for (const server of config.memcachedServers) {
        if (!/^[^:\s]+:\d{1,5}$/.test(server)) {
            throw new ConfigError(`MEMCACHED_SERVERS entries must be host:port, got "${server}"`);
        }
    }
    return config;
}
