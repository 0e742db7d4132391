import { randomUUID } from "node:crypto";
import type { Database } from "../db/database";
import { HttpError } from "../errors";
import { inletFor } from "./inlet";
import type { RoomParams } from "./store";

/** A room's configuration, as stored in `waiting_rooms`. */
export interface RoomConfig {
    eventId: string;
    roomId: string;
    admitPerMinute: number | null;
    maxActive: number | null;
    /** When admitting starts; null while an auto-opening room waits for its order rate. */
    opensAtMs: number | null;
    autoOpenOrdersPerMinute: number | null;
    servedFloor: number;
}

export interface RoomInput {
    admitPerMinute?: number;
    maxActive?: number;
    opensAt?: string;
    autoOpenOrdersPerMinute?: number;
}

interface RoomRow {
    event_id: string;
    room_id: string;
    admit_per_minute: number | null;
    max_active: number | null;
    opens_at: Date | string | null;
    auto_open_orders_per_minute: number | null;
    served_floor: string | number;
}

const COLUMNS = "event_id, room_id, admit_per_minute, max_active, opens_at, auto_open_orders_per_minute, served_floor";
/** Every instance re-reads the configuration this often; an admin change reaches the fleet within it. */
export const CONFIG_REFRESH_MS = 1000;

function fromRow(row: RoomRow): RoomConfig {
    return {
        eventId: row.event_id,
        roomId: row.room_id,
        admitPerMinute: row.admit_per_minute === null ? null : Number(row.admit_per_minute),
        maxActive: row.max_active === null ? null : Number(row.max_active),
        opensAtMs: row.opens_at === null ? null : new Date(row.opens_at).getTime(),
        autoOpenOrdersPerMinute:
            row.auto_open_orders_per_minute === null ? null : Number(row.auto_open_orders_per_minute),
        servedFloor: Number(row.served_floor),
    };
}

export function roomParams(config: RoomConfig, settings: { collectMs: number; tokenTtlMs: number }): RoomParams {
    return {
        roomId: config.roomId,
        opensAtMs: config.opensAtMs ?? Number.MAX_SAFE_INTEGER,
        inlet: inletFor(config.admitPerMinute, config.maxActive),
        collectMs: settings.collectMs,
        tokenTtlMs: settings.tokenTtlMs,
        servedFloor: config.servedFloor,
    };
}

/**
 * The rooms' configuration: in PostgreSQL, read by every instance into memory (the status call is
 * polled thousands of times a second and must not touch the database). A stale copy is served while
 * a fresh one loads; a database outage keeps the last known configuration.
 */
export class RoomConfigs {
    private rooms = new Map<string, RoomConfig>();
    private loadedAtMs = -Infinity;
    private loading?: Promise<void>;

    constructor(
        private readonly writer: Database,
        private readonly clock: () => number,
    ) {}

    /** All rooms, refreshed in the background when older than CONFIG_REFRESH_MS. */
    async all(): Promise<RoomConfig[]> {
        await this.fresh();
        return [...this.rooms.values()];
    }

    async get(eventId: string): Promise<RoomConfig | undefined> {
        await this.fresh();
        return this.rooms.get(eventId);
    }

    private async fresh(): Promise<void> {
        if (this.clock() - this.loadedAtMs < CONFIG_REFRESH_MS) return;
        const load = this.reload();
        // Never loaded: wait (and fail with the database). Loaded before: answer from the last copy.
        if (this.loadedAtMs === -Infinity) await load;
        else load.catch(() => undefined);
    }

    reload(): Promise<void> {
        this.loading ??= (async () => {
            try {
                const found = await this.writer.query<RoomRow>(`SELECT ${COLUMNS} FROM waiting_rooms`);
                this.rooms = new Map(found.rows.map((row) => [row.event_id, fromRow(row)]));
                this.loadedAtMs = this.clock();
            } catch (error) {
                if (this.loadedAtMs === -Infinity) {
                    throw new HttpError(
                        503,
                        "database_unavailable",
                        "the waiting room configuration cannot be read; retry shortly",
                        {},
                        { "retry-after": "2" },
                    );
                }
                throw error;
            } finally {
                this.loading = undefined;
            }
        })();
        return this.loading;
    }

