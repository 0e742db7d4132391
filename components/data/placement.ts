/**
 * Formats and placement shared by the data stores. Pure, so the stack config validates windows with the same
 * patterns the components enforce.
 */

/** A daily UTC window, `hh24:mi-hh24:mi` (RDS backup window, ElastiCache snapshot window). */
export const DAILY_WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;

/** A weekly UTC window, `ddd:hh24:mi-ddd:hh24:mi` (RDS and ElastiCache maintenance windows). */
export const WEEKLY_WINDOW =
    /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

/**
 * `count` placements over `azs`, round-robin from `offset`: every AZ gets the floor or ceiling of count / AZs,
 * and no two share an AZ until all are used.
 */
export function spreadOverAzs<T>(count: number, azs: readonly T[], offset = 0): T[] {
    return Array.from({ length: count }, (_v, i) => azs[(i + offset) % azs.length]);
}
