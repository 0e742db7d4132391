/**
 * What the load generator records per request, and the one classification of outcomes that the
 * progress lines, the summary, the fault statistics and the timeline all share.
 */

export type RequestKind = "buy" | "scan" | "lookup";

export interface RequestRecord {
    kind: RequestKind;
    /** Milliseconds since the epoch, when the request was due to leave (its arrival on the schedule). */
    startedAt: number;
    /** Milliseconds since the epoch, when the answer (or the failure) arrived. */
    endedAt: number;
    /** HTTP status; 0 = network error or timeout (no answer). */
    status: number;
    /** The body's error code (`sold_out`, `database_unavailable`, ...) or the network failure (`timeout`, `ECONNREFUSED`). */
    error?: string;
    /** Buys answered 2xx with an order id in the body. */
    orderId?: string;
    /** Buys: the Idempotency-Key, the same on every retry of one purchase. */
    idempotencyKey?: string;
    /** 1 for the first try; a retry of an ambiguous outcome has 2, 3, ... */
    attempt?: number;
    /**
     * A deliberate re-scan of an already admitted ticket: the right answer is 409. Kept apart so a
     * refused re-scan is not an error and an admitted one is a double admission.
     */
    rescan?: boolean;
}

/** Buys and scans change the database; lookups only read. */
export function isWrite(record: RequestRecord): boolean {
    return record.kind === "buy" || record.kind === "scan";
}

export function isSuccess(record: RequestRecord): boolean {
    return record.status >= 200 && record.status < 300;
}

/**
 * A 409 is the service answering a business rule (sold out, already admitted), not failing: the
 * service worked. Every other 4xx, every 5xx and every unanswered request counts as an error.
 */
export function isError(record: RequestRecord): boolean {
    return record.status === 0 || (record.status >= 400 && record.status !== 409);
}

/**
 * A write the service did not carry out for reasons of its own: no answer, a 5xx, or a 429 (shed).
 * These are what "seconds without successful writes" and "refused writes" count.
 */
export function isFailedWrite(record: RequestRecord): boolean {
    return isWrite(record) && (record.status === 0 || record.status >= 500 || record.status === 429);
}

/** The key errors are grouped by: the status, or "network" for no answer. */
export function errorKey(record: RequestRecord): string {
    return record.status === 0 ? "network" : String(record.status);
}

/** Counts errors by `errorKey`, keys in a stable order (network first, then by status). */
export function countErrors(records: Iterable<RequestRecord>): Record<string, number> {
    const counts = new Map<string, number>();
    for (const record of records) {
        if (!isError(record)) continue;
        const key = errorKey(record);
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const keys = [...counts.keys()].sort((a, b) =>
        a === "network" ? -1 : b === "network" ? 1 : Number(a) - Number(b),
    );
    return Object.fromEntries(keys.map((key) => [key, counts.get(key)!]));
}

/** `503×12 network×3`, or `-` when there are none. */
export function formatErrors(errors: Record<string, number>): string {
    const parts = Object.entries(errors).map(([key, count]) => `${key}×${count}`);
    return parts.length ? parts.join(" ") : "-";
}

/** The q-quantile (0..1) of unsorted values by nearest rank; undefined for none. */
export function quantile(values: number[], q: number): number | undefined {
    if (values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
}

export function latencyMs(record: RequestRecord): number {
    return record.endedAt - record.startedAt;
}
