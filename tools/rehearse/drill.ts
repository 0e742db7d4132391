/**
 * The chaos drill: an event on sale, the load generator buying and scanning through the public name at a
 * bounded rate for the whole drill, the faults one after another with recovery in between, the
 * invariants checked against the database after each, and at the end the report (table, JSON, SVG).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { checkInvariants } from "../loadgen/invariants";
import { LoadGenerator } from "../loadgen/load-generator";
import { steadyProfile } from "../loadgen/profile";
import { faultStats, renderTable, renderTimelineSvg } from "../loadgen/report";
import { formatProgress } from "../loadgen/summary";
import { DrillContext } from "./drill-context";
import {
    appShareSeconds,
    contractJson,
    longestWriteMs,
    delta,
    evaluateTargets,
    FaultResult,
    FinalInvariants,
    InvariantCounts,
    passed,
    renderTargets,
    targetsTakenOut,
    ZERO,
} from "./drill-report";
import { FAULT_NAMES } from "./fault-names";
import { FAULTS } from "./faults";
import { sleep } from "./sh";

/** Confirmations of the event not yet sent and not given up (claimed ones included). */
const PENDING_SQL = `SELECT count(*)::int AS n FROM outbox x JOIN orders o ON o.id = x.order_id
  WHERE o.event_id = $1::uuid AND x.sent_at IS NULL AND x.failed_at IS NULL`;

/**
 * Waits for every confirmation to leave the outbox while the workers make progress. A backlog that
 * shrinks is slow, not lost; one that stops shrinking for longer than a lease (plus margin) is stuck.
 */
async function drain(ctx: DrillContext, eventId: string): Promise<void> {
    const stallMs = 90_000;
    let last = Number.POSITIVE_INFINITY;
    let progressAt = Date.now();
    for (;;) {
        const pending = (await ctx.query(PENDING_SQL, [eventId])).rows[0].n as number;
        if (pending === 0) return;
        if (pending < last) {
            if (Number.isFinite(last)) ctx.log(`outbox: ${pending} confirmation(s) still to send`);
            last = pending;
            progressAt = Date.now();
        }
        if (Date.now() - progressAt > stallMs) {
            ctx.log(
                `outbox: ${pending} confirmation(s) made no progress for ${stallMs / 1000} s; judging as it stands`,
            );
            return;
        }
        await sleep(5000);
    }
}

export interface DrillOptions {
    faults: string[];
    rate: number;
    outDir: string;
    json: boolean;
}

