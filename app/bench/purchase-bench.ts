/**
 * npm run bench:app — purchases/s through the HTTP API vs the same transaction as raw SQL, at the
 * same concurrency, in one run against real PostgreSQL; then check-in latency at a fixed rate.
 * Last line: {"appPurchasesPerSec", "sqlPurchasesPerSec", "ratio", "oversold", "checkinP99Ms"}.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a fresh database is created
 * and dropped), BENCH_CONCURRENCY (16), BENCH_PURCHASES (2000 per phase), BENCH_CHECKIN_RATE (200/s),
 * BENCH_CHECKIN_SECONDS (5). Loopback only.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { Pool } from "pg";
import { freePort, LoopbackClient } from "./loopback-client";
import { PURCHASE_SQL, requestHash, ticketInsertSql } from "../src/services/purchase";

const BASE_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const C = Number(process.env.BENCH_CONCURRENCY ?? 16);
const N = Number(process.env.BENCH_PURCHASES ?? 2000);
const CHECKIN_RATE = Number(process.env.BENCH_CHECKIN_RATE ?? 200);
const CHECKIN_SECONDS = Number(process.env.BENCH_CHECKIN_SECONDS ?? 5);
const WARMUP = 200;
const DEADLINE_MS = 300_000;
const ADMIN_TOKEN = randomBytes(32).toString("base64url"); // production wants at least 32 characters
/** The raw SQL loop stores an order secret's hash and sealed copy of the real sizes (32 and 60 bytes). */
const RAW_SECRET_HASH = randomBytes(32);
const RAW_SECRET_SEALED = randomBytes(60);

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const client = new LoopbackClient(C);
const request = client.request.bind(client);

/** Runs `total` tasks with `concurrency` in flight; returns elapsed seconds. */
async function run(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (next < total) await task(next++);
        }),
    );
    return Number(process.hrtime.bigint() - started) / 1e9;
}

async function startServer(databaseUrl: string): Promise<ChildProcess> {
    client.port = await freePort();
    const child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "../src/server.ts")],
        {
            env: {
                ...process.env,
                NODE_ENV: "production",
                DATABASE_URL: `${databaseUrl}?sslmode=disable`,
                DATABASE_POOL_MAX: String(C),
                ADMIN_TOKEN,
                TICKET_SIGNING_KEY: randomBytes(32).toString("base64"),
                HOST: "127.0.0.1",
                PORT: String(client.port),
                LOG_LEVEL: "warn",
                SHUTDOWN_DRAIN_MS: "0",
                REDIS_URL: "",
                MEMCACHED_SERVERS: "",
            },
            stdio: ["ignore", "inherit", "inherit"],
        },
    );
    for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) throw new Error("server exited during start-up");
        const ready = await request("GET", "/readyz").catch(() => undefined);
        if (ready?.status === 200) return child;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("server did not become ready");
}

