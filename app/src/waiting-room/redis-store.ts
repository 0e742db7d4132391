import type Redis from "ioredis";
import { SAMPLE_EVERY_MS, SAMPLES_KEPT } from "./inlet";
import type { TicketKind } from "./passes";
import {
    Admission,
    RoomParams,
    RoomStore,
    Snapshot,
    TicketRecord,
    TicketStatus,
    TickResult,
    slidingCount,
} from "./store";

/**
 * The queue in Redis, each operation one Lua script (atomic: no other command runs in between, and a
 * script's writes replicate as one transaction, so a replica always holds a consistent prefix).
 * Keys share the hash tag `{roomId}`, so the scripts also run on a cluster-mode Redis.
 *
 * Per room: `meta` (hash: sealed = pre-start count once drawn, tail = queue counter, served = serving
 * counter, nextAt, pausedAt), `pre` (zset: pre-start ticket ids by random score), `visitors` (hash:
 * visitor hash → ticket record), `pending` / `active` (zsets: admitted positions by collect deadline /
 * token expiry), `samples` (list of `time:served` while visitors wait). Every key expires KEY_TTL after
 * its room's last activity.
 */
const KEY_TTL_SECONDS = 3 * 24 * 3600;

// Shared preamble. KEYS[1] meta, KEYS[2] pre; ARGV[1] now, ARGV[2] opensAt, ARGV[3] servedFloor, ARGV[4] key TTL.
// Draws the pre-start set at the start, and restores the counters' floors after a data loss.
const PREAMBLE = `
local meta, pre = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local function num(x) return string.format('%.17g', x) end
local sealed = redis.call('HGET', meta, 'sealed')
if not sealed and now >= tonumber(ARGV[2]) then
  sealed = tostring(redis.call('ZCARD', pre))
  redis.call('HSET', meta, 'sealed', sealed)
end
local served = tonumber(redis.call('HGET', meta, 'served') or '0')
local tail = tonumber(redis.call('HGET', meta, 'tail') or '0')
local floor = tonumber(ARGV[3])
if served < floor then served = floor; redis.call('HSET', meta, 'served', num(served)) end
local least = served
if sealed and tonumber(sealed) > least then least = tonumber(sealed) end
if tail < least then tail = least; redis.call('HSET', meta, 'tail', num(tail)) end
local function live(set, pos)
  local untilMs = redis.call('ZSCORE', set, pos)
  return untilMs and tonumber(untilMs) > now
end
`;

// KEYS[3] visitors, [4] pending, [5] active; ARGV[5] visitor, [6] fresh ticket id, [7] fresh score.
const JOIN = `${PREAMBLE}
local visitors, pending, active = KEYS[3], KEYS[4], KEYS[5]
local existing = redis.call('HGET', visitors, ARGV[5])
if existing then
  local id, kind, pos = string.match(existing, '^([^:]+):([^:]+):(%d+)')
  pos = tonumber(pos)
  local keep = false
  if kind == 'pre' then
    if not sealed then keep = true
    else
      local rank = redis.call('ZRANK', pre, id)
      if rank then pos = rank + 1 else pos = nil end
    end
  end
  if not keep and pos then keep = pos > served or live(pending, num(pos)) or live(active, num(pos)) end
  if keep then return {existing, 0} end
end
local record
if not sealed then
  redis.call('ZADD', pre, ARGV[7], ARGV[6])
  record = ARGV[6] .. ':pre:0:' .. ARGV[1]
else
  tail = tail + 1
  redis.call('HSET', meta, 'tail', num(tail))
  record = ARGV[6] .. ':post:' .. num(tail) .. ':' .. ARGV[1]
end
redis.call('HSET', visitors, ARGV[5], record)
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return {record, 1}
`;

