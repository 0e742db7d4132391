/**
 * `npm run loadgen -- --url https://staging.example.com --profile surge --max-requests 5000 --max-seconds 120
 *  --create-event`: load-tests a deployed service before an on-sale. Prints a progress line per second
 * and a summary (or, with --json, one JSON line); --out DIR keeps the records and the timeline.
 * Exit 0 when the run completed, 1 when the service admitted a ticket twice or the error share went over
 * --max-error-rate, 2 on a usage error or when the event to buy from cannot be found or created.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { CliOptions, USAGE, UsageError, cliProfile, parseCliArgs } from "./cli-args";
import { HttpClient } from "./http-client";
import { LoadGenerator } from "./load-generator";
import { profileArrivals } from "./profile";
import type { RequestRecord } from "./records";
import { renderTimelineSvg } from "./timeline-svg";
import { RunSummary, formatProgress, formatSummary } from "./summary";

/** The admin token's variable: a token on the command line would sit in shell history and `ps`. */
export const ADMIN_TOKEN_VARIABLE = "BOXOFFICE_ADMIN_TOKEN";

class SetupError extends Error {}

async function main(): Promise<number> {
    const options = parseCliArgs(process.argv.slice(2));
    const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
    const target = await resolveTarget(options, say);
    const profile = cliProfile(options);
    const phases = profile.phases.map((p) => {
        const rates = p.endRate !== p.startRate ? `${rate(p.startRate)}->${rate(p.endRate)}` : rate(p.startRate);
        return `${p.name} ${p.seconds.toFixed(0)}s ${rates}/s`;
    });
    say(
        `load test of ${new URL(options.url).origin}: ${options.profileName} profile (${phases.join(", ")}), ` +
            `${profileArrivals(profile)} arrivals scheduled; at most ${options.maxRequests} requests in ${options.maxSeconds}s`,
    );
    const generator = new LoadGenerator({
        baseUrl: options.url,
        eventId: target.eventId,
        ticketTypeIds: target.ticketTypeIds,
        profile,
        maxRequests: options.maxRequests,
        maxSeconds: options.maxSeconds,
        scanShare: options.scanShare,
        rescanShare: options.rescanShare,
        lookupShare: options.lookupShare,
        quantity: options.quantity,
        email: options.email,
        timeoutMs: options.timeoutMs,
        maxInFlight: options.maxInFlight,
        seed: options.seed,
        onProgress: (progress) => say(formatProgress(progress)),
    });
    let interrupted = false;
    process.on("SIGINT", () => {
        if (interrupted) process.exit(130);
        interrupted = true;
        say("interrupted: stopping (press Ctrl-C again to quit at once)");
        void generator.stop();
    });
    generator.start();
    await generator.done;
    const summary = generator.summary();
    if (options.outDir) await writeOutputs(options.outDir, generator.records, summary, say);
    if (options.ackedOrderIdsFile) await writeAckedOrderIds(options.ackedOrderIdsFile, generator, say);
    const failures = verdict(summary, options);
    if (options.json)
        await write(process.stdout, `${JSON.stringify({ ...summary, eventId: target.eventId, failures })}\n`);
    else await write(process.stdout, `\n${formatSummary(summary)}\n${failures.map((f) => `FAILED: ${f}\n`).join("")}`);
    return failures.length ? 1 : 0;
}

