import { createHash, randomUUID } from "node:crypto";
import type { Database, Queryable } from "../db/database";
import { isRetryable, sleep, sqlState } from "../db/database";
import { replicationBarrier } from "../db/sync-commit";
import { HttpError } from "../errors";
import type { TicketSigner } from "../tickets/codes";
import { Stores, iso } from "./stores";

export interface PurchaseInput {
  idempotencyKey: string;
  eventId: string;
  ticketTypeId: string;
  quantity: number;
  email: string;
}

export interface OrderView {
  id: string;
  status: "confirmed";
  eventId: string;
  ticketTypeId: string;
  quantity: number;
  amountCents: number;
  email: string;
  createdAt: string;
  tickets: Array<{ id: string; code: string }>;
}

/**
 * The purchase statements, in order. Exported so the benchmark's raw-SQL loop runs exactly these.
 * The guarded counter update comes last: the hot ticket_types row is locked only for the few
 * milliseconds between it and COMMIT, and availability is never read before it is written.
 */
export const PURCHASE_SQL = {
  claimKey: `INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO NOTHING RETURNING order_id`,
  insertOrder: `INSERT INTO orders (id, event_id, ticket_type_id, email, quantity, amount_cents)
                SELECT $1, t.event_id, t.id, $4, $5, t.price_cents * $5
                FROM ticket_types t WHERE t.id = $3 AND t.event_id = $2
                RETURNING amount_cents, created_at`,
  insertOutbox: `INSERT INTO outbox (order_id, kind) VALUES ($1, 'order_confirmation')`,
  takeSeats: `UPDATE ticket_types SET sold = sold + $2 WHERE id = $1 AND sold + $2 <= capacity RETURNING sold`,
  /** A write that changes nothing: its commit waits for the synchronous standby (replicationBarrier). */
  touchKey: `UPDATE idempotency_keys SET request_hash = request_hash WHERE key = $1`,
};

export function ticketInsertSql(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => `($${i * 2 + 1}, $${count * 2 + 1}, $${count * 2 + 2}, $${i * 2 + 2})`);
  return `INSERT INTO tickets (id, event_id, order_id, code) VALUES ${rows.join(", ")}`;
}

export function requestHash(input: PurchaseInput): string {
  return createHash("sha256")
    .update(JSON.stringify([input.eventId, input.ticketTypeId, input.quantity, input.email]))
    .digest("hex");
}

class SoldOut extends Error {}
class UnknownTicketType extends Error {}

const MAX_ATTEMPTS = 6;

/**
 * One transaction: idempotency record, order, tickets, outbox row, guarded counter update. Retried
 * whole on serialization and connection errors with the same key, so an attempt that did commit
 * before its connection died is found through the key instead of being sold twice.
 */
