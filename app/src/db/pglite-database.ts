import type { PGlite } from "@electric-sql/pglite";
import { Database, QueryResult, Queryable } from "./database";

/**
 * PGlite has a single connection. A plain query issued while another caller's transaction is open
 * would run inside that transaction, so every statement and transaction here takes one lock.
 */
export class PGliteDatabase implements Database {
    readonly kind = "pglite" as const;
    private tail: Promise<unknown> = Promise.resolve();

    constructor(
        readonly pglite: PGlite,
        private readonly ownsInstance = true,
    ) {}

    static async open(dataDir?: string): Promise<PGliteDatabase> {
        const { PGlite } = await import("@electric-sql/pglite");
        return new PGliteDatabase(await PGlite.create(dataDir ? { dataDir } : undefined));
    }

    private exclusive<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.tail.then(fn, fn);
        this.tail = run.catch(() => undefined);
        return run;
    }

    query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
        return this.exclusive(async () => {
            const result = await this.pglite.query<R>(sql, params);
            return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
        });
    }

    exec(sql: string): Promise<void> {
        return this.exclusive(async () => {
            await this.pglite.exec(sql);
        });
    }

    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
        return this.exclusive(() =>
            this.pglite.transaction(async (inner) => {
                const tx: Queryable = {
                    async query<R>(sql: string, params?: unknown[]) {
                        const result = await inner.query<R>(sql, params);
                        return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
                    },
                };
                return fn(tx);
            }),
        );
    }

    async close(): Promise<void> {
        if (this.ownsInstance) await this.exclusive(() => this.pglite.close());
    }
}
