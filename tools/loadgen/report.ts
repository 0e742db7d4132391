/**
 * The drill report: per fault, how long writes were failing, what clients saw, how fast the platform
 * noticed and recovered; a readable table of it; and (timeline-svg.ts) the picture.
 */
import {
    RequestRecord,
    countErrors,
    formatErrors,
    isFailedWrite,
    isSuccess,
    isWrite,
    latencyMs,
    quantile,
} from "./records";

export { renderTimelineSvg } from "./timeline-svg";

export interface Fault {
    name: string;
    /** Milliseconds since the epoch (the same clock as the records), when the fault was applied. */
    injectedAt: number;
    /** When the platform noticed (a health check marked it down, a standby was promoted, ...). */
    detectedAt?: number;
    /** When the platform served again without the failed part (or the fault was repaired). */
    recoveredAt?: number;
    /** End of the window this fault is judged on; the next fault's injection, or the end of the records. */
    endAt?: number;
}

export interface FaultStats {
    name: string;
    /**
     * Seconds without successful writes: from the first failed write (no answer, 5xx or 429) after the
     * injection to the first successful write after it. A failure's stretch starts when its request was
     * sent, but never before the injection nor before the last success seen (a request that hung since
     * before the fault does not stretch the gap backwards). Over several stretches in one window, the
     * longest. 0 if no write failed.
     */
    writeGapSeconds: number;
    /** Whether a write succeeded after the last failure in the window (false: the gap runs to the window's end). */
    writesRecovered: boolean;
    /** Client-visible errors in the window by status, "network" for no answer. */
    errors: Record<string, number>;
    detectionSeconds: number | null;
    recoverySeconds: number | null;
    /** Requests that ended in the window. */
    requests: number;
    successfulWrites: number;
    /** Writes answered 5xx or 429: refused by the service (the planned switch's target is 0). */
    refusedWrites: number;
    /** Writes that got no answer (connection error or timeout). */
    unansweredWrites: number;
    /** Requests in the window that were retries of an ambiguous outcome. */
    retries: number;
    p99Ms?: number;
    /** Start and end of the longest stretch without successful writes. */
    firstFailureAt?: number;
    firstSuccessAfterAt?: number;
}

export function faultStats(records: RequestRecord[], fault: Fault): FaultStats {
    const end = fault.endAt ?? records.reduce((latest, r) => Math.max(latest, r.endedAt), fault.injectedAt);
    const inWindow = records.filter((r) => r.endedAt >= fault.injectedAt && r.endedAt <= end);
    const gap = longestWriteGap(records, fault.injectedAt, end);
    const writes = inWindow.filter(isWrite);
    return {
        name: fault.name,
        writeGapSeconds: gap ? seconds(gap.until - gap.from) : 0,
        writesRecovered: gap?.recovered ?? true,
        errors: countErrors(inWindow),
        detectionSeconds: fault.detectedAt === undefined ? null : seconds(fault.detectedAt - fault.injectedAt),
        recoverySeconds: fault.recoveredAt === undefined ? null : seconds(fault.recoveredAt - fault.injectedAt),
        requests: inWindow.length,
        successfulWrites: writes.filter(isSuccess).length,
        refusedWrites: writes.filter((r) => r.status >= 500 || r.status === 429).length,
        unansweredWrites: writes.filter((r) => r.status === 0).length,
        retries: inWindow.filter((r) => (r.attempt ?? 1) > 1).length,
        p99Ms: round(quantile(inWindow.filter((r) => r.status !== 0).map(latencyMs), 0.99)),
        firstFailureAt: gap?.from,
        firstSuccessAfterAt: gap && gap.until !== end ? gap.until : undefined,
    };
}