export async function purchase(
  writer: Database,
  signer: TicketSigner,
  input: PurchaseInput,
  onRetry?: () => void,
): Promise<{ created: boolean; order: OrderView }> {
  const hash = requestHash(input);
  // Every order id this call has tried to create. A retry that finds one of them under the key is
  // the creating request whose COMMIT answer was lost (201); any other id was made by a racing
  // request with the same key (200), also when this call is on its second attempt.
  const ourOrderIds = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    try {
      const orderId = randomUUID();
      ourOrderIds.add(orderId);
      const order = await writer.transaction((tx) => attemptPurchase(tx, signer, input, hash, orderId));
      if (order) return { created: true, order };
      const existing = await orderForKey(writer, input.idempotencyKey);
      if (!existing || existing.hash !== hash) {
        throw new HttpError(422, "idempotency_mismatch", "this Idempotency-Key was used with a different request");
      }
      // Found, not made, by this attempt: its commit may not be on the standby yet (see sync-commit.ts).
      await replicationBarrier(writer, { sql: PURCHASE_SQL.touchKey, params: [input.idempotencyKey] });
      return { created: ourOrderIds.has(existing.order.id), order: existing.order };
    } catch (error) {
      if (error instanceof SoldOut || sqlState(error) === "23514") {
        throw new HttpError(409, "sold_out", "not enough tickets left for this ticket type");
      }
      if (error instanceof UnknownTicketType) {
        throw new HttpError(404, "not_found", "no such ticket type for this event");
      }
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      onRetry?.();
      await sleep(Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

async function attemptPurchase(
  tx: Queryable,
  signer: TicketSigner,
  input: PurchaseInput,
  hash: string,
  orderId: string,
): Promise<OrderView | undefined> {
  // A concurrent request with the same key blocks here until that one commits or rolls back.
  const claimed = await tx.query(PURCHASE_SQL.claimKey, [input.idempotencyKey, hash, orderId]);
  if (claimed.rowCount === 0) return undefined;
  const inserted = await tx.query<{ amount_cents: number; created_at: Date }>(PURCHASE_SQL.insertOrder, [
    orderId,
    input.eventId,
    input.ticketTypeId,
    input.email,
    input.quantity,
  ]);
  if (inserted.rowCount === 0) throw new UnknownTicketType();
  const tickets = Array.from({ length: input.quantity }, () => {
    const id = randomUUID();
    return { id, code: signer.issue(input.eventId, id) };
  }).sort((a, b) => (a.id < b.id ? -1 : 1)); // the order every read returns them in
  await tx.query(ticketInsertSql(tickets.length), [
    ...tickets.flatMap((ticket) => [ticket.id, ticket.code]),
    input.eventId,
    orderId,
  ]);
  await tx.query(PURCHASE_SQL.insertOutbox, [orderId]);
  const seats = await tx.query(PURCHASE_SQL.takeSeats, [input.ticketTypeId, input.quantity]);
  if (seats.rowCount === 0) throw new SoldOut();
  return {
    id: orderId,
    status: "confirmed",
    eventId: input.eventId,
    ticketTypeId: input.ticketTypeId,
    quantity: input.quantity,
    amountCents: Number(inserted.rows[0].amount_cents),
    email: input.email,
    createdAt: iso(inserted.rows[0].created_at),
    tickets,
  };
}

interface OrderRow {
  id: string;
  event_id: string;
  ticket_type_id: string;
  email: string;
  quantity: number;
  amount_cents: number;
  status: string;
  created_at: Date;
}

const ORDER_COLUMNS = "o.id, o.event_id, o.ticket_type_id, o.email, o.quantity, o.amount_cents, o.status, o.created_at";

async function orderForKey(writer: Database, key: string): Promise<{ hash: string; order: OrderView } | undefined> {
  const found = await writer.query<OrderRow & { request_hash: string }>(
    `SELECT i.request_hash, ${ORDER_COLUMNS} FROM idempotency_keys i JOIN orders o ON o.id = i.order_id WHERE i.key = $1`,
    [key],
  );
  if (found.rowCount === 0) return undefined;
  return { hash: found.rows[0].request_hash, order: await withTickets(writer, found.rows[0]) };
}

async function withTickets(db: Pick<Database, "query">, row: OrderRow): Promise<OrderView> {
  const tickets = await db.query<{ id: string; code: string }>(
    "SELECT id, code FROM tickets WHERE order_id = $1 ORDER BY id",
    [row.id],
  );
  return {
    id: row.id,
    status: "confirmed",
    eventId: row.event_id,
    ticketTypeId: row.ticket_type_id,
    quantity: Number(row.quantity),
    amountCents: Number(row.amount_cents),
    email: row.email,
    createdAt: iso(row.created_at),
    tickets: tickets.rows.map((ticket) => ({ id: ticket.id, code: ticket.code })),
  };
}

/** Reads an order, from a replica first and the writer when the replica has not caught up yet. */
export async function getOrder(stores: Stores, id: string): Promise<OrderView | undefined> {
  for (const db of stores.reader ? [stores.reader, stores.writer] : [stores.writer]) {
    try {
      const found = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [id]);
      if (found.rowCount > 0) return await withTickets(db, found.rows[0]);
    } catch (error) {
      if (db === stores.writer) throw error;
    }
  }
  return undefined;
}
