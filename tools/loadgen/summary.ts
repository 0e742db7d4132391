/**
 * Per-interval progress and the end-of-run summary, both computed from the request records alone, and
 * their one-line and multi-line text forms.
 */
import { Profile, arrivalsBy, phaseAt } from "./profile";
import { RequestKind, RequestRecord, countErrors, formatErrors, isSuccess, latencyMs, quantile } from "./records";

export interface Progress {
    /** Seconds since the run started. */
    elapsedSeconds: number;
    /** The profile's phase at this moment ("done" once the schedule has ended). */
    phase: string;
    /** The schedule's rate at this moment, requests/s. */
    targetRate: number;
    /** Requests sent in this interval, per second (retries included). */
    sentRate: number;
    /** Answers in this interval: 2xx, 409 refusals and errors by status ("network" for none). */
    ok: number;
    refused: number;
    errors: Record<string, number>;
    /** Latency of the answers in this interval, ms (undefined when none arrived). */
    p50Ms?: number;
    p99Ms?: number;
    inFlight: number;
    /** Totals so far. */
    sent: number;
    acknowledgedOrders: number;
    admitted: number;
    retries: number;
    droppedAtCap: number;
}

/** One interval's figures from the records that ended in it; the target is what the schedule held for it. */
export function intervalProgress(
    fresh: RequestRecord[],
    context: Pick<Progress, "inFlight" | "sent" | "acknowledgedOrders" | "admitted" | "retries" | "droppedAtCap"> & {
        profile: Profile;
        /** Seconds since the start. */
        from: number;
        to: number;
        sentInInterval: number;
    },
): Progress {
    const { profile, from, to, sentInInterval, ...totals } = context;
    const seconds = Math.max(0.001, to - from);
    const answered = fresh.filter((r) => r.status !== 0).map(latencyMs);
    const round = (value: number | undefined) => (value === undefined ? undefined : Math.round(value));
    return {
        elapsedSeconds: to,
        phase: phaseAt(profile, (from + to) / 2)?.name ?? "done",
        targetRate: (arrivalsBy(profile, to) - arrivalsBy(profile, from)) / seconds,
        sentRate: sentInInterval / seconds,
        ok: fresh.filter(isSuccess).length,
        refused: fresh.filter((r) => r.status === 409).length,
        errors: countErrors(fresh),
        p50Ms: round(quantile(answered, 0.5)),
        p99Ms: round(quantile(answered, 0.99)),
        ...totals,
    };
}

export interface GeneratorCounters {
    retries: number;
    droppedAtCap: number;
    abandonedRetries: number;
    maxSchedulerLagMs: number;
    acknowledgedOrders: number;
    acknowledgedTickets: number;
    admissions: number;
    /** Codes the service answered "admitted" for more than once: must be 0. */
    codesAdmittedTwice: number;
    connectionsOpened: number;
    lookups: number;
}

export interface KindSummary {
    requests: number;
    ok: number;
    refused: number;
    errors: Record<string, number>;
    p50Ms?: number;
    p90Ms?: number;
    p99Ms?: number;
    maxMs?: number;
}

export interface RunSummary extends GeneratorCounters {
    target: string;
    stopReason: string;
    durationSeconds: number;
    requests: number;
    /** Requests sent per second over the run. */
    achievedRate: number;
    ok: number;
    refused: number;
    errors: Record<string, number>;
    /** Share of requests that ended in an error (0..1). */
    errorRate: number;
    byKind: Partial<Record<RequestKind, KindSummary>>;
    /** What the figures suggest about the test itself (a rate limit in the way, a generator too slow). */
    notes: string[];
}

/** Above this, the generator's own machine held arrivals back: its figures understate what was asked. */
const SCHEDULE_LAG_NOTE_MS = 100;

function notesOn(all: KindSummary, counters: GeneratorCounters): string[] {
    const notes: string[] = [];
    if (all.errors["403"]) {
        notes.push(
            `${all.errors["403"]} answers were 403: the service itself never answers 403, so it is most likely the WAF's ` +
                "per-IP rate rule (boxoffice:loadBalancers.orderRateLimitPer5Min / browseRateLimitPer5Min); see docs/load-testing.md",
        );
    }
    if (counters.droppedAtCap > 0) {
        notes.push(
            `${counters.droppedAtCap} arrivals were dropped at the in-flight cap: answers came too slowly for the rate ` +
                "(or raise --max-in-flight)",
        );
    }
    if (counters.maxSchedulerLagMs > SCHEDULE_LAG_NOTE_MS) {
        notes.push(
            `the generator fell up to ${Math.round(counters.maxSchedulerLagMs)} ms behind its schedule: its machine limited ` +
                "the test; split the rate over several machines",
        );
    }
    if (counters.abandonedRetries > 0) {
        notes.push(
            `${counters.abandonedRetries} purchases or scans with an unknown outcome were not retried before the run ended`,
        );
    }
    return notes;
}

