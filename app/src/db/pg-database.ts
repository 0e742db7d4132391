import { Client, ClientConfig, Pool, PoolConfig, QueryConfig } from "pg";
import type { Logger } from "pino";
import { Database, QueryResult, Queryable, TransactionOptions } from "./database";
import { EndpointWatch, watchEndpoint } from "./endpoint-watch";
import { commitDurably, guardSyncCommits, queryDurably } from "./sync-commit";
import { tlsSettings } from "./tls";

export interface PgOptions {
    url: string;
    /**
     * Override the URL's credentials. On the platform the URL names only the user: ECS injects the password
     * separately, from the `password` key of the master secret the infrastructure generates and keeps in
     * Secrets Manager (not one RDS manages), so it is never part of the URL.
     */
    user?: string;
    password?: string;
    max?: number;
    /** Verified TLS when the URL says nothing about sslmode (RDS forces TLS); see tls.ts for each sslmode. */
    tlsByDefault?: boolean;
    statementTimeoutMs?: number;
    /**
     * How long a new connection may take to open (TCP, TLS, authentication). Short, so an unreachable
     * database answers requests with a 503 in about this time instead of hanging. @default 2000
     */
    connectTimeoutMs?: number;
    /**
     * How long a caller waits for a free pooled connection while all are busy: a surge is not an
     * outage, so this is longer than a connect. @default 5000
     */
    poolWaitMs?: number;
    applicationName?: string;
    logger?: Logger;
}

/** Applies the credential overrides to the URL itself: node-postgres lets the URL win over config fields. */
export function connectionString(options: Pick<PgOptions, "url" | "user" | "password">): string {
    const url = new URL(options.url);
    if (options.user !== undefined) url.username = encodeURIComponent(options.user);
    if (options.password !== undefined) url.password = encodeURIComponent(options.password);
    return url.toString();
}

/** RDS answers a new TLS connection in tens of milliseconds; 2 s is slack, not a hang. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_POOL_WAIT_MS = 5000;

/**
 * pg-pool uses one `connectionTimeoutMillis` both for opening a connection and for waiting in its
 * queue, and hands it to each client. Clients of this class open with their own, shorter limit, so
 * the pool's setting only bounds the wait for a busy pool.
 */
function clientWithConnectTimeout(connectTimeoutMs: number): typeof Client {
    return class extends Client {
        constructor(config?: ClientConfig) {
            super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
        }
    };
}

export class PgDatabase implements Database {
    readonly kind = "postgres" as const;
    private current: Pool;
    private readonly config: PoolConfig;
    private readonly logger?: Logger;
    /** The writer's DNS name, followed by each pool's endpoint watch (endpoint-watch.ts). */
    private readonly host: string;
    private readonly watches = new Map<Pool, EndpointWatch>();

    /** The pool in use now (reset() replaces it). */
    get pool(): Pool {
        return this.current;
    }

    constructor(options: PgOptions) {
        this.logger = options.logger;
        this.host = new URL(options.url).hostname;
        const tls = tlsSettings(connectionString(options), options.tlsByDefault ?? false);
        const config: PoolConfig = {
            connectionString: tls.connectionString,
            ssl: tls.ssl,
            max: options.max ?? 20,
            Client: clientWithConnectTimeout(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
            connectionTimeoutMillis: Math.max(
                options.poolWaitMs ?? DEFAULT_POOL_WAIT_MS,
                options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
            ),
            idleTimeoutMillis: 30000,
            // Server-side guards so that a stuck statement or transaction never holds a seat row forever.
            statement_timeout: options.statementTimeoutMs ?? 10000,
            idle_in_transaction_session_timeout: 30000,
            query_timeout: (options.statementTimeoutMs ?? 10000) + 2000,
            application_name: options.applicationName ?? "boxoffice",
        };
        this.config = config;
        this.current = this.openPool();
    }

    private openPool(): Pool {
        const pool = new Pool(this.config);
        // An idle client that loses its socket (failover) emits here; without a listener the process dies.
        pool.on("error", (error) => this.logger?.warn({ err: error }, "idle database client failed"));
        guardSyncCommits(pool);
        this.watches.set(pool, watchEndpoint(pool, this.host, { logger: this.logger }));
        return pool;
    }

    private endPool(pool: Pool): Promise<void> {
        return pool.end().finally(() => {
            this.watches.get(pool)?.stop();
            this.watches.delete(pool);
        });
    }

    reset(): void {
        const old = this.current;
        this.current = this.openPool();
        // end() closes idle connections now and each busy one when its holder releases it.
        this.closing.push(
            this.endPool(old).catch((error) =>
                this.logger?.warn({ err: error }, "closing the previous database pool failed"),
            ),
        );
    }

    async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
        const result = await queryDurably(this.pool, sql, params);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    }

    async exec(sql: string): Promise<void> {
        await this.pool.query(sql);
    }

    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
        const client = await this.pool.connect();
        // pg-pool takes its own idle-error listener off a checked-out client. Without ours, a backend
        // killed mid-transaction (pg_terminate_backend, an RDS failover) emits an unhandled 'error' and
        // the process exits before the caller's retry runs. Remember the error: the client is dead, its
        // pending and later statements fail, and it must be destroyed, not handed back to the pool.
        let broken: Error | undefined;
        const onError = (error: Error) => {
            broken ??= error;
            this.logger?.warn({ err: error }, "database connection lost during a transaction");
        };
        client.on("error", onError);
        const queryTimeout = options.clientTimeoutMs;
        // query_timeout per query is supported by node-postgres but missing from @types/pg.
        const run = (sql: string, values?: unknown[]) =>
            queryTimeout === undefined
                ? client.query(sql, values)
                : client.query({ text: sql, values, query_timeout: queryTimeout } as QueryConfig);
        try {
            await run("BEGIN");
            const tx: Queryable = {
                async query<R>(sql: string, params?: unknown[]) {
                    const result = await run(sql, params as unknown[] | undefined);
                    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
                },
            };
            const value = await fn(tx);
            await commitDurably(client, () => run("COMMIT"));
            return value;
        } catch (error) {
            // A statement that outlived its client-side timeout may still be running on a socket that
            // no longer answers: the connection's state is unknown, so it is destroyed, not rolled back.
            if (!broken && /Query read timeout/.test(String((error as Error)?.message))) broken = error as Error;
            if (!broken) {
                try {
                    await run("ROLLBACK");
                } catch (rollbackError) {
                    // The connection itself is gone: do not hand it back to the pool.
                    broken = rollbackError as Error;
                }
            }
            throw error;
        } finally {
            client.off("error", onError);
            // An Error here makes pg-pool end and drop the client instead of reusing it.
            client.release(broken);
        }
    }

    /** Pools replaced by reset(), closing once their busy connections come back. */
    private readonly closing: Array<Promise<void>> = [];

    async close(): Promise<void> {
        await this.endPool(this.current);
        await Promise.all(this.closing);
    }
}
