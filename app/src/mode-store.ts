import type { Logger } from "pino";
import type Redis from "ioredis";

export type Mode = "read-write" | "read-only";

/**
 * The switchover switch. With Redis every instance polls the shared key twice a second, so a
 * change reaches the whole fleet within a second; a Redis outage keeps the last known mode.
 */
export interface ModeStore {
  current(): Mode;
  /** Sets the mode; resolves shared=false when it could only be applied to this instance. */
  set(mode: Mode): Promise<{ shared: boolean }>;
  close(): Promise<void>;
}

export class LocalModeStore implements ModeStore {
  private mode: Mode = "read-write";
  current(): Mode {
    return this.mode;
  }
  async set(mode: Mode): Promise<{ shared: boolean }> {
    this.mode = mode;
    return { shared: true };
  }
  async close(): Promise<void> {}
}

export class RedisModeStore implements ModeStore {
  private mode: Mode = "read-write";
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly logger?: Logger,
    pollMs = 500,
  ) {
    this.timer = setInterval(() => void this.refresh(), pollMs);
    this.timer.unref();
  }

  /** Reads the shared mode now (also used once at start-up before serving). */
  async refresh(): Promise<void> {
    try {
      const value = await this.redis.get(this.key);
      this.mode = value === "read-only" ? "read-only" : "read-write";
    } catch (error) {
      this.logger?.debug({ err: error }, "mode refresh failed; keeping the last known mode");
    }
  }

  current(): Mode {
    return this.mode;
  }

  async set(mode: Mode): Promise<{ shared: boolean }> {
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
