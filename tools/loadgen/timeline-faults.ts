/**
 * The faults on the timeline: each fault's window shaded across the plots with its injection (solid line)
 * and detection (dashed line), a numbered badge above the plots joined to its injection line, and, below
 * the time axis, a key giving each number its time, name and recovery.
 * Names live only in the key, one row per fault, and the badges share one row pushed apart as far as needed:
 * however close in time faults are (a drill may inject two a second apart), no text lands on another.
 */
import { esc, f, textWidth } from "./svg-text";

export interface TimelineFault {
    name: string;
    /** Shown in the key when given (faultStats' figure). */
    writeGapSeconds?: number;
    injectedAt: number;
    detectedAt?: number;
    recoveredAt?: number;
    endAt?: number;
}

/** Where the faults are drawn; every figure comes from the chart that embeds them. */
export interface FaultFrame {
    /** The plots' top and bottom (the windows span both) and their left and right edges. */
    top: number;
    bottom: number;
    left: number;
    right: number;
    /** First y below the time axis' labels: the key starts there. */
    keyTop: number;
    /** Time (ms since the epoch) to x, and the chart's first and last instant. */
    x: (at: number) => number;
    start: number;
    end: number;
}

export const BADGE_RADIUS = 8;
/** Clear space between neighbouring badges. */
const BADGE_GAP = 4;
/** From the badge row's centre down to the plots' top: room for a short leader line. */
const BADGE_DROP = 22;
const KEY_HEADER = 22;
const KEY_ROW = 18;
const KEY_MARGIN = 12;
export const FAULT_COLOR = "#f29d38";
const FAULT_TEXT = "#a85a00";
/** The figures' columns, right-aligned, after the names: header and width. */
const FIGURE_COLUMNS = ["detected", "recovered", "write gap"] as const;
const FIGURE_WIDTH = 96;

/** Height the key adds below the chart (none without faults). */
export function faultKeyHeight(count: number): number {
    return count === 0 ? 0 : KEY_HEADER + count * KEY_ROW + KEY_MARGIN;
}

/** Faults in the order they were injected, numbered from 1; badges and key use these numbers. */
export function numberFaults(faults: TimelineFault[]): Array<TimelineFault & { number: number }> {
    return faults
        .map((fault, index) => ({ fault, index }))
        .sort((a, b) => a.fault.injectedAt - b.fault.injectedAt || a.index - b.index)
        .map(({ fault }, index) => ({ ...fault, number: index + 1 }));
}

/**
 * Badge centres as close as possible to `desired` (ascending) with at least `gap` between neighbours, all
 * within [min, max]: a forward pass pushes crowded badges right, a backward pass pulls those past `max`
 * back left. Order is kept, so leader lines never cross. More badges than fit at `gap` share the row
 * evenly (closer than `gap`); at 20 px that happens only past 45 faults on a 1000 px chart.
 */
export function spreadBadges(desired: number[], min: number, max: number, gap: number): number[] {
    const step = desired.length > 1 ? Math.min(gap, (max - min) / (desired.length - 1)) : gap;
    const placed: number[] = [];
    desired.forEach((want, i) => {
        const clamped = Math.min(max, Math.max(min, want));
        placed.push(i === 0 ? clamped : Math.max(clamped, placed[i - 1] + step));
    });
    for (let i = placed.length - 1; i >= 0; i--) {
        placed[i] = Math.min(placed[i], i === placed.length - 1 ? max : placed[i + 1] - step);
    }
    return placed;
}

