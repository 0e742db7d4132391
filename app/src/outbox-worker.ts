import type { Logger } from "pino";
import type { Database } from "./db/database";
import QRCode from "qrcode";
import type { MailAttachment, Mailer } from "./mail/mailer";
import { markWithRetry } from "./outbox-mark";
import { iso } from "./services/stores";

export interface OutboxWorkerOptions {
    from: string;
    /** Rows claimed per batch. @default 20 */
    batchSize?: number;
    idlePollMs?: number;
    /**
     * How long a claimed row stays hidden from other workers. A worker that dies mid-batch delays its
     * rows by this much; it must exceed one send's timeout. @default 60000
     */
    leaseMs?: number;
    /** A send that has not finished by then counts as failed (retried with backoff). @default 15000 */
    sendTimeoutMs?: number;
    logger?: Logger;
}

interface OutboxRow {
    id: number | string;
    order_id: string;
    attempts: number;
    email: string;
    quantity: number;
    amount_cents: number;
    event_name: string;
    starts_at: Date;
}

/** After this many failed sends (about 4.5 hours of retrying) a confirmation is given up. */
export const MAX_SEND_ATTEMPTS = 12;

/** Exponential backoff, capped at an hour: 10 s, 20 s, 40 s, ... */
export function backoffSeconds(attempts: number): number {
    return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}

/** Unsent rows that have not been given up, claimed (in flight) or not. */
export async function countBacklog(db: Database): Promise<number> {
    const result = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    );
    return Number(result.rows[0].n);
}

/**
 * Claims due rows for leaseMs: one statement, so its transaction lasts milliseconds. SKIP LOCKED
 * lets concurrent workers pass over each other's rows instead of waiting; once this commits the
 * pushed-back next_attempt_at hides the rows from every other worker until the lease runs out.
 */
const CLAIM_SQL = `
  UPDATE outbox x SET next_attempt_at = now() + make_interval(secs => $2)
  FROM orders o JOIN events e ON e.id = o.event_id
  WHERE o.id = x.order_id
    AND x.id IN (SELECT id FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                 ORDER BY next_attempt_at, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
  RETURNING x.id, x.order_id, x.attempts, o.email, o.quantity, o.amount_cents, e.name AS event_name, e.starts_at`;

/** `sent_at IS NULL`: after a lease ran out, another worker may have sent and marked it already. */
const MARK_SENT_SQL = `UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
                       WHERE id = $1 AND sent_at IS NULL`;

const MARK_FAILED_SQL = `UPDATE outbox SET attempts = $2, last_error = $3,
                           next_attempt_at = now() + make_interval(secs => $4),
                           failed_at = CASE WHEN $5 THEN now() END
                         WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL`;

/** Claimed rows the worker will not get to within their lease go back to the queue at once. */
const RELEASE_SQL = "UPDATE outbox SET next_attempt_at = now() WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL";

class SendTimeout extends Error {}

/**
 * The tickets travel in the e-mail itself, as QR images, rather than as links: a link would need
 * the order secret in its URL, and load balancer access logs record every URL.
 */
async function ticketImages(codes: string[]): Promise<MailAttachment[]> {
    return Promise.all(
        codes.map(async (code, index) => ({
            filename: `ticket-${index + 1}.png`,
            contentType: "image/png",
            content: await QRCode.toBuffer(code, { type: "png", errorCorrectionLevel: "M", margin: 2, scale: 8 }),
        })),
    );
}

/**
 * Sends order confirmations from the outbox: claim a batch under a lease (a short transaction),
 * send outside any transaction, then mark each row in its own statement. A slow mail provider thus
 * never holds a transaction open (idle_in_transaction_session_timeout would roll back the marks
 * and resend) and never blocks the embedded single-connection PGlite. Delivery is at least once:
 * a worker that dies after sending, or a lease that runs out, means one resend, which the stable
 * Message-ID and the file name per order make recognisable as the same message.
 */
export class OutboxWorker {
    private running = false;
    private loop?: Promise<void>;
    private wake?: () => void;
    private readonly leaseMs: number;
    private readonly sendTimeoutMs: number;

    constructor(
        private readonly db: Database,
        private readonly mailer: Mailer,
        private readonly options: OutboxWorkerOptions,
    ) {
        this.leaseMs = options.leaseMs ?? 60_000;
        this.sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
        if (this.sendTimeoutMs >= this.leaseMs) {
            throw new Error(
                `OutboxWorker: sendTimeoutMs (${this.sendTimeoutMs}) must be shorter than leaseMs (${this.leaseMs})`,
            );
        }
    }

