/**
 * From the drill's raw results to what people and tools read (pure; tested): the app's share of a
 * database failover, the targets met or missed, and the JSON line of the contract
 *
 *   {"faults":[{"name","writeGapSeconds","errors":{...},"lostOrders","oversold","doubleAdmissions",
 *    "duplicateEmails"}...],"lostOrders","oversold","doubleAdmissions","duplicateEmails",
 *    "plannedSwitchRefusedWrites","maxWriteGapSeconds"}
 *
 * (further keys follow the contract's, never replace them).
 */
import type { ControlEvent } from "./db-controller";
import type { FaultOutcome } from "./faults";
import { isSuccess, isWrite, RequestRecord } from "../loadgen/records";
import type { FaultStats } from "../loadgen/report";

export interface InvariantCounts {
    lostOrders: number;
    oversold: number;
    doubleAdmissions: number;
    duplicateEmails: number;
}

export interface FinalInvariants extends InvariantCounts {
    missingEmails: number;
    lostOutbox: number;
    drained: boolean;
    details: string[];
}

export interface FaultResult {
    outcome: FaultOutcome;
    stats: FaultStats;
    /** Violations that appeared during this fault (the checks after it minus the checks before it). */
    invariants: InvariantCounts;
    /** Database failovers: seconds from the writer name's move to the first successful write after it. */
    appShareSeconds?: number | null;
    /** Database faults: app targets the load balancers took out of service meanwhile (must be 0). */
    targetsTakenOut?: string[];
}

export const APP_SHARE_TARGET_SECONDS = 5;
export const INVARIANT_KEYS = ["lostOrders", "oversold", "doubleAdmissions", "duplicateEmails"] as const;

/** First write that succeeded at or after the name moved (its answer's time), minus the move. */
export function appShareSeconds(records: RequestRecord[], movedAt: number): number | null {
    let first: number | undefined;
    for (const r of records) {
        if (isWrite(r) && isSuccess(r) && r.endedAt >= movedAt && (first === undefined || r.endedAt < first))
            first = r.endedAt;
    }
    return first === undefined ? null : Math.round(first - movedAt) / 1000;
}

/** The longest a write took that was sent between `from` and `to` (what a held buyer waited), in ms. */
export function longestWriteMs(records: RequestRecord[], from: number, to: number): number | null {
    let longest: number | null = null;
    for (const r of records) {
        if (isWrite(r) && r.startedAt >= from && r.startedAt <= to)
            longest = Math.max(longest ?? 0, Math.round(r.endedAt - r.startedAt));
    }
    return longest;
}

/** Targets the load balancers marked DOWN between `from` and `to` (from the observer's events). */
export function targetsTakenOut(events: ControlEvent[], from: number, to: number): string[] {
    return events
        .filter((e) => e.kind === "target-state" && e.detail?.to === "DOWN" && e.at >= from && e.at <= to)
        .map((e) => `${e.detail?.lb}/${e.detail?.server}`);
}

export function delta(after: InvariantCounts, before: InvariantCounts): InvariantCounts {
    const d = {} as InvariantCounts;
    for (const k of INVARIANT_KEYS) d[k] = Math.max(0, after[k] - before[k]);
    return d;
}

export const ZERO: InvariantCounts = { lostOrders: 0, oversold: 0, doubleAdmissions: 0, duplicateEmails: 0 };

export interface Target {
    target: string;
    met: boolean;
    detail: string;
    /** Invariants and the planned switch decide the exit status; timing targets are reported. */
    decidesExit: boolean;
}

export interface DrillIncidents {
    /** Faults the platform did not recover from within the drill's bound (the drill stops there). */
    failures: Array<{ name: string; message: string }>;
    /** App or worker tasks that exited without being killed. */
    unexpectedExits: Array<{ host: string; at: number }>;
}

