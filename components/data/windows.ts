/**
 * Daily and weekly UTC windows of the data stores (RDS backup and maintenance windows, ElastiCache snapshot and
 * maintenance windows): formats, minimum lengths and overlap. Pure, so the components' contracts and the stack
 * config judge a window with the same code.
 */
import { DAILY_WINDOW, WEEKLY_WINDOW } from "./placement";

/** Minutes since the week starts (Monday 00:00) for RDS window parts like `sun:04:00` or `04:00`. */
function windowMinutes(part: string): number | undefined {
    const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const m = /^(?:(mon|tue|wed|thu|fri|sat|sun):)?([01]\d|2[0-3]):([0-5]\d)$/.exec(part);
    if (!m) return undefined;
    return (m[1] ? days.indexOf(m[1]) * 1440 : 0) + Number(m[2]) * 60 + Number(m[3]);
}

/** Why a daily UTC window (`hh24:mi-hh24:mi`) is refused, given the service's minimum length and the limit's name. */
export function dailyWindowProblem(window: string, minMinutes: number, limit: string): string | undefined {
    if (!DAILY_WINDOW.test(window)) return "must be hh24:mi-hh24:mi (UTC)";
    const [a, b] = window.split("-").map((p) => windowMinutes(p)!);
    return (b - a + 1440) % 1440 >= minMinutes ? undefined : `must last at least ${minMinutes} minutes (${limit})`;
}

/** Why a weekly UTC window (`ddd:hh24:mi-ddd:hh24:mi`) is refused, given the minimum length and the limit's name. */
export function weeklyWindowProblem(window: string, minMinutes: number, limit: string): string | undefined {
    if (!WEEKLY_WINDOW.test(window)) return "must be ddd:hh24:mi-ddd:hh24:mi (UTC)";
    const [a, b] = window.split("-").map((p) => windowMinutes(p)!);
    return (b - a + 10080) % 10080 >= minMinutes ? undefined : `must last at least ${minMinutes} minutes (${limit})`;
}

/** RDS PreferredBackupWindow: `hh24:mi-hh24:mi` UTC, at least 30 minutes (RDS API reference). */
export const backupWindowProblem = (window: string) => dailyWindowProblem(window, 30, "RDS limit");

/** RDS PreferredMaintenanceWindow: `ddd:hh24:mi-ddd:hh24:mi` UTC, at least 30 minutes. */
export const maintenanceWindowProblem = (window: string) => weeklyWindowProblem(window, 30, "RDS limit");

/**
 * ElastiCache snapshot and maintenance windows: each at least 60 minutes ("The minimum snapshot window is a 60
 * minute period", aws.elasticache.ReplicationGroup `snapshotWindow`; the same for `maintenanceWindow`,
 * https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/).
 */
export const snapshotWindowProblem = (window: string) => dailyWindowProblem(window, 60, "ElastiCache limit");
export const cacheMaintenanceWindowProblem = (window: string) => weeklyWindowProblem(window, 60, "ElastiCache limit");

/** Whether a daily backup window and a weekly maintenance window overlap (RDS rejects overlapping windows). */
export function windowsOverlap(backup: string, maintenance: string): boolean {
    const [bFrom, bTo] = backup.split("-").map((p) => windowMinutes(p)!);
    const [mFrom, mTo] = maintenance.split("-").map((p) => windowMinutes(p)!);
    const spans = (from: number, to: number, period: number): [number, number][] => {
        const end = to > from ? to : to + period;
        return [
            [from, end],
            [from + period, end + period],
        ];
    };
    const maintenanceSpans = spans(mFrom, mTo, 10080);
    for (let day = 0; day < 7; day++) {
        for (const [s, e] of spans(bFrom + day * 1440, bTo + day * 1440, 10080)) {
            if (maintenanceSpans.some(([ms, me]) => s < me && ms < e)) return true;
        }
    }
    return false;
}
