import { sleep } from "./db/database";

/**
 * A confirmation that was sent must be marked sent, or its lease runs out and it is sent again: a
 * duplicate e-mail. A database failover between the send and the mark is exactly that window, so
 * the mark (idempotent: `WHERE sent_at IS NULL`) is retried on any error — lost connection, a
 * writer being promoted, a query that timed out on a cut-off host — for as long as the row's lease
 * leaves room. Only when the lease is nearly over does the worker give up and accept the resend.
 */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2000;
/** Stop retrying this long before the lease ends: another worker may claim the row after it. */
export const LEASE_MARGIN_MS = 5000;

export async function markWithRetry(
    mark: () => Promise<unknown>,
    leaseEndsAt: number,
    onRetry?: (error: unknown) => void,
): Promise<void> {
    for (let delay = FIRST_DELAY_MS; ; delay = Math.min(MAX_DELAY_MS, delay * 2)) {
        try {
            await mark();
            return;
        } catch (error) {
            if (Date.now() + delay >= leaseEndsAt - LEASE_MARGIN_MS) throw error;
            onRetry?.(error);
            await sleep(delay);
        }
    }
}
