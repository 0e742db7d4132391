/**
 * The server side of `npm run bench:room`: the real server process (production mode) on a free loopback port, a
 * keep-alive HTTP client for it, and the closed-loop capacity probe.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { freePort, LoopbackClient } from "./loopback-client";
import { cpuSeconds } from "./room-bench-util";

const client = new LoopbackClient(128);
export const agent = client.agent;
export const request = client.request.bind(client);

/** What the server under test is started with; everything else is the production default. */
export interface ServerOptions {
    databaseUrl: string;
    adminToken: string;
    redisUrl: string;
    stack: string;
}

export async function startServer({ databaseUrl, adminToken, redisUrl, stack }: ServerOptions): Promise<ChildProcess> {
    client.port = await freePort();
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
    const child = spawn(
        process.execPath,
        [...nodeArgs, "-r", "ts-node/register/transpile-only", path.join(__dirname, "../src/server.ts")],
        {
            env: {
                ...process.env,
                NODE_ENV: "production",
                DATABASE_URL: `${databaseUrl}?sslmode=disable`,
                ADMIN_TOKEN: adminToken,
                TICKET_SIGNING_KEY: randomBytes(32).toString("base64"),
                HOST: "127.0.0.1",
                PORT: String(client.port),
                LOG_LEVEL: "warn",
                SHUTDOWN_DRAIN_MS: "0",
                REDIS_URL: redisUrl,
                BOXOFFICE_STACK: stack,
                MEMCACHED_SERVERS: "",
            },
            stdio: ["ignore", "inherit", "inherit"],
        },
    );
    for (let i = 0; i < 600; i++) {
        if (child.exitCode !== null) throw new Error("server exited during start-up");
        if ((await request("GET", "/readyz").catch(() => undefined))?.status === 200) return child;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("server did not become ready");
}

/**
 * Closed loop, `connections` at a time for `ms`: requests per second, and the server's CPU per request, so the
 * status call can be set against GET /healthz (the cheapest route) measured in the same run.
 */
export async function capacity(
    server: ChildProcess,
    path: (i: number) => string,
    headers: (i: number) => Record<string, string>,
    ms = 5000,
    connections = 32,
) {
    let n = 0;
    const cpu0 = cpuSeconds(server.pid!);
    const t0 = performance.now();
    await Promise.all(
        Array.from({ length: connections }, async () => {
            while (performance.now() - t0 < ms) {
                const i = n++;
                const res = await request("GET", path(i), undefined, headers(i));
                if (res.status !== 200) throw new Error(`capacity: ${res.status}`);
            }
        }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpu0 === undefined ? undefined : cpuSeconds(server.pid!)! - cpu0;
    return {
        perSec: Math.round(n / seconds),
        serverCpuMicrosPerRequest: cpu === undefined ? null : Math.round((cpu / n) * 1e6),
    };
}