/** Walks write outcomes in the order clients learnt them; each failure opens a stretch that the next success closes. */
function longestWriteGap(records: RequestRecord[], from: number, end: number) {
    const outcomes = records
        .filter((r) => isWrite(r) && (isSuccess(r) || isFailedWrite(r)) && r.endedAt <= end)
        .sort((a, b) => a.endedAt - b.endedAt);
    let lastSuccess = -Infinity;
    let open: number | undefined;
    let longest: { from: number; until: number } | undefined;
    const close = (until: number) => {
        if (open !== undefined && (!longest || until - open > longest.until - longest.from))
            longest = { from: open, until };
        open = undefined;
    };
    for (const record of outcomes) {
        if (isSuccess(record)) {
            close(record.endedAt);
            lastSuccess = record.endedAt;
        } else if (record.endedAt >= from && open === undefined) {
            open = Math.max(from, record.startedAt, lastSuccess);
        }
    }
    const recovered = open === undefined;
    close(end);
    return longest && { ...longest, recovered };
}

/** faultStats for faults run one after another: each window ends where the next fault begins. */
export function faultStatsAll(records: RequestRecord[], faults: Fault[]): FaultStats[] {
    const ordered = [...faults].sort((a, b) => a.injectedAt - b.injectedAt);
    return ordered.map((fault, i) =>
        faultStats(records, { ...fault, endAt: fault.endAt ?? ordered[i + 1]?.injectedAt }),
    );
}

/** The invariant figures a row may carry beside its fault statistics (see invariants.ts). */
const INVARIANT_COLUMNS = [
    ["lostOrders", "lost"],
    ["oversold", "oversold"],
    ["doubleAdmissions", "double adm."],
    ["duplicateEmails", "dup. mail"],
    ["missingEmails", "miss. mail"],
    ["lostOutbox", "lost outbox"],
] as const;

export type FaultRow = Partial<FaultStats> & { name: string } & Partial<
        Record<(typeof INVARIANT_COLUMNS)[number][0], number>
    >;

/**
 * A plain-text table, one row per fault, columns aligned (numbers to the right). Invariant columns
 * appear when any row carries them, with a verdict: FAIL when any invariant is violated.
 */
export function renderTable(results: FaultRow[]): string {
    const withInvariants = INVARIANT_COLUMNS.filter(([key]) => results.some((row) => row[key] !== undefined));
    const header = [
        "fault",
        "write gap",
        "detect",
        "recover",
        "refused",
        "errors",
        ...withInvariants.map(([, title]) => title),
    ];
    if (withInvariants.length) header.push("result");
    const rows = results.map((row) => {
        const cells = [
            row.name,
            secondsText(row.writeGapSeconds, row.writesRecovered === false ? "+" : ""),
            secondsText(row.detectionSeconds),
            secondsText(row.recoverySeconds),
            row.refusedWrites === undefined ? "-" : String(row.refusedWrites),
            row.errors ? formatErrors(row.errors) : "-",
            ...withInvariants.map(([key]) => (row[key] === undefined ? "-" : String(row[key]))),
        ];
        if (withInvariants.length) cells.push(withInvariants.some(([key]) => (row[key] ?? 0) > 0) ? "FAIL" : "ok");
        return cells;
    });
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((cells) => cells[i].length)));
    // Text columns (name, errors, result) align left; figures align right.
    const left = new Set([0, 5, header.length - (withInvariants.length ? 1 : 0)]);
    const line = (cells: string[]) =>
        cells
            .map((cell, i) => (left.has(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join("  ")
            .trimEnd();
    const lines = [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)];
    if (results.some((row) => row.writesRecovered === false))
        lines.push("(+ writes had not recovered by the end of the window)");
    return lines.join("\n");
}

function secondsText(value: number | null | undefined, suffix = ""): string {
    return value === undefined || value === null ? "-" : `${value.toFixed(2)} s${suffix}`;
}

function seconds(ms: number): number {
    return Math.round(Math.max(0, ms)) / 1000;
}

function round(value: number | undefined): number | undefined {
    return value === undefined ? undefined : Math.round(value);
}
