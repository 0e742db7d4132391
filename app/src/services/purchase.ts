import { createHash, randomUUID } from "node:crypto";
import type { Database, Queryable } from "../db/database";
import { isRetryable, sleep, sqlState } from "../db/database";
import { replicationBarrier } from "../db/sync-commit";
import { HttpError } from "../errors";
import type { TicketSigner } from "../tickets/codes";
import { issueSecret, unsealSecret } from "./order-secret";
import { iso } from "./stores";

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
    /**
     * The order secret, only in the purchase answer (and its replays): the buyer's proof for
     * `GET /orders/:id` and the ticket QR codes. Absent on a replay of an order sealed under an
     * earlier signing key.
     */
    secret?: string;
}

/**
 * The purchase statements, in order. Exported so the benchmark's raw-SQL loop runs exactly these.
 * The guarded counter update comes last: the hot ticket_types row is locked only for the few
 * milliseconds between it and COMMIT, and availability is never read before it is written.
 */
export const PURCHASE_SQL = {
    claimKey: `INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO NOTHING RETURNING order_id`,
    // Sales close when the event starts: no row here is either an unknown type or a started event.
    insertOrder: `INSERT INTO orders (id, event_id, ticket_type_id, email, quantity, amount_cents, access_hash, access_sealed)
                SELECT $1, t.event_id, t.id, $4, $5, t.price_cents * $5, $6, $7
                FROM ticket_types t JOIN events e ON e.id = t.event_id
                WHERE t.id = $3 AND t.event_id = $2 AND e.starts_at > now()
                RETURNING amount_cents, created_at,
                  -- The event's open waiting room, if any, for the admission guard: no extra round trip.
                  (SELECT w.room_id FROM waiting_rooms w WHERE w.event_id = $2 AND w.opens_at IS NOT NULL) AS open_room_id`,
    ticketTypeExists: "SELECT 1 FROM ticket_types WHERE id = $1 AND event_id = $2",
    insertOutbox: `INSERT INTO outbox (order_id, kind) VALUES ($1, 'order_confirmation')`,
    takeSeats: `UPDATE ticket_types SET sold = sold + $2 WHERE id = $1 AND sold + $2 <= capacity RETURNING sold`,
    /** A write that changes nothing: its commit waits for the synchronous standby (replicationBarrier). */
    touchKey: `UPDATE idempotency_keys SET request_hash = request_hash WHERE key = $1`,
};

export function ticketInsertSql(count: number): string {
    const rows = Array.from(
        { length: count },
        (_, i) => `($${i * 2 + 1}, $${count * 2 + 1}, $${count * 2 + 2}, $${i * 2 + 2})`,
    );
    return `INSERT INTO tickets (id, event_id, order_id, code) VALUES ${rows.join(", ")}`;
}

export function requestHash(input: PurchaseInput): string {
    return createHash("sha256")
        .update(JSON.stringify([input.eventId, input.ticketTypeId, input.quantity, input.email]))
        .digest("hex");
}

class SoldOut extends Error {}
class UnknownTicketType extends Error {}
class SalesClosed extends Error {}

const MAX_ATTEMPTS = 6;

/**
 * The longest a purchase keeps trying before it answers `503 database_unavailable`: long enough to
 * ride out a dropped connection or a few serialization conflicts, short enough that a buyer (and
 * every connection behind them) is not held while the database is away for a whole failover.
 */
export const DEFAULT_PURCHASE_DEADLINE_MS = 5000;

/** An attempt is not started with less than this left: it could not finish anyway. */
const MIN_ATTEMPT_MS = 250;

export type AdmissionGuard = (tx: Queryable, orderId: string, openRoomId: string | null) => Promise<void>;

export interface PurchaseOptions {
    /** Called before each retry (metrics). */
    onRetry?: () => void;
    /** @default DEFAULT_PURCHASE_DEADLINE_MS */
    deadlineMs?: number;
    /**
     * Runs in the transaction right after the order row exists, with the event's open waiting room (or null):
     * the waiting room's single-use admission.
     */
    guard?: AdmissionGuard;
}

/**
 * One transaction: idempotency record, order, tickets, outbox row, guarded counter update. Retried
 * whole on serialization and connection errors with the same key, so an attempt that did commit
 * before its connection died is found through the key instead of being sold twice.
 *
 * Bounded in time: every statement of an attempt gets the time left until the deadline as its
 * client-side timeout, and no attempt starts after it. With the database unreachable a purchase
 * therefore fails within about the deadline (plus at most one connect timeout) with the last
 * connection error, which the error handler answers as `503 database_unavailable`. A buyer told so
 * retries with the same Idempotency-Key, and finds the order should the last attempt have committed.
 */
