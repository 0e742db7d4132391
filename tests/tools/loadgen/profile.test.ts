import assert from "node:assert/strict";
import {
    arrivalOffsets,
    arrivalsBy,
    phaseAt,
    profileArrivals,
    profileSeconds,
    rateAt,
    steadyProfile,
    surgeProfile,
    validateProfile,
} from "../../../tools/loadgen/profile";

describe("load profiles and the arrival schedule", () => {
    it("spaces a steady phase evenly: rate × seconds arrivals, 1/rate apart", () => {
        const offsets = [...arrivalOffsets(steadyProfile(10, 3))];
        assert.equal(offsets.length, 30);
        offsets.forEach((offset, i) => assert.ok(Math.abs(offset - (i + 1) / 10) < 1e-9, `arrival ${i} at ${offset}`));
    });

    it("follows a linear ramp: the area under the rate curve, denser at the high end", () => {
        const profile = { phases: [{ name: "ramp", seconds: 10, startRate: 0, endRate: 100 }] };
        const offsets = [...arrivalOffsets(profile)];
        assert.equal(offsets.length, 500);
        assert.equal(profileArrivals(profile), 500);
        const firstHalf = offsets.filter((t) => t < 5).length;
        // n(5) = 100 * 25 / 20 = 125 arrivals in the first half, 375 in the second.
        assert.ok(Math.abs(firstHalf - 125) <= 1, `first half had ${firstHalf}`);
        for (let i = 1; i < offsets.length; i++)
            assert.ok(offsets[i] >= offsets[i - 1], "offsets must not go backwards");
        assert.ok(offsets[offsets.length - 1] <= 10 + 1e-9);
    });

    it("carries fractions across phases without losing or doubling an arrival at a boundary", () => {
        const profile = {
            phases: [
                { name: "a", seconds: 1.5, startRate: 3, endRate: 3 }, // 4.5 arrivals
                { name: "b", seconds: 0.5, startRate: 3, endRate: 3 }, // 1.5 more: 6 in all
                { name: "c", seconds: 2, startRate: 0, endRate: 0 },
                { name: "d", seconds: 1, startRate: 2, endRate: 4 }, // 3 more
            ],
        };
        const offsets = [...arrivalOffsets(profile)];
        assert.equal(offsets.length, 9);
        assert.equal(profileArrivals(profile), 9);
        assert.equal(new Set(offsets.map((t) => t.toFixed(9))).size, 9, "no two arrivals at the same instant");
        assert.ok(
            offsets.slice(6).every((t) => t > 4),
            "nothing is scheduled in the silent phase",
        );
        assert.ok(Math.abs(arrivalsBy(profile, 5) - 9) < 1e-9);
        assert.ok(Math.abs(arrivalsBy(profile, 1) - 3) < 1e-9);
    });

    it("shapes a surge as ramp, peak, a burst at three times the peak, and a cool-down, filling the run", () => {
        const profile = surgeProfile({ peakRate: 40, seconds: 120 });
        assert.deepEqual(
            profile.phases.map((p) => p.name),
            ["ramp", "peak", "on-sale burst", "cool-down"],
        );
        assert.ok(Math.abs(profileSeconds(profile) - 120) < 1e-9);
        assert.equal(Math.max(...profile.phases.map((p) => p.endRate)), 120);
        assert.equal(phaseAt(profile, 80)?.name, "on-sale burst");
        assert.equal(rateAt(profile, 80), 120);
        assert.equal(rateAt(profile, 0), 4);
        assert.equal(rateAt(profile, 500), 0);
    });

    it("rejects a bad phase with one message naming the phase, field, value and rule", () => {
        assert.throws(() => validateProfile({ phases: [] }), /at least one phase/);
        assert.throws(
            () => validateProfile({ phases: [{ name: "peak", seconds: 10, startRate: 5, endRate: -1 }] }),
            /profile phase 1 \(peak\): endRate = -1: must be 0\.\.20000 requests\/s/,
        );
        assert.throws(
            () => validateProfile({ phases: [{ name: "x", seconds: 0, startRate: 1, endRate: 1 }] }),
            /seconds = 0: must be a positive number/,
        );
    });
});
