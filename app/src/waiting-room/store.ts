import { admitStep, Inlet, SAMPLE_EVERY_MS, SAMPLES_KEPT } from "./inlet";
import type { TicketKind } from "./passes";

/**
 * The queue's shared state, behind one interface with two implementations: Redis (every instance
 * shares it; each operation is one atomic Lua script) and in-process (the embedded default). Both
 * follow these rules, and the same contract tests run against both:
 *
 * - Joins before `opensAtMs` go into a pre-start set under a random score the caller draws with
 *   crypto randomness. The first operation at or after the start seals the set: its size becomes the
 *   number of pre-start places, and a pre-start ticket's position is its rank (a uniform shuffle).
 * - Joins after the start take the next number from the queue counter (`tail`): strictly first come,
 *   first served. A position, once given, never changes.
 * - The serving counter (`served`) only grows; every position at or below it has been admitted. An
 *   admitted position must be collected (first status call) within `collectMs`, and then holds an
 *   admission token for `tokenTtlMs`; a finished order frees it at once. Uncollected and collected
 *   admissions together are the "active" count that `maxActive` bounds; expired ones stop counting.
 * - One place per visitor: a visitor that joins again gets its ticket back while it waits or holds an
 *   admission; only after its admission ended (used or expired) does a join give it a new place.
 */
export interface RoomParams {
    roomId: string;
    opensAtMs: number;
    inlet: Inlet;
    collectMs: number;
    tokenTtlMs: number;
    /** A lower bound of `served` kept in the database, restored if Redis lost its data. */
    servedFloor: number;
}

/** What the store keeps per visitor: enough to rebuild the signed ticket deterministically. */
export interface TicketRecord {
    ticketId: string;
    kind: TicketKind;
    position: number;
    joinedAtMs: number;
}

export interface TickResult {
    admitted: number;
    served: number;
    tail: number;
    active: number;
}

export interface Snapshot {
    sealed: boolean;
    /** Pre-start joins so far (before the start) or drawn (after). */
    preCount: number;
    tail: number;
    served: number;
    active: number;
    /** `[timeMs, served]` samples while visitors waited, oldest first. */
    samples: Array<[number, number]>;
    /** Last time an unhealthy instance held the inlet. */
    pausedAtMs: number;
}

export type Admission =
    { state: "waiting" } | { state: "admitted"; expiresAtMs: number; firstCollect: boolean } | { state: "over" };

export interface TicketStatus extends Snapshot {
    /** The resolved position (pre-start tickets once drawn); undefined before the draw. */
    position?: number;
    /** The ticket is not in the room any more (its pre-start entry was lost with Redis data). */
    lost: boolean;
    admission: Admission;
}

export interface RoomStore {
    readonly kind: "redis" | "memory";
    /** `fresh` is used only when the visitor has no live place; `visitor` is the keyed visitor hash. */
    join(
        p: RoomParams,
        visitor: string,
        fresh: { ticketId: string; score: number },
        now: number,
    ): Promise<{ record: TicketRecord; created: boolean }>;
    tick(p: RoomParams, now: number, paused: boolean): Promise<TickResult>;
    /** Reads a ticket's place; collects its admission on the first call after it was admitted. */
    status(p: RoomParams, ticket: TicketRecord, now: number, restoreScore: number): Promise<TicketStatus>;
    snapshot(p: RoomParams, now: number): Promise<Snapshot>;
    /** An order used the admission at `position`: its slot is free for the next visitor. */
    finish(roomId: string, position: number): Promise<void>;
    /** Counts an order attempt for the event and returns the attempts over the last minute (sliding). */
    countOrder(eventId: string, now: number): Promise<number>;
    drop(roomId: string): Promise<void>;
    close(): Promise<void>;
}

interface MemoryRoom {
    sealed: boolean;
    preCount: number;
    pre: Map<string, number>;
    preRank?: Map<string, number>;
    tail: number;
    served: number;
    nextAtMs?: number;
    pending: Map<number, number>;
    active: Map<number, number>;
    visitors: Map<string, TicketRecord>;
    samples: Array<[number, number]>;
    pausedAtMs: number;
}

/** The embedded default: the same rules in one process (single-threaded, so every call is atomic). */
export class MemoryRoomStore implements RoomStore {
    readonly kind = "memory";
    private readonly rooms = new Map<string, MemoryRoom>();
    private readonly orders = new Map<string, Map<number, number>>();

