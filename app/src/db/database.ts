/**
 * One small interface over node-postgres and PGlite so that every statement in the service is the
 * same SQL on both (the embedded default and the real servers).
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface TransactionOptions {
  /**
   * Client-side wait per statement (node-postgres `query_timeout`), replacing the pool's default of
   * statement_timeout + 2 s. Migrations raise it together with `SET LOCAL statement_timeout = 0`,
   * otherwise the client would give up on a long index build that the server lets run.
   */
  clientTimeoutMs?: number;
}

export interface Database extends Queryable {
  /** Runs fn in one transaction (READ COMMITTED); commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: "postgres" | "pglite";
}

const RETRYABLE_SQLSTATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "57P01", // admin_shutdown (failover, restart)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "25006", // read_only_sql_transaction: writer demoted during a failover
]);

const RETRYABLE_NODE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);

/** Whether a whole transaction may be retried: serialization conflicts and lost connections. */
export function isRetryable(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (RETRYABLE_SQLSTATES.has(code) || code.startsWith("08") || RETRYABLE_NODE_CODES.has(code)) return true;
  }
  const message = String((error as { message?: unknown }).message ?? "");
  // node-postgres reports a dropped socket with these messages and no code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

export function sqlState(error: unknown): string | undefined {
  const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