// KEYS[3] pending, [4] active, [5] samples; ARGV[5] intervalMs, [6] burst, [7] maxActive, [8] collectMs, [9] paused.
// The same step as admitStep() in inlet.ts.
const TICK = `${PREAMBLE}
local pending, active, samples = KEYS[3], KEYS[4], KEYS[5]
redis.call('ZREMRANGEBYSCORE', pending, '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', active, '-inf', ARGV[1])
local act = redis.call('ZCARD', pending) + redis.call('ZCARD', active)
if not sealed then return {0, served, tail, act} end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
local paused = ARGV[9] == '1'
if paused then redis.call('HSET', meta, 'pausedAt', ARGV[1]) end
local backlog = tail - served
if backlog > 0 and not paused then
  local last = redis.call('LINDEX', samples, -1)
  local lastT = last and tonumber(string.match(last, '^(%d+)'))
  if not lastT or now - lastT >= ${SAMPLE_EVERY_MS} then
    if lastT and now - lastT > ${3 * SAMPLE_EVERY_MS} then redis.call('DEL', samples) end
    redis.call('RPUSH', samples, ARGV[1] .. ':' .. num(served))
    redis.call('LTRIM', samples, -${SAMPLES_KEPT}, -1)
  end
end
local interval, burst, maxActive = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local nextAt = tonumber(redis.call('HGET', meta, 'nextAt') or ARGV[1])
local admit = 0
if paused or backlog <= 0 then
  if nextAt < now then nextAt = now end
else
  local credit = backlog
  if interval > 0 then
    local lowest = now - (burst - 1) * interval
    if nextAt < lowest then nextAt = lowest end
    if now >= nextAt then credit = math.floor((now - nextAt) / interval) + 1 else credit = 0 end
  end
  if maxActive > 0 then credit = math.min(credit, math.max(0, maxActive - act)) end
  admit = math.min(credit, backlog, burst)
  if interval > 0 then nextAt = nextAt + admit * interval else nextAt = now end
end
redis.call('HSET', meta, 'nextAt', num(nextAt))
local deadline = num(now + tonumber(ARGV[8]))
for p = served + 1, served + admit do redis.call('ZADD', pending, deadline, num(p)) end
if admit > 0 then served = served + admit; redis.call('HSET', meta, 'served', num(served)) end
return {admit, served, tail, act + admit}
`;

// Snapshot fields, shared by STATUS and SNAPSHOT: sealed, preCount, tail, served, active, first sample, pausedAt.
const SNAPSHOT_FIELDS = `
local pending, active, samples = KEYS[3], KEYS[4], KEYS[5]
local preCount = sealed and tonumber(sealed) or redis.call('ZCARD', pre)
local snap = {sealed and 1 or 0, preCount, tail, served,
  redis.call('ZCARD', pending) + redis.call('ZCARD', active),
  redis.call('LINDEX', samples, 0) or '', redis.call('HGET', meta, 'pausedAt') or '0'}
`;

const SNAPSHOT = `${PREAMBLE}${SNAPSHOT_FIELDS}
return snap
`;

// ARGV[5] ticket id, [6] kind, [7] position, [8] restore score, [9] token TTL ms.
// Reply: snapshot fields, then position (-1: not drawn yet, -2: lost), state (w/a/o), expiresAt, firstCollect.
const STATUS = `${PREAMBLE}${SNAPSHOT_FIELDS}
local pos = tonumber(ARGV[7])
if ARGV[6] == 'pre' then
  if not sealed then
    -- A pre-start entry lost with the last writes of a failover is put back (a fresh random draw).
    if not redis.call('ZSCORE', pre, ARGV[5]) then
      redis.call('ZADD', pre, ARGV[8], ARGV[5])
      snap[2] = snap[2] + 1
    end
    table.insert(snap, -1); table.insert(snap, 'w'); table.insert(snap, 0); table.insert(snap, 0)
    return snap
  end
  local rank = redis.call('ZRANK', pre, ARGV[5])
  if not rank then
    table.insert(snap, -2); table.insert(snap, 'o'); table.insert(snap, 0); table.insert(snap, 0)
    return snap
  end
  pos = rank + 1
elseif pos > tail then
  -- Redis lost the counter: never hand this number to a newcomer again.
  tail = pos; redis.call('HSET', meta, 'tail', num(tail)); snap[3] = tail
end
local state, expires, first = 'w', 0, 0
if pos <= served then
  local p = num(pos)
  local held = redis.call('ZSCORE', active, p)
  if held and tonumber(held) > now then
    state, expires = 'a', tonumber(held)
  elseif live(pending, p) then
    redis.call('ZREM', pending, p)
    expires = now + tonumber(ARGV[9])
    redis.call('ZADD', active, num(expires), p)
    state, first = 'a', 1
  else
    state = 'o'
  end
end
table.insert(snap, pos); table.insert(snap, state); table.insert(snap, expires); table.insert(snap, first)
return snap
`;

type Reply = Array<string | number>;

interface RoomCommands {
    roomJoin(...args: string[]): Promise<[string, number]>;
    roomTick(...args: string[]): Promise<number[]>;
    roomStatus(...args: string[]): Promise<Reply>;
    roomSnapshot(...args: string[]): Promise<Reply>;
}

function parseRecord(text: string): TicketRecord {
    const [ticketId, kind, position, joinedAtMs] = text.split(":");
    return { ticketId, kind: kind as TicketKind, position: Number(position), joinedAtMs: Number(joinedAtMs) };
}

