/**
 * The run's picture: successful buys and scans per second on top, the p99 latency of each second's answers
 * in the middle, errors per second below, and each fault's window shaded across all three with its
 * injection (solid line), detection (dashed line) and a numbered badge that the key below the time axis
 * explains (timeline-faults.ts).
 * A self-contained SVG (no scripts, fonts or styles from outside) that any browser or image viewer shows.
 */
import { RequestRecord, isError, isSuccess, latencyMs, quantile } from "./records";
import { esc, f } from "./svg-text";
import { FAULT_COLOR, TimelineFault, faultKey, faultKeyHeight, faultMarks } from "./timeline-faults";

export type { TimelineFault } from "./timeline-faults";
export { esc } from "./svg-text";

const WIDTH = 1000;
const LEFT = 64;
const RIGHT = 24;
const TOP = 112; // title, subtitle, legend and the fault badges live above the plot
const THROUGHPUT_HEIGHT = 210;
const GAP = 40;
const LATENCY_HEIGHT = 90;
const ERRORS_HEIGHT = 90;
const LATENCY_TOP = TOP + THROUGHPUT_HEIGHT + GAP;
const ERRORS_TOP = LATENCY_TOP + LATENCY_HEIGHT + GAP;
const BOTTOM = ERRORS_TOP + ERRORS_HEIGHT;
/** Below the plots: the time axis' ticks, figures and caption; the fault key (if any) starts after it. */
const AXIS_HEIGHT = 44;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
/** Beyond this many buckets a bar is under a pixel wide: buckets grow instead. */
const MAX_BUCKETS = 600;

const COLORS = {
    buys: "#1f6fb2",
    scans: "#2e9d57",
    latency: "#7b4fb0",
    network: "#7a1020",
    answered: "#e0443e",
    fault: FAULT_COLOR,
    grid: "#d9dde3",
    text: "#222",
};

interface Bucket {
    buys: number;
    scans: number;
    network: number;
    answered: number;
    /** Latencies (ms) of the answers that arrived in this bucket. */
    latencies: number[];
}

