import type { Logger } from "pino";
import type Redis from "ioredis";

/**
 * - `read-write`: normal operation.
 * - `read-only`: writes are refused at once (503 read_only); for long or unplanned work on the writer.
 * - `hold`: a planned switchover. Writes wait (at most HOLD_MAX_MS) instead of being refused, and
 *   go ahead on fresh connections once the mode is back to read-write: buyers see a pause, not an error.
 */
export type Mode = "read-write" | "read-only" | "hold";
export const MODES: readonly Mode[] = ["read-write", "read-only", "hold"];

/**
 * What an instance believes: a known mode, or "unknown" while it has never managed to read the
 * shared one (Redis unreachable at start). Unknown refuses writes like read-only: an instance that
 * cannot tell whether the fleet is mid-switchover must not keep writing to the old writer.
 */
export type ModeState = Mode | "unknown";

/**
 * The switchover switch. With Redis every instance polls the shared key twice a second, so a
 * change reaches the whole fleet within a second; a Redis outage keeps the last known mode.
 */
export interface ModeStore {
    current(): ModeState;
    /** Sets the mode; resolves shared=false when it could only be applied to this instance. */
    set(mode: Mode): Promise<{ shared: boolean }>;
    /** Rejects when the shared store does not answer (readiness report); absent without one. */
    ping?(): Promise<void>;
    /** Calls `listener` on every change this instance sees, synchronously; returns the unsubscribe. */
    onChange(listener: ModeListener): () => void;
    close(): Promise<void>;
}

export type ModeListener = (from: ModeState, to: ModeState) => void;

/** The state and its change listeners, shared by both stores. */
class ModeCell {
    private readonly listeners = new Set<ModeListener>();
    constructor(public value: ModeState) {}

    change(to: ModeState): void {
        const from = this.value;
        if (from === to) return;
        this.value = to;
        for (const listener of this.listeners) listener(from, to);
    }

    subscribe(listener: ModeListener): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
}

export class LocalModeStore implements ModeStore {
    private readonly cell = new ModeCell("read-write");
    current(): ModeState {
        return this.cell.value;
    }
    async set(mode: Mode): Promise<{ shared: boolean }> {
        this.cell.change(mode);
        return { shared: true };
    }
    onChange(listener: ModeListener): () => void {
        return this.cell.subscribe(listener);
    }
    async close(): Promise<void> {}
}

/**
 * The mode in a Redis key (`boxoffice:<stack>:mode`). A missing key means read-write: a fresh
 * Redis (or one that lost its data) must not take the fleet read-only, and an operator who wants
 * read-only sets it explicitly. Until the first successful read the state is "unknown" (fails
 * closed); after that an outage keeps the last known mode.
 */
export class RedisModeStore implements ModeStore {
    private readonly cell = new ModeCell("unknown");
    /** Bumped by every local set(): a poll that started before it carries an older value. */
    private version = 0;
    private readonly timer: NodeJS.Timeout;

    constructor(
        private readonly redis: Pick<Redis, "get" | "set">,
        private readonly key: string,
        private readonly logger?: Logger,
        pollMs = 500,
    ) {
        this.timer = setInterval(() => void this.refresh(), pollMs);
        this.timer.unref();
    }

    /** Reads the shared mode now (also used once at start-up before serving). */
    async refresh(): Promise<void> {
        const started = this.version;
        try {
            const value = await this.redis.get(this.key);
            // An older read must not undo a set() that finished while it was in flight.
            if (this.version !== started) return;
            this.cell.change(value === "read-only" || value === "hold" ? value : "read-write");
        } catch (error) {
            this.logger?.debug({ err: error }, "mode refresh failed; keeping the last known mode");
        }
    }

    current(): ModeState {
        return this.cell.value;
    }

    onChange(listener: ModeListener): () => void {
        return this.cell.subscribe(listener);
    }

    /** Reading the key is the probe: it is what every instance depends on Redis for. */
    async ping(): Promise<void> {
        await this.redis.get(this.key);
    }

    async set(mode: Mode): Promise<{ shared: boolean }> {
        this.version++;
        this.cell.change(mode);
        try {
            await this.redis.set(this.key, mode);
            return { shared: true };
        } catch (error) {
            this.logger?.warn({ err: error }, "could not share the mode through Redis");
            return { shared: false };
        }
    }

    async close(): Promise<void> {
        clearInterval(this.timer);
    }
}
