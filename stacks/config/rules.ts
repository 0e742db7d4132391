/**
 * Pure checks behind the config schema: AWS's documented limits and formats, each with the source of the
 * rule so an error can say why. No Pulumi here, so every check is unit-tested on its own.
 */
export { parseCidr } from "../../components/network/cidr-plan";
import { DAILY_WINDOW, WEEKLY_WINDOW } from "../../components/data/placement";

/** Commercial AWS regions (AWS General Reference, "Regional endpoints"). */
export const AWS_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2",
    "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
] as const;

/**
 * Availability Zones per Region: the AZ IDs each Region has (AWS Regions and Availability Zones, "AWS Availability
 * Zones", https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html; every Region
 * has at least three). An upper bound: in the oldest Regions an account may be offered fewer (us-east-1,
 * us-west-1, ap-northeast-1), which the program still checks against the Region's own answer when it runs.
 */
export const AZ_COUNTS: Readonly<Record<(typeof AWS_REGIONS)[number], number>> = {
    "us-east-1": 6, "us-east-2": 3, "us-west-1": 3, "us-west-2": 4, "af-south-1": 3, "ap-east-1": 3, "ap-east-2": 3,
    "ap-south-1": 3, "ap-south-2": 3, "ap-southeast-1": 3, "ap-southeast-2": 3, "ap-southeast-3": 3, "ap-southeast-4": 3,
    "ap-southeast-5": 3, "ap-southeast-7": 3, "ap-northeast-1": 4, "ap-northeast-2": 4, "ap-northeast-3": 3,
    "ca-central-1": 3, "ca-west-1": 3, "eu-central-1": 3, "eu-central-2": 3, "eu-west-1": 3, "eu-west-2": 3,
    "eu-west-3": 3, "eu-south-1": 3, "eu-south-2": 3, "eu-north-1": 3, "il-central-1": 3, "me-south-1": 3,
    "me-central-1": 3, "mx-central-1": 3, "sa-east-1": 3,
};