export function evaluateTargets(
    results: FaultResult[],
    final: FinalInvariants,
    incidents: DrillIncidents = { failures: [], unexpectedExits: [] },
): Target[] {
    const targets: Target[] = [
        {
            target: "every fault recovered",
            met: incidents.failures.length === 0,
            detail: incidents.failures.length
                ? incidents.failures.map((f) => `${f.name}: ${f.message}`).join("; ")
                : `${results.length} of ${results.length}`,
            decidesExit: true,
        },
        {
            target: "no app or worker task crashed",
            met: incidents.unexpectedExits.length === 0,
            detail: incidents.unexpectedExits.length ? incidents.unexpectedExits.map((e) => e.host).join(", ") : "none",
            decidesExit: true,
        },
    ];
    const invariantNames: Record<string, string> = {
        lostOrders: "0 lost acknowledged orders",
        oversold: "0 oversold",
        doubleAdmissions: "0 double admissions",
        duplicateEmails: "0 duplicate e-mails",
        missingEmails: "every confirmed order's e-mail sent",
        lostOutbox: "0 lost outbox rows",
    };
    for (const [key, title] of Object.entries(invariantNames)) {
        const total = (final as unknown as Record<string, number>)[key];
        const perFault = results
            .filter((r) => (r.invariants as unknown as Record<string, number>)[key] > 0)
            .map((r) => r.outcome.name);
        targets.push({
            target: title,
            met: total === 0,
            detail: total === 0 ? "0" : `${total}${perFault.length ? ` (during ${perFault.join(", ")})` : ""}`,
            decidesExit: true,
        });
    }
    for (const r of results.filter((x) => x.outcome.databaseFault && x.outcome.name !== "db-planned-switchover")) {
        const share = r.appShareSeconds;
        targets.push({
            target: `${r.outcome.name}: writes resume within ${APP_SHARE_TARGET_SECONDS} s of the endpoint move`,
            met: share !== null && share !== undefined && share <= APP_SHARE_TARGET_SECONDS,
            detail:
                share === null || share === undefined ? "no successful write after the move" : `${share.toFixed(2)} s`,
            decidesExit: false,
        });
    }
    const planned = results.find((r) => r.outcome.name === "db-planned-switchover");
    if (planned) {
        targets.push({
            target: "planned switchover: 0 refused writes",
            met: planned.stats.refusedWrites === 0,
            detail: `${planned.stats.refusedWrites} refused, writes held ${planned.outcome.holdMs} ms`,
            decidesExit: true,
        });
    }
    const dbFaults = results.filter((r) => r.outcome.databaseFault);
    if (dbFaults.length) {
        const out = dbFaults.flatMap((r) => (r.targetsTakenOut ?? []).map((t) => `${r.outcome.name}: ${t}`));
        targets.push({
            target: "app instances stay in service behind the load balancers while the database fails over",
            met: out.length === 0,
            detail: out.length ? out.join("; ") : "no target marked down",
            decidesExit: false,
        });
    }
    return targets;
}

export function contractJson(
    results: FaultResult[],
    final: FinalInvariants,
    extra: Record<string, unknown> = {},
): Record<string, unknown> {
    const ran = results.filter((r) => !r.outcome.skipped);
    const planned = ran.find((r) => r.outcome.name === "db-planned-switchover");
    return {
        faults: ran.map((r) => ({
            name: r.outcome.name,
            writeGapSeconds: r.stats.writeGapSeconds,
            errors: r.stats.errors,
            ...r.invariants,
            detectionSeconds: r.stats.detectionSeconds,
            refusedWrites: r.stats.refusedWrites,
            ...(r.appShareSeconds !== undefined ? { appShareSeconds: r.appShareSeconds } : {}),
            ...(r.outcome.holdMs !== undefined ? { holdMs: r.outcome.holdMs } : {}),
        })),
        lostOrders: final.lostOrders,
        oversold: final.oversold,
        doubleAdmissions: final.doubleAdmissions,
        duplicateEmails: final.duplicateEmails,
        plannedSwitchRefusedWrites: planned ? planned.stats.refusedWrites : null,
        maxWriteGapSeconds: Math.max(0, ...ran.map((r) => r.stats.writeGapSeconds)),
        missingEmails: final.missingEmails,
        lostOutbox: final.lostOutbox,
        ...extra,
    };
}

/** Exit status: non-zero when an invariant or the planned switch's target failed. */
export function passed(targets: Target[]): boolean {
    return targets.every((t) => t.met || !t.decidesExit);
}

export function renderTargets(targets: Target[]): string {
    return targets.map((t) => `${t.met ? "met   " : "MISSED"}  ${t.target}: ${t.detail}`).join("\n");
}