/** The event and ticket types to buy: given, read from the service, or created for the test. */
async function resolveTarget(
    options: CliOptions,
    say: (line: string) => void,
): Promise<{ eventId: string; ticketTypeIds: string[] }> {
    const client = new HttpClient({ baseUrl: options.url, maxConnections: 1, timeoutMs: options.timeoutMs });
    try {
        if (options.createEvent) {
            const token = process.env[ADMIN_TOKEN_VARIABLE];
            if (!token)
                throw new UsageError(
                    `--create-event needs the admin token in the environment variable ${ADMIN_TOKEN_VARIABLE}`,
                );
            const name = `boxoffice load test ${new Date().toISOString()} (not for sale)`;
            // Enough never to sell out (an order takes at most 10 tickets) unless --capacity says otherwise.
            const capacity = options.capacity ?? Math.min(10_000_000, options.maxRequests * 10);
            const response = await client.request("POST", "/events", {
                headers: { authorization: `Bearer ${token}` },
                json: {
                    name,
                    // A year ahead: clearly not a real show, and never "past" while the test runs.
                    startsAt: new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString(),
                    ticketTypes: [{ name: "Load test", priceCents: 0, capacity }],
                },
            });
            const body = response.body as { id?: string; ticketTypes?: Array<{ id: string }> } | undefined;
            if (response.status !== 201 || !body?.id || !body.ticketTypes?.length) {
                throw new SetupError(
                    `could not create the load-test event: ${describe(response.status, response.error, response.body)}`,
                );
            }
            say(`created event "${name}" (${body.id})`);
            return { eventId: body.id, ticketTypeIds: body.ticketTypes.map((type) => type.id) };
        }
        if (options.ticketTypeIds.length) return { eventId: options.eventId!, ticketTypeIds: options.ticketTypeIds };
        const response = await client.request("GET", `/events/${options.eventId}`);
        const body = response.body as { ticketTypes?: Array<{ id: string }> } | undefined;
        if (response.status !== 200 || !body?.ticketTypes?.length) {
            throw new SetupError(
                `could not read event ${options.eventId}: ${describe(response.status, response.error, response.body)}`,
            );
        }
        return { eventId: options.eventId!, ticketTypeIds: body.ticketTypes.map((type) => type.id) };
    } finally {
        client.close();
    }
}

function describe(status: number, error: string | undefined, body: unknown): string {
    if (status === 0) return `no answer (${error})`;
    const code = (body as { error?: unknown } | undefined)?.error;
    return `HTTP ${status}${typeof code === "string" ? ` ${code}` : ""}`;
}

function verdict(summary: RunSummary, options: CliOptions): string[] {
    const failures: string[] = [];
    if (summary.codesAdmittedTwice > 0)
        failures.push(`${summary.codesAdmittedTwice} ticket(s) answered "admitted" twice`);
    if (options.maxErrorRate !== undefined && summary.errorRate > options.maxErrorRate) {
        const percent = (share: number) => `${(share * 100).toFixed(2)}%`;
        failures.push(
            `error rate ${percent(summary.errorRate)} above --max-error-rate ${percent(options.maxErrorRate)}`,
        );
    }
    return failures;
}

/**
 * The ids of the acknowledged orders, for the game-day check that every one is stored. An id alone does not
 * open an order (`GET /orders/:id` also needs the buyer's Order-Secret); the file is still the owner's only.
 */
async function writeAckedOrderIds(file: string, generator: LoadGenerator, say: (line: string) => void): Promise<void> {
    const ids = generator.acknowledgedOrders().map((order) => order.orderId);
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, ids.length ? `${ids.join("\n")}\n` : "", { mode: 0o600 });
    say(`wrote ${ids.length} acknowledged order ids to ${file}`);
}

/**
 * records.jsonl holds no Idempotency-Key (a replay of the purchase answers with the order and its tickets)
 * and no order id; a short hash of the key still groups the tries of one purchase.
 */
async function writeOutputs(
    dir: string,
    records: RequestRecord[],
    summary: RunSummary,
    say: (line: string) => void,
): Promise<void> {
    await mkdir(dir, { recursive: true });
    const lines = records.map((record) => {
        const { orderId: _orderId, idempotencyKey, ...rest } = record;
        const purchase = idempotencyKey
            ? createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 12)
            : undefined;
        return JSON.stringify(purchase ? { ...rest, purchase } : rest);
    });
    await writeFile(path.join(dir, "records.jsonl"), lines.length ? `${lines.join("\n")}\n` : "");
    await writeFile(path.join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFile(path.join(dir, "timeline.svg"), renderTimelineSvg(records));
    say(`wrote ${path.join(dir, "records.jsonl")}, summary.json and timeline.svg`);
}

function rate(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Resolves once the text is handed to the OS, so a piped summary is never cut off by the exit. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
    return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

main().then(
    (code) => process.exit(code),
    (error) => {
        if (error instanceof UsageError && error.message === USAGE) {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        }
        const known = error instanceof UsageError || error instanceof SetupError;
        process.stderr.write(
            `${known ? error.message : `loadgen failed: ${error instanceof Error ? error.stack : String(error)}`}\n`,
        );
        process.exit(known ? 2 : 1);
    },
);
