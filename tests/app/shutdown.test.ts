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
    http
      .get({ host: "127.0.0.1", port, path: url, agent: false }, (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

/**
 * The real server process (what the container runs, on the embedded default): SIGTERM while a
 * request is in flight lets that request finish, readiness reports 503 meanwhile, exit code 0.
 */
describe("server process graceful shutdown", function () {
  this.timeout(45_000);
  let child: ChildProcess | undefined;
  let dataDir: string;

  afterEach(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finishes the in-flight request, answers readiness 503, exits 0 within 30 s", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "boxoffice-shutdown-"));
    const port = await closedPort();
    child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "app/src/server.ts"], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", BOXOFFICE_DATA_DIR: dataDir, SHUTDOWN_DRAIN_MS: "1500", LOG_LEVEL: "warn", DATABASE_URL: "", REDIS_URL: "", MEMCACHED_SERVERS: "", NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    for (let i = 0; !/admin token:\s+(\S+)/.test(output); i++) {
      assert.ok(i < 300 && child.exitCode === null, `server did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const token = /admin token:\s+(\S+)/.exec(output)![1];
    assert.equal((await get(port, "/readyz")).status, 200);

    // Start a request and hold back the end of its body, so it is in flight across the SIGTERM.
    const body = JSON.stringify({ name: "Late show", startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(), ticketTypes: [{ name: "GA", priceCents: 100, capacity: 5 }] });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, method: "POST", path: "/events", agent: false, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 20));
      setTimeout(() => req.end(body.slice(20)), 2500); // after the drain window: the listener is closing
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const readiness = await get(port, "/readyz");
    assert.equal(readiness.status, 503);
    assert.equal(JSON.parse(readiness.body).error, "draining");
    // The load balancers' check: 503 while draining, so they stop sending before the listener closes.
    assert.equal((await get(port, "/healthz")).status, 503);

    const finished = await response;
    assert.equal(finished.status, 201, finished.body);
    assert.equal(JSON.parse(finished.body).name, "Late show");
    assert.equal(await exited, 0, output);
    assert.ok(Date.now() - signalledAt < 30_000);
  });
});
