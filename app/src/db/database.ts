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
    /**
     * Stops reusing pooled connections: idle ones close now, busy ones when released, and later
     * calls open new ones. After a switchover the writer's name points elsewhere. Absent on PGlite.
     */
    reset?(): void;
    close(): Promise<void>;
    readonly kind: "postgres" | "pglite";
}

/** Conflicts between transactions: the same transaction may simply run again. */
const CONFLICT_SQLSTATES = new Set([
    "40001", // serialization_failure
    "40P01", // deadlock_detected
]);

/** The server is going away, not there yet, or full; class 08 (connection exceptions) is added below. */
const UNAVAILABLE_SQLSTATES = new Set([
    "57P01", // admin_shutdown (failover, restart)
    "57P02", // crash_shutdown
    "57P03", // cannot_connect_now (starting up, or in recovery)
    "53300", // too_many_connections
    "25006", // read_only_sql_transaction: the writer was demoted during a failover
]);

const UNAVAILABLE_NODE_CODES = new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "EPIPE",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENOTFOUND",
    "EAI_AGAIN",
]);

/**
 * What node-postgres and pg-pool say, without a code, when a socket drops ("Connection terminated
 * unexpectedly"), a connect times out ("timeout expired", "Connection terminated due to connection
 * timeout"), the pool has no connection to give within the connect timeout ("timeout exceeded when
 * trying to connect"), a statement outlives its client-side timeout ("Query read timeout"), or a
 * client that already failed is used again.
 */
const UNAVAILABLE_MESSAGE =
    /Connection terminated|timeout expired|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable/i;

function codeOf(error: unknown): string | undefined {
    const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : undefined;
}

/**
 * Whether an error means the database could not be reached or answered in time, as opposed to the
 * statement being wrong: the client gets `503 database_unavailable` and may retry.
 */
export function isUnavailable(error: unknown): boolean {
    if (!error || typeof error !== "object") return false;
    const code = codeOf(error);
    if (
        code !== undefined &&
        (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith("08") || UNAVAILABLE_NODE_CODES.has(code))
    ) {
        return true;
    }
    return UNAVAILABLE_MESSAGE.test(String((error as { message?: unknown }).message ?? ""));
}

/** Whether a whole transaction may be retried: serialization conflicts and lost or missing connections. */
export function isRetryable(error: unknown): boolean {
    const code = codeOf(error);
    return (code !== undefined && CONFLICT_SQLSTATES.has(code)) || isUnavailable(error);
}

export function sqlState(error: unknown): string | undefined {
    const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : undefined;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
