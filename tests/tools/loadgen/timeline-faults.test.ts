import assert from "node:assert/strict";
import type { RequestRecord } from "../../../tools/loadgen/records";
import { renderTimelineSvg } from "../../../tools/loadgen/report";
import { textWidth } from "../../../tools/loadgen/svg-text";
import { TimelineFault, spreadBadges } from "../../../tools/loadgen/timeline-faults";
import { Box, badges, groupBottom, keyRows, overlaps, svgSize } from "./svg-shapes";

const T0 = 1_800_000_000_000;
const at = (seconds: number) => T0 + seconds * 1000;

/** Two buys a second for `seconds`, all answered. */
function traffic(seconds: number): RequestRecord[] {
    return Array.from({ length: seconds * 2 }, (_, i) => ({
        kind: "buy" as const,
        startedAt: at(i / 2),
        endedAt: at(i / 2) + 30,
        status: 201,
    }));
}

/** `count` faults one second apart from `first`, with names of mixed lengths and every optional figure. */
function burst(count: number, first: number): TimelineFault[] {
    const names = [
        "db-primary-killed",
        "lb",
        "worker-killed-mid-batch",
        "a fault whose name is far longer than any column could hold in one row of the key",
    ];
    return Array.from({ length: count }, (_, i) => ({
        name: names[i % names.length],
        injectedAt: at(first + i),
        detectedAt: i % 3 === 0 ? undefined : at(first + i + 0.4),
        recoveredAt: i % 4 === 1 ? undefined : at(first + i + 2.5),
        writeGapSeconds: i % 2 === 0 ? 2.345 : undefined,
    }));
}

/** Where a text's glyphs lie: 12 px type rises about 9 px above its baseline and drops 3 below it. */
function textBox(t: { text: string; x: number; y: number; anchor: string }): Box {
    const width = textWidth(t.text.replace(/&\w+;/g, "x"));
    const left = t.anchor === "end" ? t.x - width : t.anchor === "middle" ? t.x - width / 2 : t.x;
    return { left, right: left + width, top: t.y - 9, bottom: t.y + 3 };
}

function assertNoOverlap(boxes: Box[], what: string): void {
    boxes.forEach((a, i) =>
        boxes.slice(i + 1).forEach((b, j) => assert.ok(!overlaps(a, b), `${what} ${i + 1} and ${i + j + 2} overlap`)),
    );
}

