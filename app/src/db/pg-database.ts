import { Pool, PoolConfig, QueryConfig } from "pg";
import type { Logger } from "pino";
import { Database, QueryResult, Queryable, TransactionOptions } from "./database";
import { EndpointWatch, watchEndpoint } from "./endpoint-watch";
import { commitDurably, guardSyncCommits, queryDurably } from "./sync-commit";
import { tlsSettings } from "./tls";

export interface PgOptions {
  url: string;
  /** Override the URL's credentials (ECS injects the RDS-managed password separately). */
  user?: string;
  password?: string;
  max?: number;
  /** Verified TLS when the URL says nothing about sslmode (RDS forces TLS); see tls.ts for each sslmode. */
  tlsByDefault?: boolean;
  statementTimeoutMs?: number;
  /**
   * How long a connection may take to open (TCP, TLS, authentication), and how long a caller waits
   * for a free pooled connection. Short, so an unreachable database answers requests with a 503 in
   * about this time instead of hanging. @default 2000
   */
  connectTimeoutMs?: number;
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

export class PgDatabase implements Database {
  readonly kind = "postgres" as const;
  readonly pool: Pool;
  private readonly logger?: Logger;
  private readonly endpoint: EndpointWatch;

  constructor(options: PgOptions) {
    this.logger = options.logger;
    const tls = tlsSettings(connectionString(options), options.tlsByDefault ?? false);
    const config: PoolConfig = {
      connectionString: tls.connectionString,
      ssl: tls.ssl,
      max: options.max ?? 20,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30000,
      // Server-side guards so that a stuck statement or transaction never holds a seat row forever.
      statement_timeout: options.statementTimeoutMs ?? 10000,
      idle_in_transaction_session_timeout: 30000,
      query_timeout: (options.statementTimeoutMs ?? 10000) + 2000,
      application_name: options.applicationName ?? "boxoffice",
    };
    this.pool = new Pool(config);
    // An idle client that loses its socket (failover) emits here; without a listener the process dies.
    this.pool.on("error", (error) => options.logger?.warn({ err: error }, "idle database client failed"));
    guardSyncCommits(this.pool);
    this.endpoint = watchEndpoint(this.pool, new URL(options.url).hostname, { logger: options.logger });
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

  async close(): Promise<void> {
    this.endpoint.stop();
    await this.pool.end();
  }
}