export function renderTimelineSvg(records: RequestRecord[], faults: TimelineFault[] = []): string {
    const start = Math.min(first(records.map((r) => r.startedAt)), first(faults.map((f) => f.injectedAt)));
    const end = Math.max(last(records.map((r) => r.endedAt)), last(faults.map((f) => f.recoveredAt ?? f.injectedAt)));
    // The key has a row per fault, so the picture grows with their number rather than crowding them.
    const height = BOTTOM + AXIS_HEIGHT + faultKeyHeight(faults.length);
    const out: string[] = [];
    out.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
            `font-family="Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
        `<title>Throughput, latency and errors over time</title>`,
        `<desc>${esc(describe(records, faults))}</desc>`,
        `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>`,
        `<text x="${LEFT}" y="24" font-size="17" font-weight="bold">Throughput, latency and errors over time</text>`,
    );
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
        out.push(`<text x="${LEFT}" y="${TOP + 40}">no requests recorded</text>`, "</svg>");
        return out.join("\n");
    }
    const duration = Math.max(1, (end - start) / 1000);
    const bucketSeconds = Math.max(1, Math.ceil(duration / MAX_BUCKETS));
    const buckets = bucketize(records, start, Math.ceil(duration / bucketSeconds), bucketSeconds);
    const x = (at: number) => LEFT + ((at - start) / 1000 / (buckets.length * bucketSeconds)) * PLOT_WIDTH;
    const bucketX = (index: number) => LEFT + (index / buckets.length) * PLOT_WIDTH;
    const throughputScale = scale(Math.max(...buckets.map((b) => Math.max(b.buys, b.scans))));
    const errorsScale = scale(Math.max(...buckets.map((b) => b.network + b.answered)));
    const p99 = buckets.map((b) => quantile(b.latencies, 0.99));
    const latencyScale = scale(Math.max(0, ...p99.map((v) => v ?? 0)));
    const yThroughput = (value: number) => TOP + THROUGHPUT_HEIGHT - (value / throughputScale.max) * THROUGHPUT_HEIGHT;
    const yLatency = (value: number) => LATENCY_TOP + LATENCY_HEIGHT - (value / latencyScale.max) * LATENCY_HEIGHT;
    const yErrors = (value: number) => ERRORS_TOP + ERRORS_HEIGHT - (value / errorsScale.max) * ERRORS_HEIGHT;

    out.push(
        `<text x="${LEFT}" y="42" font-size="12">${esc(subtitle(records, duration, bucketSeconds))}</text>`,
        legend(),
    );
    const frame = {
        top: TOP,
        bottom: BOTTOM,
        left: LEFT,
        right: WIDTH - RIGHT,
        keyTop: BOTTOM + AXIS_HEIGHT,
        x,
        start,
        end,
    };
    // Fault windows first, so the data draws over them.
    if (faults.length > 0) out.push(faultMarks(faults, frame));
    out.push(
        axes("successful/s", TOP, THROUGHPUT_HEIGHT, throughputScale),
        axes("p99 ms", LATENCY_TOP, LATENCY_HEIGHT, latencyScale),
        axes("errors/s", ERRORS_TOP, ERRORS_HEIGHT, errorsScale),
    );
    out.push(
        series(
            "buys",
            buckets.map((b) => b.buys),
            bucketX,
            yThroughput,
            bucketSeconds,
            COLORS.buys,
        ),
        series(
            "scans",
            buckets.map((b) => b.scans),
            bucketX,
            yThroughput,
            bucketSeconds,
            COLORS.scans,
        ),
        latencyPath(p99, bucketX, yLatency),
    );
    // Errors as stacked bars: unanswered at the bottom, answered errors (5xx, 4xx other than 409) on top.
    const barWidth = Math.max(0.5, PLOT_WIDTH / buckets.length - 0.5);
    out.push(`<g class="errors">`);
    buckets.forEach((bucket, index) => {
        if (bucket.network > 0) {
            const top = yErrors(bucket.network);
            out.push(bar(bucketX(index), top, barWidth, yErrors(0) - top, COLORS.network, "network"));
        }
        if (bucket.answered > 0) {
            const top = yErrors(bucket.network + bucket.answered);
            out.push(bar(bucketX(index), top, barWidth, yErrors(bucket.network) - top, COLORS.answered, "answered"));
        }
    });
    out.push(`</g>`, timeAxis(buckets.length * bucketSeconds, BOTTOM), faultKey(faults, frame), "</svg>");
    return out.join("\n");
}

function bucketize(records: RequestRecord[], start: number, count: number, bucketSeconds: number): Bucket[] {
    const buckets: Bucket[] = Array.from({ length: Math.max(1, count) }, () => ({
        buys: 0,
        scans: 0,
        network: 0,
        answered: 0,
        latencies: [] as number[],
    }));
    for (const record of records) {
        const index = Math.min(
            buckets.length - 1,
            Math.max(0, Math.floor((record.endedAt - start) / 1000 / bucketSeconds)),
        );
        const bucket = buckets[index];
        if (record.status !== 0) bucket.latencies.push(latencyMs(record));
        if (isSuccess(record) && record.kind === "buy") bucket.buys += 1 / bucketSeconds;
        else if (isSuccess(record) && record.kind === "scan") bucket.scans += 1 / bucketSeconds;
        else if (isError(record)) {
            if (record.status === 0) bucket.network += 1 / bucketSeconds;
            else bucket.answered += 1 / bucketSeconds;
        }
    }
    return buckets;
}

function axes(label: string, top: number, height: number, { max, step }: { max: number; step: number }): string {
    const parts = [`<g class="axis">`];
    for (let value = 0; value <= max + 1e-9; value += step) {
        const y = f(top + height - (height * value) / max);
        parts.push(
            `<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" stroke="${COLORS.grid}" ` +
                `stroke-width="${value === 0 ? 1.5 : 1}"/>`,
            `<text x="${LEFT - 6}" y="${y}" dy="4" text-anchor="end">${formatNumber(value)}</text>`,
        );
    }
    const middle = f(top + height / 2);
    parts.push(
        `<text x="16" y="${middle}" transform="rotate(-90 16 ${middle})" text-anchor="middle">${esc(label)}</text>`,
        `</g>`,
    );
    return parts.join("\n");
}

function timeAxis(totalSeconds: number, y: number): string {
    const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => totalSeconds / s <= 10) ?? 7200;
    const parts = [`<g class="time-axis">`];
    for (let at = 0; at <= totalSeconds + 1e-9; at += step) {
        const px = f(LEFT + (at / totalSeconds) * PLOT_WIDTH);
        parts.push(
            `<line x1="${px}" y1="${y}" x2="${px}" y2="${y + 5}" stroke="${COLORS.text}"/>`,
            `<text x="${px}" y="${y + 18}" text-anchor="middle">${at}s</text>`,
        );
    }
    parts.push(`<text x="${WIDTH - RIGHT}" y="${y + 36}" text-anchor="end">seconds since the start</text>`, `</g>`);
    return parts.join("\n");
}

