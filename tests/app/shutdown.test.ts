import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { closedPort } from "./helpers/harness";

const ROOT = path.resolve(__dirname, "../..");

function get(port: number, url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: url, agent: false }, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        }).on("error", reject);
    });
}

/** Polls `probe` every 50 ms until `done` holds; fails after a minute. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const giveUpAt = Date.now() + 60_000;
    for (;;) {
        const value = await probe();
        if (done(value)) return value;
        assert.ok(Date.now() < giveUpAt, `still ${JSON.stringify(value)} after a minute`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/**
 * The real server process (what the container runs, on the embedded default): SIGTERM while a
 * request is in flight lets that request finish, readiness reports 503 meanwhile, exit code 0.
 */
describe("server process graceful shutdown", function () {
    // Start-up runs initdb for a fresh embedded database: seconds when the machine is quiet, much
    // longer when it is busy. Nothing here is timed except the shutdown itself.
    this.timeout(240_000);
    let child: ChildProcess | undefined;
    let dataDir: string;

    afterEach(async () => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        await rm(dataDir, { recursive: true, force: true });
    });

    it("answers health 503 while draining, refuses new connections, finishes the in-flight request, exits 0 within 30 s", async () => {
        dataDir = await mkdtemp(path.join(os.tmpdir(), "boxoffice-shutdown-"));
        const port = await closedPort();
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "app/src/server.ts"], {
            cwd: ROOT,
            env: {
                ...process.env,
                PORT: String(port),
                HOST: "127.0.0.1",
                BOXOFFICE_DATA_DIR: dataDir,
                SHUTDOWN_DRAIN_MS: "3000",
                LOG_LEVEL: "warn",
                DATABASE_URL: "",
                REDIS_URL: "",
                MEMCACHED_SERVERS: "",
                NODE_ENV: "test",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout!.on("data", (chunk) => (output += chunk));
        child.stderr!.on("data", (chunk) => (output += chunk));
        const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
        const startBy = Date.now() + 180_000;
        while (!/admin token:\s+(\S+)/.test(output)) {
            assert.ok(Date.now() < startBy && child.exitCode === null, `server did not start: ${output}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const token = /admin token:\s+(\S+)/.exec(output)![1];
        assert.equal((await get(port, "/readyz")).status, 200);

        // Start a request and hold back the end of its body, so it is in flight across the SIGTERM.
        const body = JSON.stringify({
            name: "Late show",
            startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
            ticketTypes: [{ name: "GA", priceCents: 100, capacity: 5 }],
        });
        let endBody!: () => void;
        const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = http.request(
                {
                    host: "127.0.0.1",
                    port,
                    method: "POST",
                    path: "/events",
                    agent: false,
                    headers: {
                        authorization: `Bearer ${token}`,
                        "content-type": "application/json",
                        "content-length": Buffer.byteLength(body),
                    },
                },
                (res) => {
                    let text = "";
                    res.on("data", (chunk) => (text += chunk));
                    res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
                },
            );
            req.on("error", reject);
            req.write(body.slice(0, 20));
            endBody = () => req.end(body.slice(20));
        });
        await new Promise((resolve) => setTimeout(resolve, 200)); // the request's head reaches the server
        const signalledAt = Date.now();
        child.kill("SIGTERM");

        // Draining: both health answers turn 503 (the load balancers stop sending) while the listener is open.
        const readiness = await until(
            () => get(port, "/readyz"),
            (r) => r.status === 503,
        );
        assert.equal(JSON.parse(readiness.body).error, "draining");
        assert.equal((await get(port, "/healthz")).status, 503);
        // Then the listener closes: new connections are refused...
        await until(
            () =>
                get(port, "/healthz").then(
                    () => "accepted",
                    () => "refused",
                ),
            (outcome) => outcome === "refused",
        );
        // ...and the request that has been in flight all along still completes.
        endBody();
        const finished = await response;
        assert.equal(finished.status, 201, finished.body);
        assert.equal(JSON.parse(finished.body).name, "Late show");
        assert.equal(await exited, 0, output);
        assert.ok(Date.now() - signalledAt < 30_000);
    });
});
