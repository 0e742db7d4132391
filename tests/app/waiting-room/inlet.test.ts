import assert from "node:assert/strict";
import {
    admitStep,
    etaRatePerMinute,
    etaSeconds,
    Inlet,
    inletFor,
    measuredPerMinute,
    pollAfterSeconds,
} from "../../../app/src/waiting-room/inlet";

/** Runs the inlet over `ms` of time with a step every `stepMs`, a never-empty line, and returns admission times. */
function simulate(
    inlet: Inlet,
    ms: number,
    stepMs: number,
    opts: { paused?: (t: number) => boolean; active?: () => number } = {},
) {
    let nextAtMs: number | undefined;
    const times: number[] = [];
    for (let t = 0; t <= ms; t += stepMs) {
        const step = admitStep(
            inlet,
            { nextAtMs, backlog: 1_000_000, active: opts.active?.() ?? 0, paused: opts.paused?.(t) ?? false },
            t,
        );
        nextAtMs = step.nextAtMs;
        for (let i = 0; i < step.admit; i++) times.push(t);
    }
    return times;
}

describe("waiting room inlet", () => {
    it("admits the configured rate, one every 60/N seconds, with no burst at minute boundaries", () => {
        const inlet = inletFor(600, null);
        assert.equal(inlet.intervalMs, 100);
        const times = simulate(inlet, 180_000, 10);
        // 600/min over 3 minutes: 1,801 admissions (the first is due at 0).
        assert.equal(times.length, 1801);
        // Every 1-second window holds 10 (or 11 counting both ends), so no minute boundary sees a burst.
        for (let start = 0; start + 1000 <= 180_000; start += 500) {
            const inWindow = times.filter((t) => t >= start && t < start + 1000).length;
            assert.ok(inWindow === 10, `${inWindow} admissions in [${start}, ${start + 1000})`);
        }
    });

    it("keeps the rate when steps are coarser than the interval, releasing at most a second's worth at once", () => {
        const inlet = inletFor(600, null);
        assert.equal(inlet.burst, 10);
        const times = simulate(inlet, 60_000, 250);
        assert.ok(Math.abs(times.length - 600) <= 1, `${times.length} admitted in a minute`);
        const perStep = new Map<number, number>();
        for (const t of times) perStep.set(t, (perStep.get(t) ?? 0) + 1);
        assert.ok(Math.max(...perStep.values()) <= 3, "a 250 ms step admits 2 or 3 at 10/s");
    });

    it("builds no credit while paused, so the end of a pause is not a burst", () => {
        const inlet = inletFor(600, null);
        const times = simulate(inlet, 60_000, 50, { paused: (t) => t >= 10_000 && t < 40_000 });
        assert.equal(times.filter((t) => t >= 10_000 && t < 40_000).length, 0);
        const afterResume = times.filter((t) => t >= 40_000 && t < 41_000).length;
        assert.ok(afterResume <= 11, `${afterResume} admitted in the first second after the pause`);
        assert.ok(Math.abs(times.length - 300) <= 2, `${times.length}: 30 s of admitting at 10/s`);
    });

    it("caps the credit of an idle stretch at one second's worth", () => {
        const inlet = inletFor(600, null);
        // Nobody steps for 20 s (no traffic), then one step comes.
        const step = admitStep(inlet, { nextAtMs: 0, backlog: 1000, active: 0, paused: false }, 20_000);
        assert.equal(step.admit, 10);
    });

    it("never lets more than maxActive be admitted and unfinished", () => {
        const inlet = inletFor(undefined, 50);
        assert.equal(inlet.intervalMs, 0);
        const first = admitStep(inlet, { backlog: 1000, active: 0, paused: false }, 0);
        assert.equal(first.admit, 50);
        assert.equal(admitStep(inlet, { backlog: 950, active: 50, paused: false }, 10).admit, 0);
        assert.equal(admitStep(inlet, { backlog: 950, active: 47, paused: false }, 20).admit, 3);
        // Both: the rate paces, maxActive caps.
        const both = inletFor(600, 5);
        let active = 0;
        const times = simulate(both, 10_000, 10, { active: () => active });
        assert.equal(times.length, 101);
        active = 5;
        assert.equal(admitStep(both, { nextAtMs: 0, backlog: 10, active, paused: false }, 99_999).admit, 0);
    });

    it("admits nobody from an empty line and builds no credit meanwhile", () => {
        const inlet = inletFor(60, null);
        const idle = admitStep(inlet, { nextAtMs: 0, backlog: 0, active: 0, paused: false }, 30_000);
        assert.equal(idle.admit, 0);
        assert.equal(idle.nextAtMs, 30_000);
        assert.equal(
            admitStep(inlet, { nextAtMs: idle.nextAtMs, backlog: 5, active: 0, paused: false }, 30_001).admit,
            1,
        );
    });

    it("measures the rate over the sampled window and estimates from it", () => {
        assert.equal(measuredPerMinute([[0, 0]], 5_000, 50), undefined, "a window under 10 s is not trusted");
        assert.equal(measuredPerMinute([[0, 100]], 30_000, 250), 300);
        assert.equal(measuredPerMinute([], 30_000, 250), undefined);
        // The measured rate wins (here the room is held back by maxActive), else the configured one.
        assert.equal(etaRatePerMinute(300, 600, 50, 600_000), 300);
        assert.equal(etaRatePerMinute(undefined, 600, null, 600_000), 600);
        assert.equal(etaRatePerMinute(0, 600, null, 600_000), 600);
        assert.equal(etaRatePerMinute(undefined, null, 100, 600_000), 10);
        assert.equal(etaSeconds(0, 60), 1);
        assert.equal(etaSeconds(599, 600), 60);
        assert.equal(etaSeconds(9, 600, 30_000), 31);
        assert.equal(pollAfterSeconds(5), 2);
        assert.equal(pollAfterSeconds(3600), 15);
    });
});
