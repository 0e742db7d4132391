import type { Logger } from "pino";
import type { Database, QueryResult } from "../db/database";

/** The writer and the optional read replica endpoint. */
export class Stores {
  constructor(
    readonly writer: Database,
    readonly reader?: Database,
    private readonly logger?: Logger,
  ) {}

  /**
   * A read that may be slightly stale. It goes to the replicas when configured and falls back to the
   * writer when they fail, so a replica outage costs latency, not errors.
   */
  async read<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (!this.reader) return this.writer.query<R>(sql, params);
    try {
      return await this.reader.query<R>(sql, params);
    } catch (error) {
      this.logger?.warn({ err: error }, "read replica query failed; using the writer");
      return this.writer.query<R>(sql, params);
    }
  }
}

export function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
