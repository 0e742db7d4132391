import type { Logger } from "pino";
import type { Database } from "./db/database";
import type { Mailer } from "./mail/mailer";
import { iso } from "./services/stores";

export interface OutboxWorkerOptions {
  from: string;
  /** Public base URL for ticket QR links in the e-mail, e.g. https://tickets.example.com */
  publicUrl?: string;
  batchSize?: number;
  idlePollMs?: number;
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

export async function countBacklog(db: Database): Promise<number> {
  const result = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
  );
  return Number(result.rows[0].n);
}

/**
 * Sends order confirmations from the outbox. Rows are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of workers share the queue without sending a row twice at the same time; a crash between
 * sending and marking sent means one resend (at least once), which the stable Message-ID and the
 * file name per order make recognisable as the same message.
 */
export class OutboxWorker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly db: Database,
    private readonly mailer: Mailer,
    private readonly options: OutboxWorkerOptions,
  ) {}

  /** Sends one batch; returns how many rows it handled (sent or rescheduled). */
  async runOnce(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due = await tx.query<OutboxRow>(
        `SELECT x.id, x.order_id, x.attempts, o.email, o.quantity, o.amount_cents, e.name AS event_name, e.starts_at
         FROM outbox x JOIN orders o ON o.id = x.order_id JOIN events e ON e.id = o.event_id
         WHERE x.sent_at IS NULL AND x.failed_at IS NULL AND x.next_attempt_at <= now()
         ORDER BY x.next_attempt_at, x.id
         LIMIT $1
         FOR UPDATE OF x SKIP LOCKED`,
        [this.options.batchSize ?? 20],
      );
      for (const row of due.rows) {
        const tickets = await tx.query<{ id: string }>("SELECT id FROM tickets WHERE order_id = $1 ORDER BY id", [row.order_id]);
        try {
          await this.mailer.send({
            id: `order-${row.order_id}`,
            to: row.email,
            from: this.options.from,
            subject: `Your tickets for ${row.event_name}`,
            text: this.body(row, tickets.rows.map((ticket) => ticket.id)),
          });
          await tx.query("UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1", [row.id]);
        } catch (error) {
          const attempts = Number(row.attempts) + 1;
          const giveUp = attempts >= MAX_SEND_ATTEMPTS;
          const log = { err: error, orderId: row.order_id, attempts };
          if (giveUp) this.options.logger?.error(log, "confirmation given up after the last attempt");
          else this.options.logger?.warn(log, "confirmation not sent; will retry");
          await tx.query(
            `UPDATE outbox SET attempts = $2, last_error = $3,
               next_attempt_at = now() + make_interval(secs => $4),
               failed_at = CASE WHEN $5 THEN now() END
             WHERE id = $1`,
            [row.id, attempts, String((error as Error)?.message ?? error).slice(0, 500), backoffSeconds(attempts), giveUp],
          );
        }
      }
      return due.rows.length;
    });
  }

  private body(row: OutboxRow, ticketIds: string[]): string {
    const base = (this.options.publicUrl ?? "").replace(/\/$/, "");
    const lines = ticketIds.map((id) => `  ${base}/tickets/${id}/qr.svg`);
    return [
      `Thank you for your order ${row.order_id}.`,
      "",
      `Event: ${row.event_name}, ${iso(row.starts_at)}`,
      `Tickets: ${row.quantity}, total ${(Number(row.amount_cents) / 100).toFixed(2)}`,
      "",
      "Show one of these QR codes at the gate:",
      ...lines,
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