    private room(p: RoomParams, now: number): MemoryRoom {
        let room = this.rooms.get(p.roomId);
        if (!room) {
            room = {
                sealed: false,
                preCount: 0,
                pre: new Map(),
                tail: 0,
                served: 0,
                pending: new Map(),
                active: new Map(),
                visitors: new Map(),
                samples: [],
                pausedAtMs: 0,
            };
            this.rooms.set(p.roomId, room);
        }
        if (!room.sealed && now >= p.opensAtMs) {
            room.sealed = true;
            room.preCount = room.pre.size;
            room.preRank = new Map(
                [...room.pre].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([id], i) => [id, i + 1]),
            );
            room.tail = Math.max(room.tail, room.preCount);
        }
        room.served = Math.max(room.served, p.servedFloor);
        room.tail = Math.max(room.tail, room.served);
        return room;
    }

    private positionOf(room: MemoryRoom, record: TicketRecord): number | undefined {
        if (record.kind === "post") return record.position;
        return room.sealed ? room.preRank?.get(record.ticketId) : undefined;
    }

    async join(p: RoomParams, visitor: string, fresh: { ticketId: string; score: number }, now: number) {
        const room = this.room(p, now);
        const existing = room.visitors.get(visitor);
        if (existing) {
            const position = this.positionOf(room, existing);
            const unresolvedPre = existing.kind === "pre" && !room.sealed;
            const live = (set: Map<number, number>) => (set.get(position!) ?? 0) > now;
            if (
                unresolvedPre ||
                (position !== undefined && (position > room.served || live(room.pending) || live(room.active)))
            ) {
                return { record: existing, created: false };
            }
        }
        let record: TicketRecord;
        if (!room.sealed) {
            room.pre.set(fresh.ticketId, fresh.score);
            record = { ticketId: fresh.ticketId, kind: "pre", position: 0, joinedAtMs: now };
        } else {
            record = { ticketId: fresh.ticketId, kind: "post", position: ++room.tail, joinedAtMs: now };
        }
        room.visitors.set(visitor, record);
        return { record, created: true };
    }

    async tick(p: RoomParams, now: number, paused: boolean): Promise<TickResult> {
        const room = this.room(p, now);
        for (const set of [room.pending, room.active])
            for (const [pos, until] of set) if (until <= now) set.delete(pos);
        const active = room.pending.size + room.active.size;
        if (!room.sealed) return { admitted: 0, served: room.served, tail: room.tail, active };
        if (paused) room.pausedAtMs = now;
        const backlog = room.tail - room.served;
        if (backlog > 0 && !paused) {
            const last = room.samples[room.samples.length - 1];
            if (!last || now - last[0] >= SAMPLE_EVERY_MS) {
                // A gap means the line emptied meanwhile: measure only the current stretch of waiting.
                if (last && now - last[0] > 3 * SAMPLE_EVERY_MS) room.samples = [];
                room.samples.push([now, room.served]);
                room.samples = room.samples.slice(-SAMPLES_KEPT);
            }
        }
        const step = admitStep(p.inlet, { nextAtMs: room.nextAtMs, backlog, active, paused }, now);
        room.nextAtMs = step.nextAtMs;
        for (let i = 0; i < step.admit; i++) room.pending.set(++room.served, now + p.collectMs);
        return { admitted: step.admit, served: room.served, tail: room.tail, active: active + step.admit };
    }

    async status(p: RoomParams, ticket: TicketRecord, now: number, restoreScore: number): Promise<TicketStatus> {
        const room = this.room(p, now);
        const base = this.snap(room);
        if (ticket.kind === "pre" && !room.sealed) {
            if (!room.pre.has(ticket.ticketId)) room.pre.set(ticket.ticketId, restoreScore);
            return { ...base, preCount: room.pre.size, lost: false, admission: { state: "waiting" } };
        }
        const position = this.positionOf(room, ticket);
        if (position === undefined) return { ...base, lost: true, admission: { state: "over" } };
        if (position > room.tail) room.tail = position;
        return { ...base, tail: room.tail, position, lost: false, admission: this.collect(room, p, position, now) };
    }

    private collect(room: MemoryRoom, p: RoomParams, position: number, now: number): Admission {
        if (position > room.served) return { state: "waiting" };
        const held = room.active.get(position);
        if (held !== undefined && held > now) return { state: "admitted", expiresAtMs: held, firstCollect: false };
        if ((room.pending.get(position) ?? 0) <= now) return { state: "over" };
        room.pending.delete(position);
        room.active.set(position, now + p.tokenTtlMs);
        return { state: "admitted", expiresAtMs: now + p.tokenTtlMs, firstCollect: true };
    }

    private snap(room: MemoryRoom): Snapshot {
        return {
            sealed: room.sealed,
            preCount: room.sealed ? room.preCount : room.pre.size,
            tail: room.tail,
            served: room.served,
            active: room.pending.size + room.active.size,
            samples: room.samples.slice(),
            pausedAtMs: room.pausedAtMs,
        };
    }

    async snapshot(p: RoomParams, now: number): Promise<Snapshot> {
        return this.snap(this.room(p, now));
    }

    async finish(roomId: string, position: number): Promise<void> {
        const room = this.rooms.get(roomId);
        room?.active.delete(position);
        room?.pending.delete(position);
    }

    async countOrder(eventId: string, now: number): Promise<number> {
        const minute = Math.floor(now / 60_000);
        const counts = this.orders.get(eventId) ?? new Map<number, number>();
        this.orders.set(eventId, counts);
        counts.set(minute, (counts.get(minute) ?? 0) + 1);
        for (const key of counts.keys()) if (key < minute - 1) counts.delete(key);
        return slidingCount(counts.get(minute) ?? 0, counts.get(minute - 1) ?? 0, now);
    }

    async drop(roomId: string): Promise<void> {
        this.rooms.delete(roomId);
    }

    async close(): Promise<void> {}
}

/** Orders over the last 60 s from two fixed minute buckets: the previous one weighted by its overlap. */
export function slidingCount(current: number, previous: number, now: number): number {
    const intoMinute = (now % 60_000) / 60_000;
    return current + previous * (1 - intoMinute);
}
