/**
 * Pure checks behind the config schema: AWS's documented limits and formats, each with the source of the
 * rule so an error can say why. No Pulumi here, so every check is unit-tested on its own.
 */
export { parseCidr } from "@boxoffice/components";
// The AWS rules the components' contracts own, re-exported for the stack's own checks.
export {
    AWS_REGIONS,
    backupWindowProblem,
    fargateMemoryOptions,
    isIanaTimeZone,
    LOG_RETENTION_DAYS,
    maintenanceWindowProblem,
    scheduleExpressionProblem,
    windowsOverlap,
} from "@boxoffice/components";
import type { AWS_REGIONS } from "@boxoffice/components";

/**
 * Availability Zones per Region: the AZ IDs each Region has (AWS Regions and Availability Zones, "AWS Availability
 * Zones", https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html; every Region
 * has at least three). An upper bound: in the oldest Regions an account may be offered fewer (us-east-1,
 * us-west-1, ap-northeast-1), which the program still checks against the Region's own answer when it runs.
 */
export const AZ_COUNTS: Readonly<Record<(typeof AWS_REGIONS)[number], number>> = {
    "us-east-1": 6,
    "us-east-2": 3,
    "us-west-1": 3,
    "us-west-2": 4,
    "af-south-1": 3,
    "ap-east-1": 3,
    "ap-east-2": 3,
    "ap-south-1": 3,
    "ap-south-2": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "ap-southeast-3": 3,
    "ap-southeast-4": 3,
    "ap-southeast-5": 3,
    "ap-southeast-7": 3,
    "ap-northeast-1": 4,
    "ap-northeast-2": 4,
    "ap-northeast-3": 3,
    "ca-central-1": 3,
    "ca-west-1": 3,
    "eu-central-1": 3,
    "eu-central-2": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "eu-south-1": 3,
    "eu-south-2": 3,
    "eu-north-1": 3,
    "il-central-1": 3,
    "me-south-1": 3,
    "me-central-1": 3,
    "mx-central-1": 3,
    "sa-east-1": 3,
};

/** Wall-clock time `yyyy-mm-ddThh:mm:ss` in an IANA time zone at `now`: comparable with the config's local times. */
export function localDateTime(timeZone: string, now: Date): string {
    const parts = new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
    }).formatToParts(now);
    const part = (type: string) => parts.find((p) => p.type === type)!.value;
    return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}`;
}

/** Levenshtein distance, for did-you-mean suggestions on unknown keys. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_v, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(
                row[j] + 1,
                row[j - 1] + 1,
                prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
            );
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
