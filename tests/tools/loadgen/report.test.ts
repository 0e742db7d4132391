import assert from "node:assert/strict";
import type { RequestRecord } from "../../../tools/loadgen/records";
import { countErrors } from "../../../tools/loadgen/records";
import { badges, keyRows } from "./svg-shapes";
import { FaultRow, faultStats, faultStatsAll, renderTable, renderTimelineSvg } from "../../../tools/loadgen/report";

const T0 = 1_800_000_000_000;
const at = (seconds: number) => T0 + seconds * 1000;

/** 10 buys per second for `seconds`; `outcome` decides each one's status by its start second. */
function traffic(seconds: number, outcome: (second: number) => number): RequestRecord[] {
    const records: RequestRecord[] = [];
    for (let tenth = 0; tenth < seconds * 10; tenth++) {
        const second = tenth / 10;
        records.push({ kind: "buy", startedAt: at(second), endedAt: at(second) + 20, status: outcome(second) });
    }
    return records;
}

/** Every opened tag closed in order, nothing left over: well-formed enough for any SVG viewer. */
function assertWellFormed(svg: string): void {
    const stack: string[] = [];
    for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
        const [, closing, name, selfClosing] = match;
        if (selfClosing) continue;
        if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
        else stack.push(name);
    }
    assert.deepEqual(stack, []);
    assert.ok(!/NaN|undefined|Infinity/.test(svg), "no broken numbers in the drawing");
}