function series(
    name: string,
    values: number[],
    bucketX: (i: number) => number,
    y: (v: number) => number,
    bucketSeconds: number,
    color: string,
): string {
    const half = (bucketX(1) - bucketX(0)) / 2;
    const points = values.map((value, i) => `${f(bucketX(i) + half)},${f(y(value))}`).join(" ");
    const total = Math.round(values.reduce((sum, v) => sum + v, 0) * bucketSeconds);
    return (
        `<polyline class="series ${name}" points="${points}" fill="none" stroke="${color}" stroke-width="2" ` +
        `stroke-linejoin="round"><title>${total} successful ${name}</title></polyline>`
    );
}

/** The p99 line; a second without answers leaves a gap rather than a made-up value. */
function latencyPath(p99: Array<number | undefined>, bucketX: (i: number) => number, y: (v: number) => number): string {
    const half = (bucketX(1) - bucketX(0)) / 2;
    let d = "";
    let drawing = false;
    p99.forEach((value, i) => {
        if (value === undefined) {
            drawing = false;
            return;
        }
        d += `${drawing ? "L" : "M"}${f(bucketX(i) + half)},${f(y(value))} `;
        drawing = true;
    });
    const style = `fill="none" stroke="${COLORS.latency}" stroke-width="1.5" stroke-linejoin="round"`;
    return `<path class="series latency-p99" d="${d.trim()}" ${style}/>`;
}

function bar(x: number, y: number, width: number, height: number, color: string, kind: string): string {
    const drawn = f(Math.max(0.5, height));
    return `<rect class="error-bar ${kind}" x="${f(x)}" y="${f(y)}" width="${f(width)}" height="${drawn}" fill="${color}"/>`;
}

function legend(): string {
    const items: Array<[string, string, "line" | "box"]> = [
        ["buys 2xx/s", COLORS.buys, "line"],
        ["scans 2xx/s", COLORS.scans, "line"],
        ["p99 latency", COLORS.latency, "line"],
        ["errors: no answer", COLORS.network, "box"],
        ["errors: 5xx / 4xx", COLORS.answered, "box"],
        ["fault (line: injected, dashes: detected)", COLORS.fault, "box"],
    ];
    let x = LEFT;
    const parts = [`<g class="legend">`];
    for (const [label, color, shape] of items) {
        parts.push(
            shape === "line"
                ? `<line x1="${x}" y1="60" x2="${x + 18}" y2="60" stroke="${color}" stroke-width="3"/>`
                : `<rect x="${x}" y="54" width="18" height="12" fill="${color}" fill-opacity="${label.startsWith("fault") ? 0.4 : 1}"/>`,
            `<text x="${x + 24}" y="64">${esc(label)}</text>`,
        );
        x += 24 + label.length * 6.4 + 18;
    }
    parts.push(`</g>`);
    return parts.join("\n");
}

function subtitle(records: RequestRecord[], duration: number, bucketSeconds: number): string {
    const errors = records.filter(isError).length;
    return `${records.length} requests over ${duration.toFixed(0)} s, ${errors} errors; one point per ${bucketSeconds} s`;
}

function describe(records: RequestRecord[], faults: TimelineFault[]): string {
    const names = faults.map((fault) => fault.name).join(", ");
    const faultList = names ? `; faults: ${names}` : "";
    return `${records.length} requests; successful buys and scans per second, p99 latency, errors per second${faultList}.`;
}

/**
 * The axis' top and gridline step: the step is 1, 2 or 5 times a power of ten (at least 1) giving about
 * four gridlines, the top the first step at or above the largest value.
 */
export function scale(largest: number): { max: number; step: number } {
    const rough = Math.max(1, largest) / 4;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = Math.max(
        1,
        [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough - 1e-9)!,
    );
    return { max: step * Math.max(1, Math.ceil(largest / step - 1e-9)), step };
}

function formatNumber(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function first(values: number[]): number {
    return values.reduce((a, b) => Math.min(a, b), Infinity);
}

function last(values: number[]): number {
    return values.reduce((a, b) => Math.max(a, b), -Infinity);
}
