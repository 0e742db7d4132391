import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { USAGE, parseCliArgs } from "../../../tools/loadgen/cli-args";
import { ADMIN_TOKEN, Backend, pgliteBackend } from "../../app/helpers/harness";
import { createEvent } from "../../app/helpers/fixtures";

const ROOT = path.resolve(__dirname, "../../..");
const EVENT = "0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

/** Runs `npm run loadgen` as a separate process, without blocking this one (it serves the app). */
function loadgen(
    args: string[],
    env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(
            process.execPath,
            [path.join(ROOT, "tools/ts-run.js"), path.join(ROOT, "tools/loadgen/cli.ts"), ...args],
            {
                cwd: ROOT,
                env: { ...process.env, BOXOFFICE_ADMIN_TOKEN: "", ...env },
            },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("loadgen command line", function () {
    this.timeout(60_000);

    describe("arguments", () => {
        it("defaults to a bounded surge and needs a URL and something to buy", () => {
            const options = parseCliArgs(["--url", "https://staging.example.com", "--event", EVENT.toUpperCase()]);
            assert.equal(options.profileName, "surge");
            assert.equal(options.maxRequests, 1000);
            assert.equal(options.maxSeconds, 60);
            assert.equal(options.eventId, EVENT);
            assert.throws(() => parseCliArgs([]), /--url is required/);
            assert.throws(
                () => parseCliArgs(["--url", "https://s.example.com"]),
                /either --event ID \[--ticket-type ID\] or --create-event/,
            );
            assert.throws(
                () => parseCliArgs(["--url", "https://s.example.com", "--event", EVENT, "--create-event"]),
                /either --event/,
            );
        });

        it("names the flag, the value and the rule for a bad value", () => {
            const base = ["--url", "https://s.example.com", "--create-event"];
            assert.throws(
                () => parseCliArgs([...base, "--max-requests", "ten"]),
                /^Error: --max-requests ten: must be an integer in 1\.\.10000000$/,
            );
            assert.throws(() => parseCliArgs([...base, "--rate", "0"]), /--rate 0: must be a number in 0\.01\.\.20000/);
            assert.throws(
                () => parseCliArgs([...base, "--profile", "spike"]),
                /--profile spike: must be surge or steady/,
            );
            assert.throws(
                () => parseCliArgs([...base, "--quantity", "3-11"]),
                /--quantity 3-11: must be N or MIN-MAX within 1\.\.10/,
            );
            assert.throws(
                () => parseCliArgs([...base, "--scan-share", "0.7", "--lookup-share", "0.5"]),
                /must not exceed 1/,
            );
            assert.throws(
                () => parseCliArgs(["--url", "ftp://s.example.com", "--create-event"]),
                /must be http:\/\/ or https:\/\//,
            );
            assert.throws(
                () => parseCliArgs(["--url", "https://u:p@s.example.com", "--create-event"]),
                /must not carry credentials/,
            );
            assert.throws(() => parseCliArgs([...base, "--ticket-type", EVENT]), /--ticket-type needs --event/);
            assert.throws(() => parseCliArgs([...base, "--token", "x"]), /unknown argument --token/);
            assert.deepEqual(parseCliArgs([...base, "--quantity=2-4", "--max-seconds=90"]).quantity, {
                min: 2,
                max: 4,
            });
        });

        it("prints the usage for --help and exits 0", async () => {
            const run = await loadgen(["--help"]);
            assert.equal(run.code, 0);
            assert.equal(run.stdout.trim(), USAGE.trim());
        });
    });

    describe("against the service", () => {
        let backend: Backend;
        let app: FastifyInstance;
        let url: string;
        let out: string;

        before(async () => {
            backend = await pgliteBackend();
            app = await backend.app();
            url = await app.listen({ port: 0, host: "127.0.0.1" });
            out = mkdtempSync(path.join(os.tmpdir(), "boxoffice-loadgen-"));
        });
        after(async () => {
            await backend?.close();
            if (out) rmSync(out, { recursive: true, force: true });
        });

        it("creates a load-test event with the token from the environment, runs bounded, and writes its outputs", async () => {
            const run = await loadgen(
                [
                    "--url",
                    url,
                    "--create-event",
                    "--profile",
                    "steady",
                    "--rate",
                    "20",
                    "--max-requests",
                    "30",
                    "--max-seconds",
                    "5",
                    "--json",
                    "--out",
                    out,
                    "--acked-order-ids",
                    path.join(out, "game-day", "acked.txt"),
                ],
                { BOXOFFICE_ADMIN_TOKEN: ADMIN_TOKEN },
            );
            assert.equal(run.code, 0, run.stderr);
            const lines = run.stdout.trim().split("\n");
            assert.equal(lines.length, 1, "with --json, stdout is the one summary line");
            const summary = JSON.parse(lines[0]);
            assert.ok(summary.requests > 0 && summary.requests <= 30, `${summary.requests} requests`);
            assert.ok(["max-requests", "profile-complete"].includes(summary.stopReason));
            assert.deepEqual(summary.failures, []);
            assert.ok(summary.acknowledgedOrders > 0);
            assert.match(run.stderr, /created event "boxoffice load test .* \(not for sale\)"/);
            assert.match(run.stderr, /^\s+\d+s\s+steady\s+target\s+\d+\/s\s+sent\s+\d+\/s\s+2xx\s+\d+/m);
            assert.ok(
                !run.stdout.includes(ADMIN_TOKEN) && !run.stderr.includes(ADMIN_TOKEN),
                "the admin token is never printed",
            );

            const event = await app.inject(`/events/${summary.eventId}`);
            assert.match(event.json().name, /^boxoffice load test/);
            const records = readFileSync(path.join(out, "records.jsonl"), "utf8")
                .trim()
                .split("\n")
                .map((line) => JSON.parse(line));
            assert.equal(records.length, summary.requests);
            for (const record of records) {
                assert.ok(
                    !("orderId" in record) && !("idempotencyKey" in record),
                    "nothing in the records lets a reader fetch an order",
                );
            }
            assert.ok(records.some((r) => r.kind === "buy" && typeof r.purchase === "string"));
            assert.equal(JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")).requests, summary.requests);
            assert.match(readFileSync(path.join(out, "timeline.svg"), "utf8"), /^<svg xmlns/);

            const idsFile = path.join(out, "game-day", "acked.txt");
            const ids = readFileSync(idsFile, "utf8").trim().split("\n");
            assert.equal(ids.length, summary.acknowledgedOrders, "one line per acknowledged order");
            assert.equal(new Set(ids).size, ids.length, "no id twice");
            for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            assert.equal(statSync(idsFile).mode & 0o777, 0o600, "only the owner reads the ids");
            assert.match(run.stderr, new RegExp(`wrote ${ids.length} acknowledged order ids`));
        });

        it("buys from an existing event, reading its ticket types from the service", async () => {
            const event = await createEvent(app, 1000);
            const run = await loadgen([
                "--url",
                url,
                "--event",
                event.id,
                "--profile",
                "surge",
                "--rate",
                "10",
                "--max-requests",
                "15",
                "--max-seconds",
                "4",
            ]);
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /^orders\s+\d+ acknowledged with \d+ tickets$/m);
            assert.match(run.stdout, /^stopped\s+(max-requests|profile-complete) after/m);
        });

        it("exits 2 naming the variable when the admin token is missing, and without printing a wrong one", async () => {
            const missing = await loadgen(["--url", url, "--create-event"]);
            assert.equal(missing.code, 2);
            assert.match(
                missing.stderr,
                /--create-event needs the admin token in the environment variable BOXOFFICE_ADMIN_TOKEN/,
            );
            const wrong = await loadgen(["--url", url, "--create-event"], {
                BOXOFFICE_ADMIN_TOKEN: "not-the-token-1234",
            });
            assert.equal(wrong.code, 2);
            assert.match(wrong.stderr, /could not create the load-test event: HTTP 401 unauthorized/);
            assert.ok(!wrong.stderr.includes("not-the-token-1234") && !wrong.stdout.includes("not-the-token-1234"));
            const unknown = await loadgen(["--url", url, "--event", EVENT]);
            assert.equal(unknown.code, 2);
            assert.match(unknown.stderr, /could not read event .*: HTTP 404 not_found/);
        });
    });
});
