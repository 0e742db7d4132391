import type { Logger } from "pino";
import type Redis from "ioredis";

export type Mode = "read-write" | "read-only";

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
  close(): Promise<void>;
}

export class LocalModeStore implements ModeStore {
  private mode: Mode = "read-write";
  current(): ModeState {
    return this.mode;
  }
  async set(mode: Mode): Promise<{ shared: boolean }> {
    this.mode = mode;
    return { shared: true };
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
  private mode: ModeState = "unknown";
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
      this.mode = value === "read-only" ? "read-only" : "read-write";
    } catch (error) {
      this.logger?.debug({ err: error }, "mode refresh failed; keeping the last known mode");
    }
  }

  current(): ModeState {
    return this.mode;
  }

  /** Reading the key is the probe: it is what every instance depends on Redis for. */
  async ping(): Promise<void> {
    await this.redis.get(this.key);
  }

  async set(mode: Mode): Promise<{ shared: boolean }> {
    this.version++;
    this.mode = mode;
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
