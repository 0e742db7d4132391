import { HttpError } from "./errors";
import type { ModeStore } from "./mode-store";

/** How long clients should wait before retrying a write refused in read-only mode or after a hold. */
export const WRITE_RETRY_AFTER_SECONDS = 5;
export const DEFAULT_HOLD_MAX_MS = 10_000;
/** How often a held write looks at the mode (a local read; the shared mode is polled twice a second). */
const HOLD_POLL_MS = 50;

/**
 * Every write request (purchase, check-in, event creation) goes through here:
 * - read-write: it runs, and is counted while it runs (`inFlight`);
 * - read-only, or mode unknown: refused at once, `503 read_only` with Retry-After;
 * - hold: it waits, without holding a database connection, until the mode changes: back to
 *   read-write it runs (the writer's pool was reset on that change, so on fresh connections), to
 *   read-only it is refused; after `holdMaxMs` it gets `503 on_hold`.
 * A write already running when a hold starts is not interrupted; an operator moves the writer once
 * `inFlight` is 0 on every instance.
 */
export class WriteGate {
    inFlight = 0;
    held = 0;

    constructor(
        private readonly mode: ModeStore,
        private readonly holdMaxMs = DEFAULT_HOLD_MAX_MS,
    ) {}

    async run<T>(write: () => Promise<T>): Promise<T> {
        await this.admit();
        try {
            return await write();
        } finally {
            this.inFlight--;
        }
    }

    /** Resolves with the write counted in `inFlight` (checked and counted in one step), or throws. */
    private async admit(): Promise<void> {
        const giveUpAt = Date.now() + this.holdMaxMs;
        let holding = false;
        try {
            for (;;) {
                const current = this.mode.current();
                if (current === "read-write") {
                    this.inFlight++;
                    return;
                }
                if (current !== "hold") throw refused(current);
                if (Date.now() >= giveUpAt) {
                    throw new HttpError(
                        503,
                        "on_hold",
                        "a planned database switchover is taking longer than expected; retry shortly",
                        {},
                        { "retry-after": String(WRITE_RETRY_AFTER_SECONDS) },
                    );
                }
                if (!holding) {
                    holding = true;
                    this.held++;
                }
                await new Promise((resolve) => setTimeout(resolve, HOLD_POLL_MS));
            }
        } finally {
            if (holding) this.held--;
        }
    }
}

function refused(current: string): HttpError {
    return new HttpError(
        503,
        "read_only",
        current === "read-only"
            ? "the service is in read-only mode (database switchover); retry shortly"
            : "the service mode is not known yet (shared mode store unreachable); retry shortly",
        {},
        { "retry-after": String(WRITE_RETRY_AFTER_SECONDS) },
    );
}
