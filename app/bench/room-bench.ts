/**
 * npm run bench:room — the waiting room through an on-sale, in real time, against the real server process
 * (production mode) on real PostgreSQL and Redis:
 *
 *  1. BENCH_ROOM_VISITORS (5000) visitors: half join in the BENCH_ROOM_LEAD_SECONDS (15) before the start
 *     (drawn at random then), half after it at BENCH_ROOM_JOINS (100) per second, open loop (first come, first
 *     served; joins overlap each other and the polls).
 *  2. The room admits BENCH_ROOM_RATE (600) per minute for BENCH_ROOM_SECONDS (60). Meanwhile the visitors poll
 *     the status call at BENCH_ROOM_POLLS (2000) per second in all, from the moment they are in line (the pre-start
 *     visitors too), open loop (latency counted from the scheduled send time, so a stall is not hidden by sending
 *     late), and each admitted visitor buys one ticket with its token. The p99 reported is the sale's.
 *     Every 250 ms an attacker orders without a token, with a forged one, and with a used one.
 *  3. Checks: the admitted rate within ±5 % of the configured one; no FIFO inversion among post-start joins (in
 *     the places given, and in the order admissions were seen); no order in the database without a used
 *     admission; no attacker order accepted.
 *
 * Then the status call's capacity, closed loop, next to GET /healthz in the same run (requests per second and the
 * server's CPU per request), to tell the route's own cost from what the machine lends it.
 *
 * Last line: {"admittedPerMinute", "rateErrorPercent", "fifoInversions", "ordersWithoutToken", "attackerOrdersAccepted",
 * "statusP50Ms", "statusP99Ms", "pollsPerSec", "statusCapacityPerSec", ...}. Exits non-zero when a check fails.
 * Loopback only.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a fresh database is created and dropped),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379; keys under a fresh prefix, deleted afterwards).
 */
import { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import Redis from "ioredis";
import { Pool } from "pg";
import { agent, capacity, request, startServer } from "./room-bench-server";
import { percentile, placeInversions, pool, sleepUntil, Visitor } from "./room-bench-util";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const VISITORS = env("BENCH_ROOM_VISITORS", 5000);
const RATE = env("BENCH_ROOM_RATE", 600);
const SECONDS = env("BENCH_ROOM_SECONDS", 60);
const POLLS = env("BENCH_ROOM_POLLS", 2000);
const LEAD_SECONDS = env("BENCH_ROOM_LEAD_SECONDS", 15);
const JOINS_PER_SEC = env("BENCH_ROOM_JOINS", 100);
const ADMIN_TOKEN = randomBytes(32).toString("base64url");
const STACK = `bench-${randomBytes(4).toString("hex")}`;
const log = (message: string) => process.stderr.write(`[bench:room] ${message}\n`);

/** The JSON shapes this bench reads (the fields it uses) from the routes it calls. */
interface EventJson {
    id: string;
    ticketTypes: Array<{ id: string }>;
}
interface JoinJson {
    queueTicket: string;
    position?: number | null;
    state: string;
}
interface StatusJson {
    position: number;
    admitted: boolean;
    admissionToken?: string;
}
interface RoomView {
    admitted: number;
    admittedPerMinute: number;
}

async function main(): Promise<void> {
    const deadline = setTimeout(
        () => (log("deadline exceeded"), process.exit(1)),
        (LEAD_SECONDS + SECONDS + 240) * 1000,
    );
    deadline.unref();
    const dbName = `boxoffice_bench_${randomBytes(4).toString("hex")}`;
    const admin = new Pool({ connectionString: BASE_URL, max: 1 });
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(BASE_URL);
    url.pathname = `/${dbName}`;
    const sql = new Pool({ connectionString: url.toString(), max: 2 });
    const redis = new Redis(REDIS_URL);
    let server: ChildProcess | undefined;
    try {
        server = await startServer({
            databaseUrl: url.toString(),
            adminToken: ADMIN_TOKEN,
            redisUrl: REDIS_URL,
            stack: STACK,
        });
        const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
        const event = (
            await request<EventJson>(
                "POST",
                "/events",
                {
                    name: "On-sale",
                    startsAt: "2030-01-01T20:00:00Z",
                    ticketTypes: [{ name: "GA", priceCents: 5000, capacity: 100_000 }],
                },
                auth,
            )
        ).json;
        const ticketTypeId = event.ticketTypes[0].id;
        const opensAtMs = Date.now() + LEAD_SECONDS * 1000;
        const room = await request(
            "POST",
            `/events/${event.id}/waiting-room`,
            { admitPerMinute: RATE, opensAt: new Date(opensAtMs).toISOString() },
            auth,
        );
        if (room.status !== 200) throw new Error(`room: ${room.status} ${JSON.stringify(room.json)}`);

        const visitors: Visitor[] = [];
        const join = async (pre: boolean) => {
            const v: Visitor = {
                id: randomBytes(16).toString("base64url"),
                ticket: "",
                pre,
                joinSent: performance.now(),
                joinDone: 0,
                bought: false,
            };
            const res = await request<JoinJson>("POST", `/events/${event.id}/queue`, { visitorId: v.id });
            v.joinDone = performance.now();
            if (res.status !== 201) throw new Error(`join: ${res.status} ${JSON.stringify(res.json)}`);
            v.ticket = res.json.queueTicket;
            v.position = res.json.position ?? undefined;
            if (pre !== (res.json.state === "before-start"))
                throw new Error(`join at the wrong side of the start: ${res.json.state}`);
            visitors.push(v);
        };
        const preCount = Math.floor(VISITORS / 2);
        log(`${preCount} visitors join before the start`);
        await pool(preCount, 32, () => join(true));
        if (Date.now() > opensAtMs - 1000)
            throw new Error("pre-start joins took too long; raise BENCH_ROOM_LEAD_SECONDS");
        const latencies: number[] = [];
        const beforeStart: number[] = [];
        /** Latencies per 10 s of the sale, to tell a steady tail from a stall. */
        const byWindow: number[][] = [];
        const admittedSeen: Array<{ position: number; at: number }> = [];
        const waitingSeen: Array<{ position: number; at: number }> = [];
        let pollErrors = 0;
        let orderErrors = 0;
        const buy = async (v: Visitor) => {
            const res = await request(
                "POST",
                `/events/${event.id}/orders`,
                { ticketTypeId, quantity: 1, email: "fan@example.com" },
                { "idempotency-key": randomUUID(), "admission-token": v.token! },
            );
            if (res.status === 201) v.bought = true;
            else orderErrors++;
        };
        const start = performance.now() + (opensAtMs - Date.now()); // the sale's start on this clock
        const end = start + SECONDS * 1000;
        const poll = async (v: Visitor, scheduled: number) => {
            const sent = performance.now();
            const res = await request<StatusJson>("GET", `/events/${event.id}/queue/${v.ticket}`, undefined, {
                "visitor-id": v.id,
            });
            const done = performance.now();
            if (scheduled < start) beforeStart.push(done - scheduled);
            else {
                latencies.push(done - scheduled);
                (byWindow[Math.floor((scheduled - start) / 10_000)] ??= []).push(done - scheduled);
            }
            if (res.status !== 200) return void pollErrors++;
            if (v.pre) v.position = res.json.position ?? undefined;
            else if (res.json.admitted) admittedSeen.push({ position: res.json.position, at: done });
            else waitingSeen.push({ position: res.json.position, at: sent });
            if (res.json.admitted && !v.token) {
                v.token = res.json.admissionToken;
                void buy(v);
            }
        };

        // The visitors poll from the moment they are in line, at POLLS per second in all, open loop: the send loop
        // never waits on an answer, and latency counts from the scheduled send time.
        let pending = 0;
        let drained: () => void = () => undefined;
        const polling = (async () => {
            const from = performance.now();
            let sent = 0;
            let cursor = 0;
            while (performance.now() < end) {
                const due = Math.floor(((performance.now() - from) * POLLS) / 1000);
                for (; sent < due; sent++) {
                    const scheduled = from + (sent * 1000) / POLLS;
                    const live = visitors.length;
                    for (let k = 0; k < live; k++) {
                        const v = visitors[cursor++ % live];
                        if (!v.bought) {
                            pending++;
                            void poll(v, scheduled)
                                .catch(() => void pollErrors++)
                                .finally(() => {
                                    if (--pending === 0) drained();
                                });
                            break;
                        }
                    }
                }
                await new Promise((resolve) => setTimeout(resolve, 1));
            }
        })();

        await sleepUntil(opensAtMs + 50);
        log(
            `the sale opens: ${VISITORS - preCount} join at ${JOINS_PER_SEC}/s; ${POLLS} polls/s and buyers for ${SECONDS} s`,
        );
        const joining = Promise.all(
            Array.from({ length: VISITORS - preCount }, async (_, i) => {
                await new Promise((resolve) => setTimeout(resolve, (i * 1000) / JOINS_PER_SEC));
                await join(false);
            }),
        );
        let attackerAccepted = 0;
        const attacker = setInterval(() => {
            const used = visitors.find((v) => v.bought);
            const attempts = [undefined, `${"A".repeat(102)}`, used?.token].map((token) =>
                request(
                    "POST",
                    `/events/${event.id}/orders`,
                    { ticketTypeId, quantity: 1, email: "bot@example.com" },
                    { "idempotency-key": randomUUID(), ...(token ? { "admission-token": token } : {}) },
                ),
            );
            void Promise.all(attempts).then(
                (answers) => (attackerAccepted += answers.filter((a) => a.status < 300).length),
            );
        }, 250);
        await polling;
        const elapsed = (performance.now() - start) / 1000;
        const view = (await request<RoomView>("GET", `/events/${event.id}/waiting-room`, undefined, auth)).json;
        const viewAt = Date.now();
        clearInterval(attacker);
        await joining;
        if (pending > 0) await new Promise<void>((resolve) => (drained = resolve));
        await new Promise((resolve) => setTimeout(resolve, 1000)); // last purchases and attacks

        const admittedPerMinute = (view.admitted * 60) / ((viewAt - opensAtMs) / 1000);
        const post = visitors.filter((v) => !v.pre);
        const pre = visitors
            .filter((v) => v.pre && v.position !== undefined)
            .map((v) => v.position!)
            .sort((a, b) => a - b);
        // Every pre-start visitor polled after the draw: their places are exactly 1..n, and every later join comes after them.
        const drawOk = pre.length === preCount && pre.every((p, i) => p === i + 1);
        const postOk = post.every((v) => v.position! > preCount);
        // Admission order: a post-start place seen waiting after a later place was seen admitted.
        const admittedBySeen = admittedSeen.filter((a) => a.position > preCount).sort((a, b) => a.at - b.at);
        const waitingBySent = waitingSeen.sort((a, b) => a.at - b.at);
        let admissionInversions = 0;
        let maxAdmitted = -Infinity;
        let j = 0;
        for (const w of waitingBySent) {
            while (j < admittedBySeen.length && admittedBySeen[j].at < w.at)
                maxAdmitted = Math.max(maxAdmitted, admittedBySeen[j++].position);
            if (maxAdmitted > w.position) admissionInversions++;
        }
        const audit = (
            await sql.query<{ orders: number; without: number }>(
                `SELECT count(*)::int AS orders, count(*) FILTER (WHERE a.order_id IS NULL)::int AS without
       FROM orders o LEFT JOIN admission_uses a ON a.order_id = o.id WHERE o.event_id = $1`,
                [event.id],
            )
        ).rows[0];
        log("capacity: status call and /healthz, closed loop, 32 connections, 5 s each");
        const waiting = visitors.filter((v) => !v.bought);
        const healthz = await capacity(
            server,
            () => "/healthz",
            () => ({}),
        );
        const status = await capacity(
            server,
            (i) => `/events/${event.id}/queue/${waiting[i % waiting.length].ticket}`,
            (i) => ({ "visitor-id": waiting[i % waiting.length].id }),
        );
        latencies.sort((a, b) => a - b);
        const result = {
            visitors: visitors.length,
            admitted: view.admitted,
            admittedPerMinute: Math.round(admittedPerMinute * 10) / 10,
            configuredPerMinute: RATE,
            rateErrorPercent: Math.round(((admittedPerMinute - RATE) / RATE) * 1000) / 10,
            measuredByRoomPerMinute: Math.round(view.admittedPerMinute * 10) / 10,
            fifoInversions: placeInversions(post) + admissionInversions,
            preStartDrawIsPermutation: drawOk && postOk,
            orders: audit.orders,
            ordersWithoutToken: audit.without,
            attackerOrdersAccepted: attackerAccepted,
            pollsPerSec: Math.round(latencies.length / elapsed),
            statusP50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
            statusP99Ms: Math.round(percentile(latencies, 0.99) * 10) / 10,
            statusMaxMs: Math.round((latencies[latencies.length - 1] ?? 0) * 10) / 10,
            statusP99BeforeStartMs:
                Math.round(
                    percentile(
                        beforeStart.sort((a, b) => a - b),
                        0.99,
                    ) * 10,
                ) / 10,
            statusP99MsPer10s: byWindow.map(
                (w) =>
                    Math.round(
                        percentile(
                            w.sort((a, b) => a - b),
                            0.99,
                        ) * 10,
                    ) / 10,
            ),
            pollErrors,
            orderErrors,
            statusCapacityPerSec: status.perSec,
            healthzCapacityPerSec: healthz.perSec,
            statusServerCpuMicros: status.serverCpuMicrosPerRequest,
            healthzServerCpuMicros: healthz.serverCpuMicrosPerRequest,
        };
        log(
            `admitted ${result.admitted} in ${((viewAt - opensAtMs) / 1000).toFixed(1)} s; ${result.orders} orders; ${latencies.length} polls`,
        );
        const failed = [
            Math.abs(result.rateErrorPercent) > 5 && "admitted rate off by more than 5 %",
            result.fifoInversions > 0 && "FIFO inversions",
            !result.preStartDrawIsPermutation && "pre-start draw",
            result.ordersWithoutToken > 0 && "orders without a token",
            result.attackerOrdersAccepted > 0 && "attacker orders accepted",
            result.statusP99Ms >= 20 && "status p99 not under 20 ms",
            pollErrors + orderErrors > 0 && "errors",
        ].filter(Boolean);
        if (failed.length > 0) {
            log(`FAILED: ${failed.join(", ")}`);
            process.exitCode = 1;
        }
        process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
        agent.destroy();
        if (server && server.exitCode === null) {
            const exited = new Promise((resolve) => server!.once("exit", resolve));
            server.kill("SIGTERM");
            await exited;
        }
        const keys = await redis.keys(`boxoffice:${STACK}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
        await sql.end();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
    }
}

main().catch((error) => {
    log(`failed: ${error?.stack ?? error}`);
    process.exit(1);
});
