/**
 * The waiting room's fleet-wide settings, from the environment (the stack config `boxoffice:waitingRoom`
 * sets them in production). Per-event inlets are set through the admin API, not here.
 */
export interface WaitingRoomSettings {
    /** How long a collected admission token stays valid: the time a buyer has to order. */
    tokenTtlSeconds: number;
    /** How long an admitted visitor has to collect its token (its next poll) before the place lapses. */
    collectSeconds: number;
    /** 5xx share of recent answers (percent) at which admissions are held. */
    pauseErrorPercent: number;
    /** CloudWatch alarm name prefixes whose ALARM state holds admissions; empty: not consulted. */
    pauseAlarmPrefixes: string[];
    /** CloudWatch namespace for QueueWaitSeconds and QueueLength (every 60 s); unset: not published. */
    metricNamespace?: string;
}

export const WAITING_ROOM_DEFAULTS: WaitingRoomSettings = {
    tokenTtlSeconds: 600,
    collectSeconds: 120,
    pauseErrorPercent: 10,
    pauseAlarmPrefixes: [],
};

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
    }
    return value;
}

/** Throws a plain Error naming the variable, the value and the rule; config.ts wraps it. */
export function waitingRoomSettingsFrom(env: Env): WaitingRoomSettings {
    const prefixes = (env.WAITING_ROOM_PAUSE_ALARM_PREFIXES ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    for (const prefix of prefixes) {
        // CloudWatch alarm names: up to 255 printable ASCII characters.
        if (!/^[\x20-\x7e]{1,255}$/.test(prefix)) {
            throw new Error(
                `WAITING_ROOM_PAUSE_ALARM_PREFIXES entries must be 1-255 printable ASCII characters, got "${prefix}"`,
            );
        }
    }
    const namespace = env.WAITING_ROOM_METRIC_NAMESPACE?.trim() || undefined;
    if (namespace !== undefined && (!/^[A-Za-z0-9._\-/#:]{1,255}$/.test(namespace) || namespace.startsWith("AWS/"))) {
        throw new Error(
            `WAITING_ROOM_METRIC_NAMESPACE must be a custom CloudWatch namespace (not AWS/...), got "${namespace}"`,
        );
    }
    return {
        tokenTtlSeconds: int(env, "WAITING_ROOM_TOKEN_TTL_SECONDS", WAITING_ROOM_DEFAULTS.tokenTtlSeconds, 60, 3600),
        collectSeconds: int(env, "WAITING_ROOM_COLLECT_SECONDS", WAITING_ROOM_DEFAULTS.collectSeconds, 10, 3600),
        pauseErrorPercent: int(
            env,
            "WAITING_ROOM_PAUSE_ERROR_PERCENT",
            WAITING_ROOM_DEFAULTS.pauseErrorPercent,
            1,
            100,
        ),
        pauseAlarmPrefixes: prefixes,
        metricNamespace: namespace,
    };
}