describe("timeline fault badges and key", () => {
    const cases: Array<[string, number, number]> = [
        ["a minute's run, faults a second apart", 60, 20],
        ["a ten-minute run, where a second is 1.5 px", 600, 300],
        ["a cluster at the very start", 600, 0],
        ["a cluster at the very end", 600, 588],
    ];
    for (const [title, seconds, first] of cases) {
        it(`keeps every badge and key row apart for 1..12 faults: ${title}`, () => {
            for (let count = 1; count <= 12; count++) {
                const faults = burst(count, first);
                const svg = renderTimelineSvg(traffic(seconds), faults);
                const size = svgSize(svg);
                const plotTop = Number(/<rect class="fault-window" x="[\d.]+" y="([\d.]+)"/.exec(svg)![1]);
                const marks = badges(svg);
                assert.equal(marks.length, count);
                // Numbered in injection order from left to right, so the leader lines cannot cross.
                assert.deepEqual(
                    marks.map((b) => b.number),
                    faults.map((_, i) => i + 1),
                );
                assert.ok(marks.every((b, i) => i === 0 || b.cx > marks[i - 1].cx));
                for (const b of marks) {
                    assert.ok(
                        b.top > groupBottom(svg, "legend") && b.bottom <= plotTop,
                        `badge ${b.number} between legend and plots`,
                    );
                    assert.ok(b.left >= 0 && b.right <= size.width, `badge ${b.number} inside the picture`);
                }
                for (const [i, a] of marks.entries()) {
                    for (const b of marks.slice(i + 1)) {
                        assert.ok(
                            Math.hypot(a.cx - b.cx, a.cy - b.cy) >= a.r + b.r,
                            `badges ${a.number} and ${b.number} overlap (n=${count})`,
                        );
                    }
                }
                // Each badge's leader ends on its own fault's injection line.
                const groups = [...svg.matchAll(/<g class="fault">([\s\S]*?)\n<\/g>/g)].map((m) => m[1]);
                groups.forEach((group, i) => {
                    const injected = /class="fault-injected" x1="([\d.]+)"/.exec(group)![1];
                    const leader = /class="fault-leader" x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"/.exec(group)!;
                    assert.equal(leader[2], injected);
                    assert.equal(Number(leader[1]), marks[i].cx);
                });

                const rows = keyRows(svg);
                assert.equal(rows.length, count);
                assert.deepEqual(
                    rows.map((r) => r.badge.number),
                    faults.map((_, i) => i + 1),
                );
                assertNoOverlap(rows, `key rows (n=${count})`);
                const header = Number(/<g class="fault-key"[^>]*>\n<text x="[\d.]+" y="([\d.]+)"/.exec(svg)![1]);
                assert.ok(
                    header - 9 > groupBottom(svg, "time-axis") + 3,
                    "the key's header sits below the time axis' caption",
                );
                assert.ok(rows[0].top >= header + 3, "the first row starts below the header");
                assert.ok(rows[rows.length - 1].bottom <= size.height, "the picture is tall enough for the last row");
                for (const row of rows) {
                    const boxes = [row.badge, ...row.texts.slice(1).map(textBox)];
                    for (const box of boxes) {
                        assert.ok(
                            box.top >= row.top && box.bottom <= row.bottom,
                            `text outside its row at y ${box.top}`,
                        );
                        assert.ok(
                            box.left >= row.left && box.right <= row.right,
                            `text outside its row at x ${box.left}`,
                        );
                    }
                    assertNoOverlap(boxes, `row ${row.badge.number}'s cells`);
                }
            }
        });
    }

    it("grows the picture by one row per fault and keeps the old height without faults", () => {
        const heights = [0, 1, 2, 12].map((count) => svgSize(renderTimelineSvg(traffic(60), burst(count, 10))).height);
        const row = heights[2] - heights[1];
        assert.ok(row >= 18);
        assert.equal(heights[3] - heights[1], 11 * row);
        assert.ok(heights[1] > heights[0]);
        assert.doesNotMatch(renderTimelineSvg(traffic(60), []), /fault-key|fault-badge/);
    });

    it("cuts a name too long for its column and keeps it whole in the row's tooltip", () => {
        const svg = renderTimelineSvg(traffic(60), burst(4, 10));
        const long = keyRows(svg)[3].texts[2].text;
        assert.match(long, /^a fault whose name.*…$/);
        assert.match(
            svg,
            /<title>a fault whose name is far longer than any column could hold in one row of the key<\/title>/,
        );
    });
});

describe("spreadBadges", () => {
    it("leaves badges that are far apart where they are", () => {
        assert.deepEqual(spreadBadges([100, 300, 500], 0, 1000, 20), [100, 300, 500]);
    });

    it("pushes crowded badges right, and pulls them back left at the right edge", () => {
        assert.deepEqual(spreadBadges([100, 100, 105], 0, 1000, 20), [100, 120, 140]);
        assert.deepEqual(spreadBadges([990, 995, 1000], 0, 1000, 20), [960, 980, 1000]);
        assert.deepEqual(spreadBadges([-50, 2000], 0, 1000, 20), [0, 1000]);
    });

    it("shares the row evenly when more badges come than fit at the gap", () => {
        const placed = spreadBadges(
            Array.from({ length: 11 }, () => 50),
            0,
            100,
            20,
        );
        assert.equal(placed[0], 0);
        assert.ok(Math.abs(placed[10] - 100) < 1e-9);
        placed.slice(1).forEach((x, i) => assert.ok(Math.abs(x - placed[i] - 10) < 1e-9));
    });
});
