import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/database";
import { HttpError } from "../errors";
import { visibleName } from "../text";
import { Stores, iso } from "./stores";

export interface TicketTypeInput {
    name: string;
    priceCents: number;
    capacity: number;
}

export interface EventInput {
    name: string;
    startsAt: string;
    ticketTypes: TicketTypeInput[];
}

export interface EventView {
    id: string;
    name: string;
    startsAt: string;
    ticketTypes: Array<{ id: string; name: string; priceCents: number; capacity: number; available: number }>;
}

interface Row {
    id: string;
    name: string;
    starts_at: Date;
    tt_id: string;
    tt_name: string;
    price_cents: number;
    capacity: number;
    sold: number;
}

const SELECT_EVENTS = `
  SELECT e.id, e.name, e.starts_at, t.id AS tt_id, t.name AS tt_name, t.price_cents, t.capacity, t.sold
  FROM events e JOIN ticket_types t ON t.event_id = e.id`;

function group(rows: Row[]): EventView[] {
    const events = new Map<string, EventView>();
    for (const row of rows) {
        let event = events.get(row.id);
        if (!event) {
            event = { id: row.id, name: row.name, startsAt: iso(row.starts_at), ticketTypes: [] };
            events.set(row.id, event);
        }
        event.ticketTypes.push({
            id: row.tt_id,
            name: row.tt_name,
            priceCents: Number(row.price_cents),
            capacity: Number(row.capacity),
            available: Number(row.capacity) - Number(row.sold),
        });
    }
    return [...events.values()];
}

/** The instants a start time may take: PostgreSQL, node-postgres and JSON all agree on these. */
const EARLIEST_START = Date.UTC(1970, 0, 1);
const LATEST_START = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The schema's `date-time` format is RFC 3339 syntax only: it lets through leap seconds (`23:59:60`,
 * which Date cannot represent), year 0000 (which PostgreSQL has no such year for) and offsets that
 * push a 9999 date into year 10000. Each would reach the database and end in a 500.
 */
export function parseStartsAt(value: string): Date {
    const startsAt = new Date(value);
    const time = startsAt.getTime();
    if (Number.isNaN(time) || time < EARLIEST_START || time > LATEST_START) {
        throw new HttpError(
            400,
            "invalid_request",
            "body/startsAt must be a real instant between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z (no leap seconds)",
            { field: "body/startsAt" },
        );
    }
    return startsAt;
}

/**
 * What a box office refuses beyond the schema (each a 400 naming the field): an event that has
 * already started (it could only sell tickets nobody can use), names nobody can read (empty once
 * invisible characters are removed) or that reorder the text around them (bidirectional controls),
 * and two ticket types of one event with the same name (a buyer could not tell them apart).
 * Capacity 0 is refused by the schema (minimum 1). Names are stored trimmed, in NFC.
 */
export function checkEventInput(input: EventInput, now = new Date()): EventInput & { startsAtDate: Date } {
    const name = visibleName(input.name, "body/name");
    const startsAtDate = parseStartsAt(input.startsAt);
    if (startsAtDate.getTime() <= now.getTime()) {
        throw new HttpError(
            400,
            "invalid_request",
            `body/startsAt must be in the future, got ${startsAtDate.toISOString()}`,
            {
                field: "body/startsAt",
            },
        );
    }
    const seen = new Map<string, number>();
    const ticketTypes = input.ticketTypes.map((type, index) => {
        const field = `body/ticketTypes/${index}/name`;
        const name = visibleName(type.name, field);
        const key = name.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) {
            throw new HttpError(400, "invalid_request", `${field} repeats body/ticketTypes/${first}/name ("${name}")`, {
                field,
            });
        }
        seen.set(key, index);
        return { ...type, name };
    });
    return { name, startsAt: input.startsAt, ticketTypes, startsAtDate };
}

export async function createEvent(
    writer: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
    raw: EventInput,
): Promise<EventView> {
    const input = checkEventInput(raw);
    const startsAt = input.startsAtDate;
    const id = randomUUID();
    const ticketTypes = input.ticketTypes.map((type) => ({ id: randomUUID(), ...type }));
    await writer.transaction(async (tx) => {
        await tx.query("INSERT INTO events (id, name, starts_at) VALUES ($1, $2, $3)", [id, input.name, startsAt]);
        for (const [index, type] of ticketTypes.entries()) {
            await tx.query(
                `INSERT INTO ticket_types (id, event_id, name, price_cents, capacity, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6)`,
                [type.id, id, type.name, type.priceCents, type.capacity, index],
            );
        }
    });
    return {
        id,
        name: input.name,
        startsAt: startsAt.toISOString(),
        ticketTypes: ticketTypes.map((type) => ({ ...type, available: type.capacity })),
    };
}

export async function getEvent(stores: Stores, id: string): Promise<EventView | undefined> {
    const result = await stores.read<Row>(`${SELECT_EVENTS} WHERE e.id = $1 ORDER BY t.sort_order`, [id]);
    return group(result.rows)[0];
}

export async function listEvents(stores: Stores, limit = 100): Promise<EventView[]> {
    const result = await stores.read<Row>(
        `${SELECT_EVENTS}
     WHERE e.id IN (SELECT id FROM events ORDER BY starts_at, id LIMIT $1)
     ORDER BY e.starts_at, e.id, t.sort_order`,
        [limit],
    );
    return group(result.rows);
}
