import type { Database } from "../db/database";
import { ORDER_COLUMNS, OrderRow, OrderView, withTickets } from "./purchase";
import { secretMatches } from "./order-secret";
import type { Stores } from "./stores";

/**
 * Reads from a replica first and from the writer when the replica has not caught up yet (a row
 * just bought) or fails. `found` says whether a row is the one wanted.
 */
async function replicaThenWriter<R>(
    stores: Stores,
    read: (db: Database) => Promise<R | undefined>,
): Promise<{ db: Database; row: R } | undefined> {
    const reader = stores.reader();
    if (reader) {
        try {
            const row = await read(reader);
            if (row !== undefined) return { db: reader, row };
        } catch (error) {
            stores.readerFailed(reader, error);
        }
    }
    const row = await read(stores.writer);
    return row === undefined ? undefined : { db: stores.writer, row };
}

/**
 * The order, for the holder of its secret only. No order, no secret and a wrong secret all give
 * undefined (one 404), so the answer tells a guesser nothing about which order ids exist.
 */
export async function getOrder(stores: Stores, id: string, secret: string | undefined): Promise<OrderView | undefined> {
    const found = await replicaThenWriter(stores, async (db) => {
        const result = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [id]);
        return result.rows[0];
    });
    if (!secretMatches(secret, found?.row.access_hash) || !found) return undefined;
    return withTickets(found.db, found.row);
}

/** A ticket's code, for the holder of its order's secret only (undefined otherwise, as getOrder). */
export async function getTicketCode(
    stores: Stores,
    ticketId: string,
    secret: string | undefined,
): Promise<string | undefined> {
    const found = await replicaThenWriter(stores, async (db) => {
        const result = await db.query<{ code: string; access_hash: Uint8Array | null }>(
            "SELECT t.code, o.access_hash FROM tickets t JOIN orders o ON o.id = t.order_id WHERE t.id = $1",
            [ticketId],
        );
        return result.rows[0];
    });
    return secretMatches(secret, found?.row.access_hash) && found ? found.row.code : undefined;
}