    /** Creates the room, or updates the inlet of the existing one (its queue and id stay). */
    async save(eventId: string, input: RoomInput, nowMs: number): Promise<RoomConfig> {
        const existing = (
            await this.writer.query<RoomRow>(`SELECT ${COLUMNS} FROM waiting_rooms WHERE event_id = $1`, [eventId])
        ).rows[0];
        const requestedOpen = input.opensAt === undefined ? undefined : new Date(input.opensAt).getTime();
        let opensAtMs: number | null;
        if (existing) {
            const current = fromRow(existing);
            const opened = current.opensAtMs !== null && current.opensAtMs <= nowMs;
            if (opened && requestedOpen !== undefined && requestedOpen !== current.opensAtMs) {
                // The pre-start draw has happened: moving the start now would reorder people already told their place.
                throw new HttpError(
                    409,
                    "room_already_open",
                    "this waiting room has opened; its opensAt can no longer change",
                );
            }
            opensAtMs = requestedOpen ?? current.opensAtMs;
            // No longer auto-opening and never opened: it opens now.
            if (opensAtMs === null && !input.autoOpenOrdersPerMinute) opensAtMs = nowMs;
        } else {
            opensAtMs = requestedOpen ?? (input.autoOpenOrdersPerMinute ? null : nowMs);
        }
        const params = [
            eventId,
            existing?.room_id ?? randomUUID(),
            input.admitPerMinute ?? null,
            input.maxActive ?? null,
            opensAtMs === null ? null : new Date(opensAtMs).toISOString(),
            input.autoOpenOrdersPerMinute ?? null,
        ];
        const saved = await this.writer.query<RoomRow>(
            `INSERT INTO waiting_rooms (event_id, room_id, admit_per_minute, max_active, opens_at, auto_open_orders_per_minute)
       SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM events WHERE id = $1)
       ON CONFLICT (event_id) DO UPDATE SET admit_per_minute = $3, max_active = $4, opens_at = $5,
         auto_open_orders_per_minute = $6, updated_at = now()
       RETURNING ${COLUMNS}`,
            params,
        );
        if (saved.rowCount === 0) throw new HttpError(404, "not_found", "no such event");
        const config = fromRow(saved.rows[0]);
        this.rooms.set(eventId, config);
        return config;
    }

    async remove(eventId: string): Promise<RoomConfig | undefined> {
        const removed = await this.writer.query<RoomRow>(
            `DELETE FROM waiting_rooms WHERE event_id = $1 RETURNING ${COLUMNS}`,
            [eventId],
        );
        this.rooms.delete(eventId);
        return removed.rows[0] ? fromRow(removed.rows[0]) : undefined;
    }

    /** Opens an auto-opening room now (once: a racing instance's update finds it open already). */
    async open(eventId: string, nowMs: number): Promise<void> {
        // The service's clock, like every other room time (opensAt, token expiry), not the database's.
        const opened = await this.writer.query<RoomRow>(
            `UPDATE waiting_rooms SET opens_at = $2, updated_at = now() WHERE event_id = $1 AND opens_at IS NULL RETURNING ${COLUMNS}`,
            [eventId, new Date(nowMs).toISOString()],
        );
        if (opened.rows[0]) this.rooms.set(eventId, fromRow(opened.rows[0]));
        else await this.reload();
    }

    /** Records how far the room has admitted, so a Redis that lost its data resumes there. */
    async raiseFloor(roomId: string, served: number): Promise<void> {
        await this.writer.query(
            "UPDATE waiting_rooms SET served_floor = GREATEST(served_floor, $2) WHERE room_id = $1",
            [roomId, served],
        );
    }
}
