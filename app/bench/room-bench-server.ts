/**
 * The server side of `npm run bench:room`: the real server process (production mode) on a free loopback port, a
 * keep-alive HTTP client for it, and the closed-loop capacity probe.
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { cpuSeconds, freePort } from "./room-bench-util";

export const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
let port = 0;

/** An answer: the status and the parsed JSON body, typed by the caller as the route's documented shape. */
export interface Answer<T = unknown> {
    status: number;
    json: T;
}

export function request<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
): Promise<Answer<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                method,
                path: url,
                agent,
                headers: {
                    ...headers,
                    ...(payload
                        ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
                        : {}),
                },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (chunk) => chunks.push(chunk));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString();
                    resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
                });
            },
        );
        req.on("error", reject);
        req.end(payload);
    });
}

/** What the server under test is started with; everything else is the production default. */
export interface ServerOptions {
    databaseUrl: string;
    adminToken: string;
    redisUrl: string;
    stack: string;
}

export async function startServer({ databaseUrl, adminToken, redisUrl, stack }: ServerOptions): Promise<ChildProcess> {
    port = await freePort();
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
                PORT: String(port),
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