/** Latency quantiles over answered requests (an unanswered one has no latency, only a timeout). */
function latencies(records: RequestRecord[]) {
    const values = records.filter((r) => r.status !== 0).map(latencyMs);
    const round = (value: number | undefined) => (value === undefined ? undefined : Math.round(value));
    return {
        p50Ms: round(quantile(values, 0.5)),
        p90Ms: round(quantile(values, 0.9)),
        p99Ms: round(quantile(values, 0.99)),
        maxMs: values.length ? Math.round(values.reduce((a, b) => Math.max(a, b))) : undefined,
    };
}

export function summarizeKind(records: RequestRecord[]): KindSummary {
    return {
        requests: records.length,
        ok: records.filter(isSuccess).length,
        refused: records.filter((r) => r.status === 409).length,
        errors: countErrors(records),
        ...latencies(records),
    };
}

export function summarize(
    records: RequestRecord[],
    context: { target: string; stopReason: string; startedAt: number; endedAt: number; counters: GeneratorCounters },
): RunSummary {
    const all = summarizeKind(records);
    const durationSeconds = Math.max(0.001, (context.endedAt - context.startedAt) / 1000);
    const errorCount = Object.values(all.errors).reduce((sum, n) => sum + n, 0);
    const byKind: Partial<Record<RequestKind, KindSummary>> = {};
    for (const kind of ["buy", "scan", "lookup"] as const) {
        const ofKind = records.filter((r) => r.kind === kind);
        if (ofKind.length) byKind[kind] = summarizeKind(ofKind);
    }
    return {
        target: context.target,
        stopReason: context.stopReason,
        durationSeconds: round1(durationSeconds),
        requests: records.length,
        achievedRate: round1(records.length / durationSeconds),
        ok: all.ok,
        refused: all.refused,
        errors: all.errors,
        errorRate: records.length ? Number((errorCount / records.length).toFixed(4)) : 0,
        byKind,
        ...context.counters,
        notes: notesOn(all, context.counters),
    };
}

function round1(value: number): number {
    return Math.round(value * 10) / 10;
}

const percent = (share: number) => `${(share * 100).toFixed(2)}%`;
const ms = (value: number | undefined) => (value === undefined ? "-" : `${value}ms`);

/** `  12s ramp      target  40/s  sent  39/s  2xx 38  409 0  errors 503×1  p50 12ms p99 80ms  in-flight 3` */
export function formatProgress(progress: Progress): string {
    return [
        `${progress.elapsedSeconds.toFixed(0).padStart(4)}s`,
        progress.phase.padEnd(13),
        `target ${progress.targetRate.toFixed(0).padStart(4)}/s`,
        `sent ${progress.sentRate.toFixed(0).padStart(4)}/s`,
        `2xx ${String(progress.ok).padStart(4)}`,
        `409 ${String(progress.refused).padStart(3)}`,
        `errors ${formatErrors(progress.errors).padEnd(12)}`,
        `p50 ${ms(progress.p50Ms).padStart(6)} p99 ${ms(progress.p99Ms).padStart(6)}`,
        `in-flight ${progress.inFlight}`,
    ].join("  ");
}

export function formatSummary(summary: RunSummary): string {
    const rows: Array<[string, string]> = [
        ["target", summary.target],
        ["stopped", `${summary.stopReason} after ${summary.durationSeconds}s`],
        [
            "requests",
            `${summary.requests} (${summary.achievedRate}/s), ${summary.retries} retries of ambiguous outcomes`,
        ],
        [
            "answers",
            `2xx ${summary.ok}, 409 ${summary.refused}, errors ${formatErrors(summary.errors)} (${percent(summary.errorRate)})`,
        ],
    ];
    for (const [kind, k] of Object.entries(summary.byKind)) {
        rows.push([
            kind,
            `${k!.requests} sent, 2xx ${k!.ok}, 409 ${k!.refused}, errors ${formatErrors(k!.errors)}; ` +
                `latency p50 ${ms(k!.p50Ms)} p90 ${ms(k!.p90Ms)} p99 ${ms(k!.p99Ms)} max ${ms(k!.maxMs)}`,
        ]);
    }
    rows.push(
        ["orders", `${summary.acknowledgedOrders} acknowledged with ${summary.acknowledgedTickets} tickets`],
        ["admissions", `${summary.admissions} admitted; codes admitted twice: ${summary.codesAdmittedTwice}`],
        [
            "generator",
            `dropped at the in-flight cap ${summary.droppedAtCap}, retries abandoned at the end ${summary.abandonedRetries}, ` +
                `max schedule lag ${Math.round(summary.maxSchedulerLagMs)}ms, connections ${summary.connectionsOpened}`,
        ],
    );
    for (const note of summary.notes) rows.push(["note", note]);
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}