/** Windows, lines and badges; drawn before the data so the series stay on top. */
export function faultMarks(faults: TimelineFault[], frame: FaultFrame): string {
    const numbered = numberFaults(faults);
    const injections = numbered.map((fault) => frame.x(Math.max(frame.start, fault.injectedAt)));
    const badgeXs = spreadBadges(injections, frame.left, frame.right, 2 * BADGE_RADIUS + BADGE_GAP);
    const badgeY = frame.top - BADGE_DROP;
    return numbered
        .map((fault, i) => {
            const from = injections[i];
            // Without a known end the window is only its injection line: shading to the chart's end would claim an outage.
            const until = frame.x(Math.min(frame.end, fault.recoveredAt ?? fault.endAt ?? fault.injectedAt));
            const parts = [
                `<g class="fault">`,
                `<rect class="fault-window" x="${f(from)}" y="${frame.top}" width="${f(Math.max(2, until - from))}" ` +
                    `height="${frame.bottom - frame.top}" fill="${FAULT_COLOR}" fill-opacity="0.16">` +
                    `<title>${esc(`${fault.number}. ${fault.name}`)}</title></rect>`,
                `<line class="fault-injected" x1="${f(from)}" y1="${frame.top}" x2="${f(from)}" y2="${frame.bottom}" ` +
                    `stroke="${FAULT_COLOR}" stroke-width="2"/>`,
            ];
            if (fault.detectedAt !== undefined) {
                const at = f(frame.x(fault.detectedAt));
                parts.push(
                    `<line class="fault-detected" x1="${at}" y1="${frame.top}" x2="${at}" y2="${frame.bottom}" ` +
                        `stroke="${FAULT_COLOR}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
                );
            }
            parts.push(
                `<line class="fault-leader" x1="${f(badgeXs[i])}" y1="${f(badgeY + BADGE_RADIUS)}" x2="${f(from)}" ` +
                    `y2="${frame.top}" stroke="${FAULT_COLOR}" stroke-width="1.5"/>`,
                badge("fault-badge", fault.number, badgeXs[i], badgeY, fault.name),
                `</g>`,
            );
            return parts.join("\n");
        })
        .join("\n");
}

/** The key below the time axis: one row per fault, columns never wider than their widest entry. */
export function faultKey(faults: TimelineFault[], frame: FaultFrame): string {
    if (faults.length === 0) return "";
    const rows = numberFaults(faults).map((fault) => ({
        number: fault.number,
        at: `${seconds(fault.injectedAt - frame.start)} s`,
        name: fault.name,
        figures: [
            fault.detectedAt === undefined ? "–" : `+${seconds(fault.detectedAt - fault.injectedAt)} s`,
            fault.recoveredAt === undefined ? "–" : `+${seconds(fault.recoveredAt - fault.injectedAt)} s`,
            fault.writeGapSeconds === undefined ? "–" : `${fault.writeGapSeconds.toFixed(1)} s`,
        ],
    }));
    const atRight = frame.left + 2 * BADGE_RADIUS + 8 + Math.max(...rows.map((r) => textWidth(r.at)), textWidth("at"));
    const nameX = atRight + 16;
    // The names' column is as wide as the longest name, up to what leaves room for the figures; longer
    // names are cut with an ellipsis (the full name stays in the row's tooltip).
    const nameRoom = frame.right - FIGURE_COLUMNS.length * FIGURE_WIDTH - nameX;
    const nameWidth = Math.min(nameRoom, Math.max(...rows.map((r) => textWidth(r.name)), textWidth("fault")));
    const figureRight = (column: number) => nameX + nameWidth + (column + 1) * FIGURE_WIDTH;
    const headerY = frame.keyTop + 14;
    const parts = [
        `<g class="fault-key" font-size="12">`,
        `<text x="${f(frame.left)}" y="${headerY}" font-weight="bold">#</text>`,
        `<text x="${f(atRight)}" y="${headerY}" font-weight="bold" text-anchor="end">at</text>`,
        `<text x="${f(nameX)}" y="${headerY}" font-weight="bold">fault</text>`,
        ...FIGURE_COLUMNS.map(
            (label, column) =>
                `<text x="${f(figureRight(column))}" y="${headerY}" font-weight="bold" text-anchor="end">${label}</text>`,
        ),
    ];
    rows.forEach((row, i) => {
        const y = frame.keyTop + KEY_HEADER + i * KEY_ROW;
        const baseline = f(y + 13);
        parts.push(
            `<g class="fault-key-row">`,
            `<rect class="fault-key-row-box" x="${f(frame.left)}" y="${y}" width="${f(frame.right - frame.left)}" ` +
                `height="${KEY_ROW}" fill="${i % 2 === 0 ? "#f4f5f7" : "#fff"}"><title>${esc(row.name)}</title></rect>`,
            badge("fault-key-badge", row.number, frame.left + BADGE_RADIUS, y + KEY_ROW / 2, row.name),
            `<text x="${f(atRight)}" y="${baseline}" text-anchor="end">${row.at}</text>`,
            `<text class="fault-name" x="${f(nameX)}" y="${baseline}" fill="${FAULT_TEXT}" font-weight="bold">` +
                `${esc(fit(row.name, nameWidth))}</text>`,
            ...row.figures.map(
                (figure, column) =>
                    `<text x="${f(figureRight(column))}" y="${baseline}" text-anchor="end">${figure}</text>`,
            ),
            `</g>`,
        );
    });
    parts.push(`</g>`);
    return parts.join("\n");
}

function badge(className: string, number: number, cx: number, cy: number, name: string): string {
    return (
        `<g class="${className}"><circle cx="${f(cx)}" cy="${f(cy)}" r="${BADGE_RADIUS}" fill="${FAULT_COLOR}"/>` +
        // Two digits get a smaller size so they stay inside the circle.
        `<text x="${f(cx)}" y="${f(cy + 4)}" text-anchor="middle" font-size="${number < 10 ? 11 : 9.5}" font-weight="bold" fill="#fff">` +
        `${number}</text><title>${esc(`${number}. ${name}`)}</title></g>`
    );
}

/** The name cut to `width` (by the generous estimate) with an ellipsis when it is longer. */
function fit(name: string, width: number): string {
    if (textWidth(name) <= width) return name;
    const keep = Math.max(1, Math.floor(width / textWidth("x")) - 1);
    return `${name.slice(0, keep).trimEnd()}…`;
}

function seconds(ms: number): string {
    return (ms / 1000).toFixed(1);
}
