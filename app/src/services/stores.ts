import type { Logger } from "pino";
import { Database, QueryResult, isUnavailable } from "../db/database";
import type { ReplicaSet } from "../db/replicas";

/** The writer and the read replicas (none in the embedded default). */
export class Stores {
    constructor(
        readonly writer: Database,
        readonly replicas?: ReplicaSet,
        private readonly logger?: Logger,
    ) {}

    /** The next healthy replica, or undefined when reads should go to the writer. */
    reader(): Database | undefined {
        return this.replicas?.pick();
    }

    /** A read on `reader` failed: a lost replica leaves the rotation until its next good sample. */
    readerFailed(reader: Database, error: unknown): void {
        if (isUnavailable(error)) this.replicas?.markFailed(reader, error);
        this.logger?.warn({ err: error }, "read replica query failed; using the writer");
    }

    /**
     * A read that may be slightly stale. It goes to a healthy replica when there is one and falls back
     * to the writer when it fails (a replica can also cancel a query that conflicts with recovery), so
     * a replica outage costs latency, not errors.
     */
    async read<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
        const reader = this.reader();
        if (!reader) return this.writer.query<R>(sql, params);
        try {
            return await reader.query<R>(sql, params);
        } catch (error) {
            this.readerFailed(reader, error);
            return this.writer.query<R>(sql, params);
        }
    }
}

export function iso(value: unknown): string {
    return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