    /** Sends one batch; returns how many rows it claimed (sent, rescheduled or handed back). */
    async runOnce(): Promise<number> {
        const claimedAt = Date.now();
        const claimed = await this.db.query<OutboxRow>(CLAIM_SQL, [this.options.batchSize ?? 20, this.leaseMs / 1000]);
        for (const [index, row] of claimed.rows.entries()) {
            // Do not start a send that could outlive the lease: another worker may take the row then.
            if (Date.now() - claimedAt + this.sendTimeoutMs > this.leaseMs) {
                await this.release(claimed.rows.slice(index));
                break;
            }
            await this.deliver(row, claimedAt + this.leaseMs);
        }
        return claimed.rows.length;
    }

    private async deliver(row: OutboxRow, leaseEndsAt: number): Promise<void> {
        try {
            const tickets = await this.db.query<{ code: string }>(
                "SELECT code FROM tickets WHERE order_id = $1 ORDER BY id",
                [row.order_id],
            );
            await this.sendWithTimeout({
                id: `order-${row.order_id}`,
                to: row.email,
                from: this.options.from,
                subject: `Your tickets for ${row.event_name}`,
                text: this.body(row, tickets.rows.length),
                attachments: await ticketImages(tickets.rows.map((ticket) => ticket.code)),
            });
        } catch (error) {
            await this.markFailed(row, error);
            return;
        }
        try {
            await markWithRetry(
                () => this.db.query(MARK_SENT_SQL, [row.id]),
                leaseEndsAt,
                (error) =>
                    this.options.logger?.warn(
                        { err: error, outboxId: Number(row.id) },
                        "marking a sent confirmation failed; retrying",
                    ),
            );
        } catch (error) {
            // Sent but not marked: the lease runs out and the row is sent again (at least once).
            this.options.logger?.error(
                { err: error, outboxId: Number(row.id) },
                "confirmation sent but not marked sent; it will be resent",
            );
        }
    }

    private async sendWithTimeout(message: Parameters<Mailer["send"]>[0]): Promise<void> {
        const controller = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        try {
            await Promise.race([
                this.mailer.send(message, { signal: controller.signal }),
                new Promise<never>((_, reject) => {
                    timer = setTimeout(() => {
                        // Settle the race first: an aborted mailer rejects at once, with a vaguer reason.
                        reject(new SendTimeout(`send timed out after ${this.sendTimeoutMs} ms`));
                        controller.abort();
                    }, this.sendTimeoutMs);
                }),
            ]);
        } finally {
            clearTimeout(timer);
        }
    }

    private async markFailed(row: OutboxRow, error: unknown): Promise<void> {
        const attempts = Number(row.attempts) + 1;
        const giveUp = attempts >= MAX_SEND_ATTEMPTS;
        const log = { err: error, outboxId: Number(row.id), attempts };
        if (giveUp) this.options.logger?.error(log, "confirmation given up after the last attempt");
        else this.options.logger?.warn(log, "confirmation not sent; will retry");
        try {
            await this.db.query(MARK_FAILED_SQL, [
                row.id,
                attempts,
                String((error as Error)?.message ?? error).slice(0, 500),
                backoffSeconds(attempts),
                giveUp,
            ]);
        } catch (markError) {
            // Unmarked, the row comes back when its lease runs out: one more attempt, not a lost mail.
            this.options.logger?.error(
                { err: markError, outboxId: Number(row.id) },
                "could not record the failed send",
            );
        }
    }

    private async release(rows: OutboxRow[]): Promise<void> {
        for (const row of rows) {
            try {
                await this.db.query(RELEASE_SQL, [row.id]);
            } catch (error) {
                this.options.logger?.warn(
                    { err: error, outboxId: Number(row.id) },
                    "could not hand a claimed row back; it waits for its lease",
                );
            }
        }
    }

    private body(row: OutboxRow, tickets: number): string {
        return [
            `Thank you for your order ${row.order_id}.`,
            "",
            `Event: ${row.event_name}, ${iso(row.starts_at)}`,
            `Tickets: ${row.quantity}, total ${(Number(row.amount_cents) / 100).toFixed(2)}`,
            "",
            `Your ${tickets === 1 ? "ticket is" : `${tickets} tickets are`} attached as QR codes (ticket-1.png, ...).`,
            "Show one per person at the gate; each admits once. Do not share them.",
            "",
        ].join("\n");
    }

    start(): void {
        if (this.running) return;
        this.running = true;
        this.loop = (async () => {
            while (this.running) {
                let handled = 0;
                try {
                    handled = await this.runOnce();
                } catch (error) {
                    this.options.logger?.error({ err: error }, "outbox batch failed");
                }
                // A full batch means more is waiting: go again at once; otherwise poll.
                if (handled === 0 && this.running) await this.idle();
            }
        })();
    }

    private idle(): Promise<void> {
        return new Promise((resolve) => {
            const timer = setTimeout(resolve, this.options.idlePollMs ?? 1000);
            this.wake = () => {
                clearTimeout(timer);
                resolve();
            };
        });
    }

    /** Stops after the batch in progress (a send is never cut off halfway). */
    async stop(): Promise<void> {
        this.running = false;
        this.wake?.();
        await this.loop;
    }
}
