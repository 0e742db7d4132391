/**
 * The inlet's arithmetic, kept pure so it is tested on its own. The Redis store runs the same rules in
 * Lua (redis-store.ts); the in-process store calls these functions.
 *
 * Pacing is a token bucket in time: admission n is due at start + n × (60 000 / rate) ms, so 600 per
 * minute means one every 100 ms, never a minute's quota at the minute boundary. Credit that piles up
 * while nobody could be admitted (idle queue, pause, maxActive reached) is capped at BURST_SECONDS of
 * the rate: a resume releases at most that many at once.
 */
export const BURST_SECONDS = 1;
/** How often the serving counter is sampled for the measured admission rate, and how many samples. */
export const SAMPLE_EVERY_MS = 5_000;
export const SAMPLES_KEPT = 13;
/** The measured rate is trusted once it covers this much time; before, the configured rate is used. */
export const MIN_MEASURED_WINDOW_MS = 10_000;

export interface Inlet {
    /** Milliseconds between admissions (60 000 / admitPerMinute); 0 when only maxActive limits. */
    intervalMs: number;
    /** Most admissions one step may release. */
    burst: number;
    /** Most visitors admitted and not yet finished; 0 for no limit. */
    maxActive: number;
}

export function inletFor(admitPerMinute: number | null | undefined, maxActive: number | null | undefined): Inlet {
    const intervalMs = admitPerMinute ? 60_000 / admitPerMinute : 0;
    return {
        intervalMs,
        burst: admitPerMinute ? Math.max(1, Math.ceil((admitPerMinute / 60) * BURST_SECONDS)) : Number.MAX_SAFE_INTEGER,
        maxActive: maxActive ?? 0,
    };
}

export interface StepInput {
    /** When the next admission is due (ms); undefined before the first step. */
    nextAtMs?: number;
    /** Visitors in line who have not been admitted. */
    backlog: number;
    /** Admitted and not finished (collecting or holding a token). */
    active: number;
    paused: boolean;
}

/** How many to admit at `now`, and when the next admission is due afterwards. */
export function admitStep(inlet: Inlet, s: StepInput, now: number): { admit: number; nextAtMs: number } {
    let nextAt = s.nextAtMs ?? now;
    // Nothing to admit or not allowed to: no credit accrues, so the end of a pause is not a burst.
    if (s.paused || s.backlog <= 0) return { admit: 0, nextAtMs: Math.max(nextAt, now) };
    let credit = s.backlog;
    if (inlet.intervalMs > 0) {
        nextAt = Math.max(nextAt, now - (inlet.burst - 1) * inlet.intervalMs);
        credit = now >= nextAt ? Math.floor((now - nextAt) / inlet.intervalMs) + 1 : 0;
    }
    if (inlet.maxActive > 0) credit = Math.min(credit, Math.max(0, inlet.maxActive - s.active));
    const admit = Math.min(credit, s.backlog, inlet.burst);
    return { admit, nextAtMs: inlet.intervalMs > 0 ? nextAt + admit * inlet.intervalMs : now };
}

/**
 * Admissions per minute over the sampled window up to now, or undefined when the window is too short.
 * Samples are `[timeMs, served]`, oldest first, taken only while visitors were waiting.
 */
export function measuredPerMinute(samples: Array<[number, number]>, now: number, served: number): number | undefined {
    const first = samples[0];
    if (!first || now - first[0] < MIN_MEASURED_WINDOW_MS) return undefined;
    return ((served - first[1]) * 60_000) / (now - first[0]);
}

/** The rate a visitor's ETA is computed from: what the room really did, else what it is set to. */
export function etaRatePerMinute(
    measured: number | undefined,
    admitPerMinute: number | null,
    maxActive: number | null,
    tokenTtlMs: number,
): number {
    if (measured !== undefined && measured > 0) return measured;
    if (admitPerMinute) return admitPerMinute;
    // maxActive alone: every slot frees at the latest when its admission expires.
    return Math.max(1, ((maxActive ?? 1) * 60_000) / tokenTtlMs);
}

/** Seconds until a visitor with `ahead` people before it is admitted, at `perMinute`. */
export function etaSeconds(ahead: number, perMinute: number, untilOpenMs = 0): number {
    return Math.max(0, Math.ceil(untilOpenMs / 1000 + ((ahead + 1) * 60) / perMinute));
}

/** Far back in the line, poll less often: 2 s near the front, at most 15 s. */
export function pollAfterSeconds(eta: number): number {
    return Math.min(15, Math.max(2, Math.round(eta / 10)));
}