export async function purchase(
    writer: Database,
    signer: TicketSigner,
    input: PurchaseInput,
    options: PurchaseOptions = {},
): Promise<{ created: boolean; order: OrderView }> {
    const hash = requestHash(input);
    const deadline = Date.now() + (options.deadlineMs ?? DEFAULT_PURCHASE_DEADLINE_MS);
    // Every order id this call has tried to create. A retry that finds one of them under the key is
    // the creating request whose COMMIT answer was lost (201); any other id was made by a racing
    // request with the same key (200), also when this call is on its second attempt.
    const ourOrderIds = new Set<string>();
    for (let attempt = 1; ; attempt++) {
        try {
            const orderId = randomUUID();
            ourOrderIds.add(orderId);
            const clientTimeoutMs = Math.max(MIN_ATTEMPT_MS, deadline - Date.now());
            const order = await writer.transaction(
                (tx) => attemptPurchase(tx, signer, input, hash, orderId, options.guard),
                { clientTimeoutMs },
            );
            if (order) return { created: true, order };
            const existing = await orderForKey(writer, signer, input.idempotencyKey);
            if (!existing || existing.hash !== hash) {
                throw new HttpError(
                    422,
                    "idempotency_mismatch",
                    "this Idempotency-Key was used with a different request",
                );
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
            if (error instanceof SalesClosed) {
                throw new HttpError(409, "sales_closed", "this event has started; tickets are no longer sold");
            }
            if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
            const backoff = Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random());
            if (Date.now() + backoff + MIN_ATTEMPT_MS > deadline) throw error;
            options.onRetry?.();
            await sleep(backoff);
        }
    }
}

async function attemptPurchase(
    tx: Queryable,
    signer: TicketSigner,
    input: PurchaseInput,
    hash: string,
    orderId: string,
    guard?: AdmissionGuard,
): Promise<OrderView | undefined> {
    // A concurrent request with the same key blocks here until that one commits or rolls back.
    const claimed = await tx.query(PURCHASE_SQL.claimKey, [input.idempotencyKey, hash, orderId]);
    if (claimed.rowCount === 0) return undefined;
    const secret = issueSecret(signer, orderId);
    const inserted = await tx.query<{ amount_cents: number; created_at: Date; open_room_id: string | null }>(
        PURCHASE_SQL.insertOrder,
        [orderId, input.eventId, input.ticketTypeId, input.email, input.quantity, secret.hash, secret.sealed],
    );
    if (inserted.rowCount === 0) {
        const known = await tx.query(PURCHASE_SQL.ticketTypeExists, [input.ticketTypeId, input.eventId]);
        throw known.rowCount === 0 ? new UnknownTicketType() : new SalesClosed();
    }
    await guard?.(tx, orderId, inserted.rows[0].open_room_id);
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
        secret: secret.secret,
    };
}

export interface OrderRow {
    id: string;
    event_id: string;
    ticket_type_id: string;
    email: string;
    quantity: number;
    amount_cents: number;
    status: string;
    created_at: Date;
    access_hash: Uint8Array | null;
    access_sealed: Uint8Array | null;
}

export const ORDER_COLUMNS =
    "o.id, o.event_id, o.ticket_type_id, o.email, o.quantity, o.amount_cents, o.status, o.created_at, o.access_hash, o.access_sealed";

/** The order an Idempotency-Key made, with its secret unsealed: the replay is the same answer. */
async function orderForKey(
    writer: Database,
    signer: TicketSigner,
    key: string,
): Promise<{ hash: string; order: OrderView } | undefined> {
    const found = await writer.query<OrderRow & { request_hash: string }>(
        `SELECT i.request_hash, ${ORDER_COLUMNS} FROM idempotency_keys i JOIN orders o ON o.id = i.order_id WHERE i.key = $1`,
        [key],
    );
    if (found.rowCount === 0) return undefined;
    const row = found.rows[0];
    const order = await withTickets(writer, row);
    const secret = unsealSecret(signer, row.id, row.access_sealed);
    return { hash: row.request_hash, order: secret === undefined ? order : { ...order, secret } };
}

/** The order as the API shows it, without its secret. */
export async function withTickets(db: Pick<Database, "query">, row: OrderRow): Promise<OrderView> {
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
