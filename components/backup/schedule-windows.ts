/**
 * Whether an AWS Backup rule may start while RDS is busy with the same database. AWS Backup does not start a
 * backup of an RDS instance during its maintenance window or in the hour before it (AWS Backup Developer Guide,
 * "Backup plan options and configuration", backup windows), maintenance may run past the window's end, and a
 * snapshot requested while RDS takes its own automated backup waits for it; a job whose start window ends before
 * it can start is EXPIRED — a missed backup.
 * Pure, so the schedule checks are unit-tested without a Pulumi runtime.
 */

const WEEK = 7 * 1440;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** AWS cron day-of-week: 1 = SUN .. 7 = SAT, or names. */
const CRON_DAYS: Record<string, number> = {
    SUN: 6,
    MON: 0,
    TUE: 1,
    WED: 2,
    THU: 3,
    FRI: 4,
    SAT: 5,
    "1": 6,
    "2": 0,
    "3": 1,
    "4": 2,
    "5": 3,
    "6": 4,
    "7": 5,
};
/**
 * `BackupPolicy`'s default schedules (UTC): 07:00 is clear of the default RDS backup window (02:00-03:00) and of
 * Sunday's maintenance window (04:00-05:00) even when it overruns, and the weekly rule runs on Saturday, away from
 * the maintenance day.
 */
export const DEFAULT_BACKUP_SCHEDULES = {
    daily: "cron(0 7 * * ? *)",
    weekly: "cron(0 7 ? * SAT *)",
    monthly: "cron(0 7 1 * ? *)",
} as const;
/** Minutes after the scheduled time within which a backup job must start, or it expires. */
export const BACKUP_START_WINDOW_MINUTES = 60;
/** Minutes before the maintenance window in which AWS Backup does not start an RDS backup. */
export const MAINTENANCE_LEAD_MINUTES = 60;
/**
 * Minutes after the maintenance window kept clear as well: RDS starts maintenance inside the window but does not
 * promise to finish it there ("Maintaining a DB instance", RDS User Guide), so a backup right at the window's end
 * is the one that expires when an upgrade overruns.
 */
export const MAINTENANCE_TAIL_MINUTES = 60;

export interface DatabaseWindows {
    /** RDS backup window, `hh24:mi-hh24:mi` UTC. */
    backupWindow: string;
    /** RDS maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC. */
    maintenanceWindow: string;
}

function minutesOf(part: string): number {
    const m = /^(?:(mon|tue|wed|thu|fri|sat|sun):)?(\d{2}):(\d{2})$/.exec(part);
    if (!m) throw new Error(`not a window time: ${part}`);
    return (m[1] ? DAYS.indexOf(m[1]) * 1440 : 0) + Number(m[2]) * 60 + Number(m[3]);
}

/** [from, to) intervals in minutes of the week, split at the week's end so none wraps. */
type Span = [number, number];
function spansOf(from: number, to: number): Span[] {
    const f = ((from % WEEK) + WEEK) % WEEK;
    const length = to - from;
    return f + length <= WEEK
        ? [[f, f + length]]
        : [
              [f, WEEK],
              [0, f + length - WEEK],
          ];
}
const overlaps = (a: Span[], b: Span[]) => a.some(([s1, e1]) => b.some(([s2, e2]) => s1 < e2 && s2 < e1));

/**
 * The weekdays (0 = Monday) and the minute of the day an AWS Backup cron starts, or a problem. A rule on a day
 * of the month may fall on any weekday, so it counts as every day.
 */
export function cronStarts(expr: string): { days: number[]; minute: number } | string {
    const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
    if (!m) return "must be an AWS cron expression with six fields, e.g. cron(0 7 * * ? *)";
    const [, minute, hour, , , dow] = m;
    if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour) || Number(minute) > 59 || Number(hour) > 23) {
        return "must start at one fixed minute and hour (UTC), so it can be checked against the database's windows";
    }
    const all = [0, 1, 2, 3, 4, 5, 6];
    let days = all;
    if (dow !== "?" && dow !== "*") {
        const named = dow.toUpperCase().split(",");
        if (!named.every((d) => d in CRON_DAYS)) return "day-of-week must be ?, * or a list of days (SUN-SAT or 1-7)";
        days = named.map((d) => CRON_DAYS[d]);
    }
    return { days, minute: Number(hour) * 60 + Number(minute) };
}

/**
 * Why a rule starting at `expr` (and possibly up to `startWindowMinutes` later) would collide with the
 * database's windows, or undefined when it never does.
 */
export function scheduleConflict(
    expr: string,
    startWindowMinutes: number,
    windows: DatabaseWindows,
): string | undefined {
    const starts = cronStarts(expr);
    if (typeof starts === "string") return starts;
    const [mFrom, mTo] = windows.maintenanceWindow.split("-").map(minutesOf);
    const maintenance = spansOf(
        mFrom - MAINTENANCE_LEAD_MINUTES,
        (mTo > mFrom ? mTo : mTo + WEEK) + MAINTENANCE_TAIL_MINUTES,
    );
    const [bFrom, bTo] = windows.backupWindow.split("-").map(minutesOf);
    const rdsBackups = [0, 1, 2, 3, 4, 5, 6].flatMap((d) =>
        spansOf(d * 1440 + bFrom, d * 1440 + (bTo > bFrom ? bTo : bTo + 1440)),
    );
    for (const day of starts.days) {
        const job = spansOf(day * 1440 + starts.minute, day * 1440 + starts.minute + startWindowMinutes);
        if (overlaps(job, maintenance)) {
            return `may start (within its ${startWindowMinutes}-minute start window) during the maintenance window ${windows.maintenanceWindow}, the hour before it (when AWS Backup does not start RDS backups) or the hour after it (maintenance may overrun)`;
        }
        if (overlaps(job, rdsBackups)) {
            return `may start (within its ${startWindowMinutes}-minute start window) during the RDS backup window ${windows.backupWindow}`;
        }
    }
    return undefined;
}
