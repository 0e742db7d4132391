/**
 * Formats of Application Auto Scaling scheduled actions: schedule expressions and time zones. Pure, so the
 * `ScheduledScaling` contract and the stack config judge a schedule with the same code.
 */

/** Whether `tz` is an IANA time zone name the runtime knows (what `timezone` of a scheduled action takes). */
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
        [
            month,
            token("([1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"),
            "month must be 1-12 or JAN-DEC",
        ],
        [
            dow,
            /^(\?|\*|L|[1-7](#[1-5]|L)?|SUN|MON|TUE|WED|THU|FRI|SAT)([-,](?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT))*$/,
            "day-of-week must be 1-7, SUN-SAT, ? or L",
        ],
        [year, token("(19[7-9]\\d|2\\d{3})"), "year must be * or 1970-2199"],
    ];
    for (const [field, re, message] of checks) if (!re.test(field)) return message;
    if ((dom === "?") === (dow === "?")) return "exactly one of day-of-month and day-of-week must be ?";
    return undefined;
}
