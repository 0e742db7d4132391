import type { Logger } from "pino";
import type { Database } from "./database";

/**
 * Seconds the replica is behind, measured on the replica itself. A replica that has replayed all
 * the WAL it received is current, however long ago the last write was: without that first test an
 * idle writer (no purchases before an on-sale opens, say) would look like growing lag and send all
 * the browsing to the writer exactly when it should not. Not a replica at all (a second pool on the
 * writer, a promoted replica): 0.
 */
export const LAG_SQL = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
  END::float8 AS lag_seconds`;

export async function measureLag(db: Database): Promise<number> {
    const result = await db.query<{ lag_seconds: number }>(LAG_SQL);
    return Number(result.rows[0].lag_seconds);
}

export interface ReplicaSetOptions {
    /** A replica further behind than this gets no reads. @default 5 */
    maxLagSeconds?: number;
    /** How often each replica's lag is sampled. @default 1000 */
    sampleIntervalMs?: number;
    /** A sample that takes longer counts as a failure. @default 1000 */
    sampleTimeoutMs?: number;
    /** Injected in tests. */
    measure?: (db: Database) => Promise<number>;
    now?: () => number;
    logger?: Logger;
}

export interface ReplicaStatus {
    status: "up" | "lagging" | "down";
    lagSeconds?: number;
    /** Milliseconds since the last successful sample. */
    sampledAgoMs?: number;
    error?: string;
}

interface Replica {
    db: Database;
    lagSeconds?: number;
    sampledAt?: number;
    /** Set by a failed sample or a failed read; cleared by the next good sample. */
    failure?: string;
}

function codeOf(error: unknown): string {
    const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : error instanceof SampleTimeout ? "timeout" : "error";
}

class SampleTimeout extends Error {}

/**
 * The read replicas: reads go round-robin over those that answered the last lag sample within the
 * bound, and to the writer when none does. Lag is sampled in the background (one small query per
 * replica per second), never per read. A read that fails on a replica marks it down at once, so
 * the next reads skip it until a sample finds it healthy again.
 */
export class ReplicaSet {
    private readonly replicas: Replica[];
    private next = 0;
    private timer?: NodeJS.Timeout;
    private readonly maxLagSeconds: number;
    private readonly sampleIntervalMs: number;
    private readonly sampleTimeoutMs: number;
    private readonly measure: (db: Database) => Promise<number>;
    private readonly now: () => number;

    constructor(
        readers: Database[],
        private readonly options: ReplicaSetOptions = {},
    ) {
        this.replicas = readers.map((db) => ({ db }));
        this.maxLagSeconds = options.maxLagSeconds ?? 5;
        this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
        this.sampleTimeoutMs = options.sampleTimeoutMs ?? 1000;
        this.measure = options.measure ?? measureLag;
        this.now = options.now ?? Date.now;
    }

    get size(): number {
        return this.replicas.length;
    }

    /** Samples every replica now; then keeps sampling in the background until stop(). */
    async start(): Promise<void> {
        await this.sample();
        if (this.timer || this.replicas.length === 0) return;
        this.timer = setInterval(() => void this.sample(), this.sampleIntervalMs);
        this.timer.unref();
    }

    stop(): void {
        clearInterval(this.timer);
        this.timer = undefined;
    }

    async sample(): Promise<void> {
        await Promise.all(this.replicas.map((replica) => this.sampleOne(replica)));
    }

    private async sampleOne(replica: Replica): Promise<void> {
        let timer: NodeJS.Timeout | undefined;
        try {
            const lag = await Promise.race([
                this.measure(replica.db),
                new Promise<never>((_, reject) => {
                    timer = setTimeout(() => reject(new SampleTimeout()), this.sampleTimeoutMs);
                }),
            ]);
            replica.lagSeconds = Math.max(0, lag);
            replica.sampledAt = this.now();
            replica.failure = undefined;
        } catch (error) {
            if (replica.failure === undefined)
                this.options.logger?.warn({ err: error }, "read replica sample failed; its reads go elsewhere");
            replica.failure = codeOf(error);
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * Up: the last sample succeeded, is recent (a sampler that stopped getting answers must not keep
     * a replica in rotation on an old reading), and found the lag within the bound.
     */
    private state(replica: Replica): ReplicaStatus["status"] {
        if (replica.failure !== undefined || replica.sampledAt === undefined) return "down";
        if (this.now() - replica.sampledAt > 3 * this.sampleIntervalMs + this.sampleTimeoutMs) return "down";
        return replica.lagSeconds! <= this.maxLagSeconds ? "up" : "lagging";
    }

    /** The next healthy replica in turn, or undefined (read from the writer). */
    pick(): Database | undefined {
        for (let i = 0; i < this.replicas.length; i++) {
            const replica = this.replicas[(this.next + i) % this.replicas.length];
            if (this.state(replica) === "up") {
                this.next = (this.next + i + 1) % this.replicas.length;
                return replica.db;
            }
        }
        return undefined;
    }

    /** A read failed on this replica: no more reads until a sample finds it healthy. */
    markFailed(db: Database, error: unknown): void {
        const replica = this.replicas.find((candidate) => candidate.db === db);
        if (replica) replica.failure = codeOf(error);
    }

    status(): ReplicaStatus[] {
        return this.replicas.map((replica) => ({
            status: this.state(replica),
            lagSeconds: replica.lagSeconds,
            sampledAgoMs: replica.sampledAt === undefined ? undefined : this.now() - replica.sampledAt,
            error: replica.failure,
        }));
    }

    async close(): Promise<void> {
        this.stop();
        for (const replica of this.replicas) await replica.db.close();
    }
}
