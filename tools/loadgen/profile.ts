/**
 * Load profiles and the open-loop arrival schedule they define. A profile is a list of phases, each a
 * linear ramp of the arrival rate (requests per second) from `startRate` to `endRate`. The schedule is
 * deterministic (evenly spaced under the rate curve), so a run is reproducible and a test can check the
 * schedule itself rather than wall time.
 */

export interface Phase {
    name: string;
    seconds: number;
    /** Arrivals per second at the start of the phase. */
    startRate: number;
    /** Arrivals per second at the end of the phase; the rate moves linearly in between. */
    endRate: number;
}

export interface Profile {
    phases: Phase[];
}

/** Far above anything one process can send: a typo (an extra zero or three) rather than a plan. */
export const MAX_RATE = 20_000;

/** Throws one error naming the phase, the field, the value and the rule. */
export function validateProfile(profile: Profile): void {
    if (!profile || !Array.isArray(profile.phases) || profile.phases.length === 0) {
        throw new Error("profile: needs at least one phase");
    }
    for (const [index, phase] of profile.phases.entries()) {
        const label = `profile phase ${index + 1} (${phase.name ?? "unnamed"})`;
        if (!(Number.isFinite(phase.seconds) && phase.seconds > 0)) {
            throw new Error(`${label}: seconds = ${phase.seconds}: must be a positive number`);
        }
        for (const field of ["startRate", "endRate"] as const) {
            const rate = phase[field];
            if (!(Number.isFinite(rate) && rate >= 0 && rate <= MAX_RATE)) {
                throw new Error(`${label}: ${field} = ${rate}: must be 0..${MAX_RATE} requests/s`);
            }
        }
    }
}

export function profileSeconds(profile: Profile): number {
    return profile.phases.reduce((sum, phase) => sum + phase.seconds, 0);
}

/** How many arrivals the whole profile schedules (the area under the rate curve, rounded down). */
export function profileArrivals(profile: Profile): number {
    // A small tolerance: 0.1 + 0.2 style rounding must not lose the last arrival.
    return Math.floor(profile.phases.reduce((sum, p) => sum + ((p.startRate + p.endRate) / 2) * p.seconds, 0) + 1e-9);
}

/** The target rate at `offset` seconds into the profile (0 after its end). */
export function rateAt(profile: Profile, offset: number): number {
    let start = 0;
    for (const phase of profile.phases) {
        if (offset < start + phase.seconds) {
            const into = Math.max(0, offset - start);
            return phase.startRate + ((phase.endRate - phase.startRate) * into) / phase.seconds;
        }
        start += phase.seconds;
    }
    return 0;
}

/** Arrivals the profile schedules in its first `offset` seconds (the integral of the rate). */
export function arrivalsBy(profile: Profile, offset: number): number {
    let start = 0;
    let total = 0;
    for (const phase of profile.phases) {
        const into = Math.min(phase.seconds, Math.max(0, offset - start));
        const rateThere = phase.startRate + ((phase.endRate - phase.startRate) * into) / phase.seconds;
        total += ((phase.startRate + rateThere) / 2) * into;
        start += phase.seconds;
    }
    return total;
}

/** The phase running at `offset` seconds, for progress lines. */
export function phaseAt(profile: Profile, offset: number): Phase | undefined {
    let start = 0;
    for (const phase of profile.phases) {
        if (offset < start + phase.seconds) return phase;
        start += phase.seconds;
    }
    return undefined;
}

/**
 * Arrival offsets in seconds from the start, in order. The k-th arrival falls where the integral of the
 * rate reaches k. Within a phase of length T with rates a -> b, the count after t seconds is
 * n(t) = a t + (b - a) t^2 / (2T); solving n(t) = x gives t = 2x / (a + sqrt(a^2 + 2 (b - a) x / T)),
 * a form that stays exact for a flat phase (b = a) and for a ramp from zero (a = 0).
 */
export function* arrivalOffsets(profile: Profile): Generator<number> {
    validateProfile(profile);
    let phaseStart = 0;
    let areaBefore = 0; // arrivals' worth of rate integral in the earlier phases
    let yielded = 0;
    for (const { seconds: T, startRate: a, endRate: b } of profile.phases) {
        const area = ((a + b) / 2) * T;
        // Counting whole arrivals globally keeps a boundary arrival from being yielded by both phases.
        for (let k = yielded + 1; k - areaBefore <= area + 1e-9; k++) {
            const x = Math.max(0, k - areaBefore);
            const root = Math.sqrt(Math.max(0, a * a + (2 * (b - a) * x) / T));
            yield phaseStart + (x === 0 ? 0 : Math.min(T, (2 * x) / (a + root)));
            yielded = k;
        }
        areaBefore += area;
        phaseStart += T;
    }
}

export interface SurgeOptions {
    /** Arrivals per second at the peak; the on-sale burst goes to `burstFactor` times this. */
    peakRate: number;
    /** Length of the whole profile. */
    seconds: number;
    /** @default 3 */
    burstFactor?: number;
}

/**
 * An on-sale as it looks from the load balancer: fans arrive and browse (ramp), traffic holds (peak),
 * the sale opens and everyone presses "buy" at once (burst), then it settles while the last tickets go
 * (cool-down). Shares of the total length: 25 % ramp, 35 % peak, 15 % burst, 25 % cool-down.
 */
export function surgeProfile(options: SurgeOptions): Profile {
    const { peakRate, seconds } = options;
    const burst = peakRate * (options.burstFactor ?? 3);
    const share = (fraction: number) => Math.max(0.001, seconds * fraction);
    return {
        phases: [
            { name: "ramp", seconds: share(0.25), startRate: peakRate * 0.1, endRate: peakRate },
            { name: "peak", seconds: share(0.35), startRate: peakRate, endRate: peakRate },
            { name: "on-sale burst", seconds: share(0.15), startRate: burst, endRate: burst },
            { name: "cool-down", seconds: share(0.25), startRate: peakRate, endRate: peakRate * 0.25 },
        ],
    };
}

/** A constant rate for the whole run. */
export function steadyProfile(rate: number, seconds: number): Profile {
    return { phases: [{ name: "steady", seconds, startRate: rate, endRate: rate }] };
}