function parseSnapshot(reply: Reply): Snapshot {
    const first = String(reply[5]);
    const [time, served] = first.split(":").map(Number);
    return {
        sealed: Number(reply[0]) === 1,
        preCount: Number(reply[1]),
        tail: Number(reply[2]),
        served: Number(reply[3]),
        active: Number(reply[4]),
        samples: first ? [[time, served]] : [],
        pausedAtMs: Number(reply[6]),
    };
}

export class RedisRoomStore implements RoomStore {
    readonly kind = "redis";
    private readonly redis: Redis & RoomCommands;

    /** @param prefix e.g. `boxoffice:<stack>`; the room's keys live under `<prefix>:room:{<roomId>}:`. */
    constructor(
        redis: Redis,
        private readonly prefix: string,
    ) {
        redis.defineCommand("roomJoin", { numberOfKeys: 5, lua: JOIN });
        redis.defineCommand("roomTick", { numberOfKeys: 5, lua: TICK });
        redis.defineCommand("roomStatus", { numberOfKeys: 5, lua: STATUS });
        redis.defineCommand("roomSnapshot", { numberOfKeys: 5, lua: SNAPSHOT });
        this.redis = redis as Redis & RoomCommands;
    }

    private key(roomId: string, name: string): string {
        return `${this.prefix}:room:{${roomId}}:${name}`;
    }

    private keys(roomId: string, names: string[]): string[] {
        return names.map((name) => this.key(roomId, name));
    }

    private common(p: RoomParams, now: number): string[] {
        return [String(now), String(p.opensAtMs), String(p.servedFloor), String(KEY_TTL_SECONDS)];
    }

    async join(p: RoomParams, visitor: string, fresh: { ticketId: string; score: number }, now: number) {
        const keys = this.keys(p.roomId, ["meta", "pre", "visitors", "pending", "active"]);
        const [record, created] = await this.redis.roomJoin(
            ...keys,
            ...this.common(p, now),
            visitor,
            fresh.ticketId,
            String(fresh.score),
        );
        return { record: parseRecord(record), created: Number(created) === 1 };
    }

    async tick(p: RoomParams, now: number, paused: boolean): Promise<TickResult> {
        const keys = this.keys(p.roomId, ["meta", "pre", "pending", "active", "samples"]);
        const i = p.inlet;
        const [admitted, served, tail, active] = await this.redis.roomTick(
            ...keys,
            ...this.common(p, now),
            String(i.intervalMs),
            String(i.burst),
            String(i.maxActive),
            String(p.collectMs),
            paused ? "1" : "0",
        );
        return { admitted: Number(admitted), served: Number(served), tail: Number(tail), active: Number(active) };
    }

    async status(p: RoomParams, ticket: TicketRecord, now: number, restoreScore: number): Promise<TicketStatus> {
        const keys = this.keys(p.roomId, ["meta", "pre", "pending", "active", "samples"]);
        const reply = await this.redis.roomStatus(
            ...keys,
            ...this.common(p, now),
            ticket.ticketId,
            ticket.kind,
            String(ticket.position),
            String(restoreScore),
            String(p.tokenTtlMs),
        );
        const snapshot = parseSnapshot(reply);
        const position = Number(reply[7]);
        const state = String(reply[8]);
        const admission: Admission =
            state === "a"
                ? { state: "admitted", expiresAtMs: Number(reply[9]), firstCollect: Number(reply[10]) === 1 }
                : state === "o"
                  ? { state: "over" }
                  : { state: "waiting" };
        return { ...snapshot, position: position > 0 ? position : undefined, lost: position === -2, admission };
    }

    async snapshot(p: RoomParams, now: number): Promise<Snapshot> {
        const keys = this.keys(p.roomId, ["meta", "pre", "pending", "active", "samples"]);
        return parseSnapshot(await this.redis.roomSnapshot(...keys, ...this.common(p, now)));
    }

    async finish(roomId: string, position: number): Promise<void> {
        await this.redis
            .multi()
            .zrem(this.key(roomId, "active"), String(position))
            .zrem(this.key(roomId, "pending"), String(position))
            .exec();
    }

    async countOrder(eventId: string, now: number): Promise<number> {
        const minute = Math.floor(now / 60_000);
        const key = (m: number) => `${this.prefix}:orders:{${eventId}}:${m}`;
        const replies = await this.redis
            .multi()
            .incr(key(minute))
            .expire(key(minute), 180)
            .get(key(minute - 1))
            .exec();
        if (!replies || replies.some(([error]) => error)) throw new Error("could not count the order in Redis");
        return slidingCount(Number(replies[0][1]), Number(replies[2][1] ?? 0), now);
    }

    async drop(roomId: string): Promise<void> {
        await this.redis.del(...this.keys(roomId, ["meta", "pre", "visitors", "pending", "active", "samples"]));
    }

    async close(): Promise<void> {}
}