async function main(): Promise<void> {
    const timer = setTimeout(() => {
        log("deadline exceeded");
        process.exit(1);
    }, DEADLINE_MS);
    timer.unref();
    const dbName = `boxoffice_bench_${randomBytes(4).toString("hex")}`;
    const admin = new Pool({ connectionString: BASE_URL, max: 1 });
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(BASE_URL);
    url.pathname = `/${dbName}`;
    let server: ChildProcess | undefined;
    const sql = new Pool({ connectionString: url.toString(), max: C });
    try {
        server = await startServer(url.toString()); // migrates the fresh database
        const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
        const created = await request<{ id: string; ticketTypes: Array<{ id: string }> }>(
            "POST",
            "/events",
            {
                name: "Bench",
                startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
                ticketTypes: [
                    { name: "warmup", priceCents: 1000, capacity: WARMUP * 2 },
                    { name: "app", priceCents: 1000, capacity: N },
                    { name: "sql", priceCents: 1000, capacity: N },
                ],
            },
            auth,
        );
        const eventId: string = created.json.id;
        const [warm, appType, sqlType] = created.json.ticketTypes.map((t) => t.id);

        const buy = async (ticketTypeId: string) => {
            const res = await request<{ tickets: Array<{ code: string }> }>(
                "POST",
                `/events/${eventId}/orders`,
                { ticketTypeId, quantity: 1, email: "bench@example.com" },
                { "idempotency-key": randomUUID() },
            );
            return res;
        };
        const sqlBuy = async (ticketTypeId: string) => {
            const input = {
                idempotencyKey: randomUUID(),
                eventId,
                ticketTypeId,
                quantity: 1,
                email: "bench@example.com",
            };
            const orderId = randomUUID();
            const client = await sql.connect();
            try {
                await client.query("BEGIN");
                await client.query(PURCHASE_SQL.claimKey, [input.idempotencyKey, requestHash(input), orderId]);
                // Pre-made like the codes: the raw loop measures the statements, not the app's crypto.
                await client.query(PURCHASE_SQL.insertOrder, [
                    orderId,
                    eventId,
                    ticketTypeId,
                    input.email,
                    1,
                    RAW_SECRET_HASH,
                    RAW_SECRET_SEALED,
                ]);
                await client.query(ticketInsertSql(1), [
                    randomUUID(),
                    `raw.${randomBytes(24).toString("base64url")}`,
                    eventId,
                    orderId,
                ]);
                await client.query(PURCHASE_SQL.insertOutbox, [orderId]);
                const seats = await client.query(PURCHASE_SQL.takeSeats, [ticketTypeId, 1]);
                await client.query(seats.rowCount ? "COMMIT" : "ROLLBACK");
                return seats.rowCount === 1;
            } catch (error) {
                await client.query("ROLLBACK");
                throw error;
            } finally {
                client.release();
            }
        };

        log(`warm-up (${WARMUP} app + ${WARMUP} sql purchases)`);
        await run(WARMUP, C, async () => void (await buy(warm)));
        await run(WARMUP, C, async () => void (await sqlBuy(warm)));

        // Alternate app and SQL rounds so that background load on a shared machine hits both alike.
        const rounds = 4;
        const perRound = Math.ceil(N / rounds);
        const codes: string[] = [];
        let appErrors = 0;
        let sqlErrors = 0;
        let appSeconds = 0;
        let sqlSeconds = 0;
        log(`${N} purchases over HTTP and ${N} as raw SQL via pg, concurrency ${C}, in ${rounds} alternating rounds`);
        for (let round = 0; round < rounds; round++) {
            const count = Math.min(perRound, N - round * perRound);
            appSeconds += await run(count, C, async () => {
                const res = await buy(appType);
                if (res.status === 201) codes.push(res.json.tickets[0].code);
                else appErrors++;
            });
            sqlSeconds += await run(count, C, async () => void ((await sqlBuy(sqlType)) || sqlErrors++));
        }
        const extra = await Promise.all(Array.from({ length: C }, () => buy(appType)));
        if (extra.some((r) => r.status !== 409)) throw new Error("expected 409 sold_out beyond capacity");

        log(`check-in phase: ${CHECKIN_RATE}/s for ${CHECKIN_SECONDS}s (open loop)`);
        const total = Math.min(codes.length, CHECKIN_RATE * CHECKIN_SECONDS);
        const latencies: number[] = [];
        let checkinErrors = 0;
        const t0 = performance.now() + 50;
        await Promise.all(
            Array.from({ length: total }, async (_, i) => {
                const scheduled = t0 + (i * 1000) / CHECKIN_RATE;
                await new Promise((resolve) => setTimeout(resolve, Math.max(0, scheduled - performance.now())));
                const res = await request("POST", "/checkins", { code: codes[i], gate: "bench" });
                // Measured from the scheduled send time, so a stall is not hidden by sending later.
                latencies.push(performance.now() - scheduled);
                if (res.status !== 200) checkinErrors++;
            }),
        );
        latencies.sort((a, b) => a - b);
        const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? 0;

        const audit = await sql.query<{ oversold: number; mismatched: number }>(`
      SELECT coalesce(sum(greatest(0, n.tickets - t.capacity)), 0)::int AS oversold,
             count(*) FILTER (WHERE n.tickets <> t.sold OR t.sold > t.capacity)::int AS mismatched
      FROM ticket_types t
      CROSS JOIN LATERAL (SELECT count(*)::int AS tickets FROM tickets k JOIN orders o ON o.id = k.order_id WHERE o.ticket_type_id = t.id) n`);
        const appRate = (N - appErrors) / appSeconds;
        const sqlRate = (N - sqlErrors) / sqlSeconds;
        log(
            `app ${appRate.toFixed(0)}/s (${appErrors} errors), sql ${sqlRate.toFixed(0)}/s (${sqlErrors} errors), check-ins ${total} (${checkinErrors} errors), mismatched ticket types ${audit.rows[0].mismatched}`,
        );
        if (appErrors || sqlErrors || checkinErrors || audit.rows[0].mismatched) process.exitCode = 1;
        process.stdout.write(
            `${JSON.stringify({
                appPurchasesPerSec: Math.round(appRate),
                sqlPurchasesPerSec: Math.round(sqlRate),
                ratio: Math.round((appRate / sqlRate) * 100) / 100,
                oversold: audit.rows[0].oversold,
                checkinP99Ms: Math.round(p99 * 10) / 10,
            })}\n`,
        );
    } finally {
        client.agent.destroy();
        await sql.end();
        if (server && server.exitCode === null) {
            const exited = new Promise((resolve) => server!.once("exit", resolve));
            server.kill("SIGTERM");
            await exited;
        }
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
    }
}

main().catch((error) => {
    log(`failed: ${error?.stack ?? error}`);
    process.exit(1);
});