describe("drill report", () => {
    it("measures the write gap from the first failed write after the injection to the first success after it", () => {
        // Writes fail from 10.2 s to 13 s; one request sent before the fault hangs until its timeout.
        const records = traffic(30, (s) => (s >= 10.2 && s < 13 ? 503 : 201));
        records.push({ kind: "buy", startedAt: at(9.55), endedAt: at(24.55), status: 0, error: "timeout" });
        records.push({ kind: "scan", startedAt: at(11), endedAt: at(11.01), status: 409, rescan: true });
        records.push({ kind: "lookup", startedAt: at(11), endedAt: at(11.02), status: 502 });
        const stats = faultStats(records, {
            name: "database primary killed",
            injectedAt: at(10),
            detectedAt: at(11.5),
            recoveredAt: at(13),
        });
        assert.equal(stats.firstFailureAt, at(10.2));
        assert.equal(stats.firstSuccessAfterAt, at(13) + 20);
        assert.equal(stats.writeGapSeconds, 2.82);
        assert.equal(stats.writesRecovered, true);
        assert.equal(stats.detectionSeconds, 1.5);
        assert.equal(stats.recoverySeconds, 3);
        // A refused re-scan (409) is the service working; a failed read is an error but not a failed write.
        assert.deepEqual(stats.errors, { network: 1, "502": 1, "503": 28 });
        assert.equal(stats.refusedWrites, 28);
        assert.equal(stats.unansweredWrites, 1);
    });

    it("starts a gap at the injection for a request that was sent before it and failed after it", () => {
        const records = traffic(10, (s) => (s >= 5 && s < 7 ? 0 : 201)).filter(
            (r) => r.startedAt < at(4.95) || r.startedAt >= at(5),
        );
        records.push({ kind: "buy", startedAt: at(4.95), endedAt: at(5.5), status: 0, error: "ECONNRESET" });
        const stats = faultStats(records, { name: "app instance killed", injectedAt: at(5) });
        assert.equal(stats.firstFailureAt, at(5));
        assert.equal(stats.writeGapSeconds, 2.02);
    });

    it("reports no gap when no write failed, and an open gap when writes never came back", () => {
        const healthy = traffic(5, () => 201);
        const calm = faultStats(healthy, { name: "memcached node killed", injectedAt: at(2) });
        assert.equal(calm.writeGapSeconds, 0);
        assert.deepEqual(calm.errors, {});
        assert.equal(calm.detectionSeconds, null);

        const broken = traffic(5, (s) => (s >= 3 ? 0 : 201));
        const open = faultStats(broken, { name: "writer cut off", injectedAt: at(3) });
        assert.equal(open.writesRecovered, false);
        assert.equal(open.writeGapSeconds, 1.92); // to the end of the records
    });

    it("judges each fault on its own window when faults follow one another", () => {
        const records = traffic(30, (s) => ((s >= 5 && s < 6) || (s >= 20 && s < 24) ? 503 : 201));
        const [first, second] = faultStatsAll(records, [
            { name: "app instance killed", injectedAt: at(5) },
            { name: "redis primary killed", injectedAt: at(20) },
        ]);
        assert.equal(first.writeGapSeconds, 1.02);
        assert.deepEqual(first.errors, { "503": 10 });
        assert.equal(second.writeGapSeconds, 4.02);
        assert.deepEqual(second.errors, { "503": 40 });
    });

    it("renders an aligned table, with invariant columns and a verdict when the rows carry them", () => {
        const rows: FaultRow[] = [
            {
                name: "database primary killed",
                writeGapSeconds: 3.02,
                detectionSeconds: 1.5,
                recoverySeconds: 3,
                refusedWrites: 28,
                errors: { network: 1, "503": 28 },
            },
            {
                name: "worker killed mid-batch",
                writeGapSeconds: 0,
                detectionSeconds: null,
                recoverySeconds: null,
                refusedWrites: 0,
                errors: {},
            },
        ];
        const plain = renderTable(rows).split("\n");
        assert.equal(plain.length, 4);
        assert.ok(!plain[0].includes("result"));
        // Right-aligned figures end in the same column as their header.
        const end = plain[0].indexOf("write gap") + "write gap".length;
        assert.equal(plain[2].indexOf("3.02 s") + "3.02 s".length, end);
        assert.equal(plain[3].indexOf("0.00 s") + "0.00 s".length, end);
        assert.match(plain[2], /503×28/);
        assert.match(plain[3], /\s-\s/);

        const judged = renderTable(
            rows.map((row, i) => ({
                ...row,
                lostOrders: 0,
                oversold: 0,
                doubleAdmissions: i,
                duplicateEmails: 0,
                missingEmails: 0,
                lostOutbox: 0,
            })),
        );
        const lines = judged.split("\n");
        assert.match(lines[0], /lost\s+oversold\s+double adm\.\s+dup\. mail\s+miss\. mail\s+lost outbox\s+result$/);
        assert.match(lines[2], /\bok$/);
        assert.match(lines[3], /\bFAIL$/);
        assert.equal(
            new Set(lines.slice(0, 2).map((line) => line.length)).size,
            1,
            "the rule is as wide as the header",
        );
    });

    it("draws throughput, latency and errors over time with each fault's window marked and labelled", () => {
        const records = traffic(60, (s) => (s >= 20 && s < 25 ? 503 : s >= 40 && s < 41 ? 0 : 201));
        const faults = [
            {
                name: "database primary killed",
                injectedAt: at(20),
                detectedAt: at(21),
                recoveredAt: at(25),
                writeGapSeconds: 5.02,
            },
            { name: "primary <LB> killed", injectedAt: at(40), recoveredAt: at(41) },
        ];
        const svg = renderTimelineSvg(records, faults);
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox/);
        assertWellFormed(svg);
        assert.ok(!/<script|href=|url\(/.test(svg), "self-contained: no scripts, links or outside resources");
        const windows = [...svg.matchAll(/<rect class="fault-window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map(
            (m) => [Number(m[1]), Number(m[1]) + Number(m[2])],
        );
        assert.equal(windows.length, 2);
        // Names are in the key below the time axis, numbered in injection order with each fault's figures.
        const rows = keyRows(svg);
        assert.deepEqual(
            rows.map((row) => row.texts.map((t) => t.text)),
            [
                ["1", "20.0 s", "database primary killed", "+1.0 s", "+5.0 s", "5.0 s"],
                ["2", "40.0 s", "primary &lt;LB&gt; killed", "–", "+1.0 s", "–"],
            ],
        );
        assert.deepEqual(
            badges(svg).map((b) => b.number),
            [1, 2],
        );
        assert.equal((svg.match(/class="fault-detected"/g) ?? []).length, 1);

        // One throughput point per second; inside the first window successful buys drop to the baseline.
        const points = /<polyline class="series buys" points="([^"]+)"/
            .exec(svg)![1]
            .split(" ")
            .map((p) => p.split(",").map(Number));
        assert.equal(points.length, 60);
        const baseline = Math.max(...points.map(([, y]) => y));
        const inside = points.filter(([x]) => x > windows[0][0] + 1 && x < windows[0][1] - 1);
        assert.ok(inside.length >= 3 && inside.every(([, y]) => y === baseline));
        assert.ok(points.filter(([x]) => x < windows[0][0]).every(([, y]) => y < baseline));

        // The p99 line breaks where a second had no answers (the unanswered second at 40 s), never drawing a made-up 0.
        const latency = /<path class="series latency-p99" d="([^"]+)"/.exec(svg)![1];
        assert.equal((latency.match(/M/g) ?? []).length, 2);
        assert.equal(latency.split(/[ML]/).filter(Boolean).length, 59);

        // Error bars stand only inside the fault windows.
        const bars = [...svg.matchAll(/<rect class="error-bar (\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)];
        assert.ok(bars.some((m) => m[1] === "answered") && bars.some((m) => m[1] === "network"));
        for (const [, , x, width] of bars) {
            const [from, to] = [Number(x), Number(x) + Number(width)];
            assert.ok(
                windows.some(([start, end]) => from >= start - 1 && to <= end + 1),
                `error bar at ${from}..${to} outside every fault window`,
            );
        }
        assert.deepEqual(countErrors(records), { network: 10, "503": 50 });
    });

    it("draws a valid picture for a run with no requests", () => {
        const svg = renderTimelineSvg([], []);
        assertWellFormed(svg);
        assert.match(svg, /no requests recorded/);
    });
});