/** Wall-clock time `yyyy-mm-ddThh:mm:ss` in an IANA time zone at `now`: comparable with the config's local times. */
export function localDateTime(timeZone: string, now: Date): string {
    const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    }).formatToParts(now);
    const part = (type: string) => parts.find((p) => p.type === type)!.value;
    return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}`;
}

/** Values CloudWatch Logs accepts for retentionInDays (CloudWatch Logs API, PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Fargate task size pairs (ECS Developer Guide, "Task CPU and memory"): cpu units → allowed memory MiB. */
export function fargateMemoryOptions(cpu: number): number[] {
    const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_v, i) => from + i * step);
    switch (cpu) {
        case 256: return [512, 1024, 2048];
        case 512: return range(1024, 4096, 1024);
        case 1024: return range(2048, 8192, 1024);
        case 2048: return range(4096, 16384, 1024);
        case 4096: return range(8192, 30720, 1024);
        case 8192: return range(16384, 61440, 4096);
        case 16384: return range(32768, 122880, 8192);
        default: return [];
    }
}

export function isIanaTimeZone(tz: string): boolean {
    if (tz === "UTC" || tz === "Etc/UTC") return true;
    return Intl.supportedValuesOf("timeZone").includes(tz);
}

/**
 * Application Auto Scaling schedule expressions (API reference, PutScheduledAction): `at(yyyy-mm-ddThh:mm:ss)`,
 * `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)` with exactly one of the two day
 * fields set to `?`. Returns the problem, or undefined when the expression is valid.
 */
export function scheduleExpressionProblem(expr: string): string | undefined {
    const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expr);
    if (at) {
        const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
        const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
        const valid = date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
        return valid ? undefined : "at(...) must hold a real date and time, yyyy-mm-ddThh:mm:ss";
    }
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
    if (rate) {
        const n = Number(rate[1]);
        const singular = !rate[2].endsWith("s");
        if (n < 1) return "rate(...) must be at least 1";
        return (n === 1) === singular ? undefined : "rate(...) takes a singular unit for 1 and a plural one otherwise";
    }
    const cron = /^cron\((.*)\)$/.exec(expr);
    if (!cron) return "must be cron(...), rate(...) or at(...)";
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) return "cron(...) needs 6 fields: minutes hours day-of-month month day-of-week year";
    const [minutes, hours, dom, month, dow, year] = fields;
    const token = (re: string) => new RegExp(`^(\\*|${re}(-${re})?(/\\d+)?(,${re}(-${re})?(/\\d+)?)*)$`);
    const checks: [string, RegExp, string][] = [
        [minutes, token("([0-5]?\\d)"), "minutes must be 0-59"],
        [hours, token("(1?\\d|2[0-3])"), "hours must be 0-23"],
        [dom, /^(\?|\*|L|W|\d{1,2}W|[1-9]|[12]\d|3[01])([-,/][0-9]{1,2})*$/, "day-of-month must be 1-31, ?, L or W"],
        [month, token("([1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"), "month must be 1-12 or JAN-DEC"],
        [dow, /^(\?|\*|L|[1-7](#[1-5]|L)?|SUN|MON|TUE|WED|THU|FRI|SAT)([-,](?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT))*$/, "day-of-week must be 1-7, SUN-SAT, ? or L"],
        [year, token("(19[7-9]\\d|2\\d{3})"), "year must be * or 1970-2199"],
    ];
    for (const [field, re, message] of checks) if (!re.test(field)) return message;
    if ((dom === "?") === (dow === "?")) return "exactly one of day-of-month and day-of-week must be ?";
    return undefined;
}

/** Minutes since the week starts (Monday 00:00) for RDS window parts like `sun:04:00` or `04:00`. */
function windowMinutes(part: string): number | undefined {
    const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const m = /^(?:(mon|tue|wed|thu|fri|sat|sun):)?([01]\d|2[0-3]):([0-5]\d)$/.exec(part);
    if (!m) return undefined;
    return (m[1] ? days.indexOf(m[1]) * 1440 : 0) + Number(m[2]) * 60 + Number(m[3]);
}

/** RDS PreferredBackupWindow: `hh24:mi-hh24:mi` UTC, at least 30 minutes (RDS API reference). */
export function backupWindowProblem(window: string): string | undefined {
    if (!DAILY_WINDOW.test(window)) return "must be hh24:mi-hh24:mi (UTC)";
    const [a, b] = window.split("-").map((p) => windowMinutes(p)!);
    return (b - a + 1440) % 1440 >= 30 ? undefined : "must last at least 30 minutes (RDS limit)";
}

/** RDS PreferredMaintenanceWindow: `ddd:hh24:mi-ddd:hh24:mi` UTC, at least 30 minutes. */
export function maintenanceWindowProblem(window: string): string | undefined {
    if (!WEEKLY_WINDOW.test(window)) return "must be ddd:hh24:mi-ddd:hh24:mi (UTC)";
    const [a, b] = window.split("-").map((p) => windowMinutes(p)!);
    return (b - a + 10080) % 10080 >= 30 ? undefined : "must last at least 30 minutes (RDS limit)";
}

/** Whether a daily backup window and a weekly maintenance window overlap (RDS rejects overlapping windows). */
export function windowsOverlap(backup: string, maintenance: string): boolean {
    const [bFrom, bTo] = backup.split("-").map((p) => windowMinutes(p)!);
    const [mFrom, mTo] = maintenance.split("-").map((p) => windowMinutes(p)!);
    const spans = (from: number, to: number, period: number): [number, number][] => {
        const end = to > from ? to : to + period;
        return [[from, end], [from + period, end + period]];
    };
    const maintenanceSpans = spans(mFrom, mTo, 10080);
    for (let day = 0; day < 7; day++) {
        for (const [s, e] of spans(bFrom + day * 1440, bTo + day * 1440, 10080)) {
            if (maintenanceSpans.some(([ms, me]) => s < me && ms < e)) return true;
        }
    }
    return false;
}

/** Levenshtein distance, for did-you-mean suggestions on unknown keys. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_v, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** The closest known name within a small distance, or undefined. */
export function didYouMean(unknown: string, known: readonly string[]): string | undefined {
    let best: { name: string; d: number } | undefined;
    for (const name of known) {
        const d = editDistance(unknown, name);
        if (!best || d < best.d) best = { name, d };
    }
    return best && best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.name : undefined;
}