/** Orders of 1-2 tickets; the limited type sells out mid-drill so "oversold" is tested at the edge. */
async function createEvent(
    ctx: DrillContext,
    limitedCapacity: number,
): Promise<{ eventId: string; ticketTypeIds: string[] }> {
    const res = await fetch(`${ctx.state.publicUrl}/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${ctx.state.secrets.ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
            name: "Rehearsal on-sale",
            startsAt: new Date(Date.now() + 30 * 86400_000).toISOString(),
            ticketTypes: [
                { name: "General admission", priceCents: 4500, capacity: 1_000_000 },
                { name: "Front row (limited)", priceCents: 12000, capacity: limitedCapacity },
            ],
        }),
    });
    if (res.status !== 201) throw new Error(`creating the event: ${res.status} ${await res.text()}`);
    const event = (await res.json()) as { id: string; ticketTypes: Array<{ id: string }> };
    return { eventId: event.id, ticketTypeIds: event.ticketTypes.map((t) => t.id) };
}

export async function runDrill(ctx: DrillContext, o: DrillOptions): Promise<number> {
    const started = Date.now();
    const { eventId, ticketTypeIds } = await createEvent(ctx, Math.max(50, Math.round(o.rate * 20)));
    const load = new LoadGenerator({
        baseUrl: ctx.state.publicUrl,
        eventId,
        ticketTypeIds,
        profile: steadyProfile(o.rate, 3600),
        maxRequests: o.rate * 3600,
        maxSeconds: 3600,
        scanShare: 0.35,
        lookupShare: 0.1,
        timeoutMs: 15_000,
        onProgress: o.json ? undefined : (p) => process.stderr.write(`  [load] ${formatProgress(p)}\n`),
    });
    const invariantsNow = async (drainTimeoutMs: number) => {
        // The checker reads the e-mail counts after the outbox has drained: keep them current meanwhile.
        const emailsSent = new Map<string, number>();
        const refresh = async () => {
            const now = await ctx.emailsSent();
            emailsSent.clear();
            for (const [k, v] of now) emailsSent.set(k, v);
        };
        await refresh();
        const timer = setInterval(() => void refresh().catch(() => undefined), 500);
        try {
            return await checkInvariants(
                { query: (sql, params) => ctx.query(sql, params) },
                {
                    eventId,
                    acknowledged: load.acknowledgedOrders(),
                    admissions: load.admissions(),
                    emailsSent,
                    drainTimeoutMs,
                },
            );
        } finally {
            clearInterval(timer);
            await refresh();
        }
    };
    load.start();
    ctx.log(`load: ${o.rate} requests/s through ${ctx.state.publicUrl} (buys, scans, lookups)`);
    const results: FaultResult[] = [];
    const failures: Array<{ name: string; message: string }> = [];
    let before: InvariantCounts = ZERO;
    ctx.superviseTasks();
    try {
        for (const name of FAULT_NAMES.filter((f) => o.faults.includes(f))) {
            await sleep(ctx.timings.baselineMs);
            ctx.log(`fault ${results.length + 1}/${o.faults.length}: ${name}`);
            let outcome;
            try {
                outcome = await FAULTS[name](ctx);
            } catch (error) {
                // The platform did not recover as it should (or the drill could not tell): a result, not a crash.
                const message = error instanceof Error ? error.message : String(error);
                ctx.log(`${name}: FAILED: ${message}`);
                failures.push({ name, message });
                break;
            }
            if (outcome.skipped) {
                ctx.log(`${name}: skipped (${outcome.skipped})`);
                results.push({
                    outcome,
                    stats: faultStats([], { name, injectedAt: outcome.injectedAt }),
                    invariants: ZERO,
                });
                continue;
            }
            await sleep(ctx.timings.observeMs);
            const checked = await invariantsNow(0);
            const after: InvariantCounts = {
                lostOrders: checked.lostOrders,
                oversold: checked.oversold,
                doubleAdmissions: checked.doubleAdmissions,
                duplicateEmails: checked.duplicateEmails,
            };
            const result: FaultResult = {
                outcome,
                stats: faultStats(load.records, {
                    name,
                    injectedAt: outcome.injectedAt,
                    detectedAt: outcome.detectedAt,
                    recoveredAt: outcome.recoveredAt,
                    endAt: Date.now(),
                }),
                invariants: delta(after, before),
            };
            if (outcome.endpointMovedAt !== undefined && name !== "db-planned-switchover") {
                result.appShareSeconds = appShareSeconds(load.records, outcome.endpointMovedAt);
            }
            if (outcome.holdMs !== undefined && outcome.recoveredAt !== undefined) {
                const longest = longestWriteMs(load.records, outcome.injectedAt, outcome.recoveredAt);
                if (longest !== null) outcome.notes.push(`longest write sent during the hold took ${longest} ms`);
            }
            if (outcome.databaseFault) {
                result.targetsTakenOut = targetsTakenOut(
                    await ctx.events(outcome.injectedAt),
                    outcome.injectedAt,
                    outcome.repairedAt ?? Date.now(),
                );
            }
            before = after;
            results.push(result);
            ctx.log(
                `${name}: write gap ${result.stats.writeGapSeconds.toFixed(2)} s, errors ${JSON.stringify(result.stats.errors)}` +
                    `${result.appShareSeconds !== undefined ? `, app share ${result.appShareSeconds} s` : ""}; invariants ${JSON.stringify(result.invariants)}`,
            );
        }
        await sleep(ctx.timings.baselineMs);
    } finally {
        await load.stop();
        ctx.stopSupervising();
    }
    ctx.log("load stopped; waiting for the outbox to drain (a worker lease is 60 s) and checking every invariant");
    // Drained first, then the e-mail counts read, then judged: a count read before the last sends would
    // report them missing.
    await drain(ctx, eventId);
    await sleep(500);
    const checked = await invariantsNow(0);
    // Where a duplicate came from (sender and time of each copy), for whoever looks into it.
    const sesStats = await ctx.ses<{
        duplicates: Array<{ messageId: string; sends: Array<{ at: number; from: string }> }>;
    }>("GET", "/_stats");
    for (const d of sesStats.duplicates) {
        checked.details.push(
            `duplicate e-mail ${d.messageId}: ${d.sends.map((x) => `${new Date(x.at).toISOString()} from ${ctx.state.topology.hosts.find((h) => h.ip === x.from.replace(/^::ffff:/, ""))?.name ?? x.from}`).join(", ")}`,
        );
    }
    const final: FinalInvariants = {
        lostOrders: checked.lostOrders,
        oversold: checked.oversold,
        doubleAdmissions: checked.doubleAdmissions,
        duplicateEmails: checked.duplicateEmails,
        missingEmails: checked.missingEmails,
        lostOutbox: checked.lostOutbox,
        drained: checked.drained,
        details: checked.details,
    };
    return report(ctx, o, {
        results,
        final,
        failures,
        started,
        summary: load.summary(),
        records: load.records,
        counts: checked.counts,
    });
}

function report(
    ctx: DrillContext,
    o: DrillOptions,
    r: {
        results: FaultResult[];
        final: FinalInvariants;
        failures: Array<{ name: string; message: string }>;
        started: number;
        summary: unknown;
        records: LoadGenerator["records"];
        counts: unknown;
    },
): number {
    const targets = evaluateTargets(r.results, r.final, { failures: r.failures, unexpectedExits: ctx.unexpectedExits });
    const ok = passed(targets);
    const ran = r.results.filter((x) => !x.outcome.skipped);
    const table = renderTable(ran.map((x) => ({ ...x.stats, ...x.invariants })));
    const wallSeconds = Math.round((Date.now() - r.started) / 1000);
    const text = [
        `boxoffice rehearsal of stack ${ctx.state.stack}: ${ran.length} fault(s), ${wallSeconds} s of drill`,
        "",
        table,
        "",
        ...ran.map(
            (x) =>
                `${x.outcome.name}: ${x.outcome.notes.join("; ")}${x.appShareSeconds !== undefined ? `; app share ${x.appShareSeconds} s after the name moved` : ""}${x.outcome.holdMs !== undefined ? `; writes held ${x.outcome.holdMs} ms` : ""}`,
        ),
        ...r.results.filter((x) => x.outcome.skipped).map((x) => `${x.outcome.name}: skipped, ${x.outcome.skipped}`),
        "",
        `final check: ${JSON.stringify(r.counts)}${r.final.drained ? "" : " (outbox had not drained)"}`,
        ...r.final.details.map((d) => `  ${d}`),
        "",
        renderTargets(targets),
        "",
        ok ? "PASSED" : "FAILED",
    ].join("\n");
    const json = contractJson(r.results, r.final, {
        stack: ctx.state.stack,
        passed: ok,
        drillSeconds: wallSeconds,
        failedFaults: r.failures,
        unexpectedExits: ctx.unexpectedExits.length,
        reportDir: o.outDir,
    });
    const svg = renderTimelineSvg(
        r.records,
        ran.map((x) => ({
            name: x.outcome.name,
            writeGapSeconds: x.stats.writeGapSeconds,
            injectedAt: x.outcome.injectedAt,
            detectedAt: x.outcome.detectedAt,
            recoveredAt: x.outcome.recoveredAt,
            endAt: x.outcome.repairedAt,
        })),
    );
    const files = {
        table: path.join(o.outDir, "report.txt"),
        json: path.join(o.outDir, "report.json"),
        svg: path.join(o.outDir, "timeline.svg"),
        records: path.join(o.outDir, "requests.csv"),
    };
    // Every request the load generator made, for anyone who wants to look closer than the table.
    writeFileSync(
        files.records,
        [
            "kind,startedAt,endedAt,status,error,attempt",
            ...r.records.map((x) =>
                [x.kind, x.startedAt, x.endedAt, x.status, x.error ?? "", x.attempt ?? 1].join(","),
            ),
        ].join("\n") + "\n",
    );
    writeFileSync(files.table, `${text}\n`);
    writeFileSync(
        files.json,
        `${JSON.stringify({ ...json, targets, summary: r.summary, faultsDetail: r.results }, null, 2)}\n`,
    );
    writeFileSync(files.svg, svg);
    if (o.json) process.stdout.write(`${JSON.stringify(json)}\n`);
    else
        process.stdout.write(
            `\n${text}\n\nreport:   ${files.table}\n          ${files.json}\ntimeline: ${files.svg}\nrequests: ${files.records}\n`,
        );
    return ok ? 0 : 1;
}
