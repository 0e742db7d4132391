import * as assert from "assert";
import {
    backupWindowProblem,
    didYouMean,
    fargateMemoryOptions,
    isIanaTimeZone,
    maintenanceWindowProblem,
    scheduleExpressionProblem,
    windowsOverlap,
} from "../../stacks/config/rules";

describe("config rules", () => {
    it("accepts the three Application Auto Scaling schedule forms", () => {
        for (const ok of [
            "cron(0 9 ? * FRI *)",
            "cron(30 18 1 * ? *)",
            "cron(0/15 8-20 ? * MON-FRI *)",
            "rate(1 hour)",
            "rate(5 minutes)",
            "at(2026-12-05T09:30:00)",
        ]) {
            assert.strictEqual(scheduleExpressionProblem(ok), undefined, ok);
        }
    });

    it("names what is wrong with a schedule expression", () => {
        const cases: [string, string][] = [
            ["0 9 * * FRI", "must be cron(...), rate(...) or at(...)"],
            ["cron(0 9 * * FRI)", "cron(...) needs 6 fields: minutes hours day-of-month month day-of-week year"],
            ["cron(0 24 ? * FRI *)", "hours must be 0-23"],
            ["cron(61 9 ? * FRI *)", "minutes must be 0-59"],
            ["cron(0 9 * * FRI *)", "exactly one of day-of-month and day-of-week must be ?"],
            ["cron(0 9 ? 13 FRI *)", "month must be 1-12 or JAN-DEC"],
            ["rate(1 hours)", "rate(...) takes a singular unit for 1 and a plural one otherwise"],
            ["rate(0 minutes)", "rate(...) must be at least 1"],
            ["at(2026-02-30T09:00:00)", "at(...) must hold a real date and time, yyyy-mm-ddThh:mm:ss"],
        ];
        for (const [expr, problem] of cases) assert.strictEqual(scheduleExpressionProblem(expr), problem, expr);
    });

    it("checks RDS windows and their overlap", () => {
        assert.strictEqual(backupWindowProblem("02:00-03:00"), undefined);
        assert.strictEqual(backupWindowProblem("23:45-00:15"), undefined);
        assert.strictEqual(backupWindowProblem("2:00-3:00"), "must be hh24:mi-hh24:mi (UTC)");
        assert.strictEqual(maintenanceWindowProblem("sun:04:00-sun:05:00"), undefined);
        assert.strictEqual(
            maintenanceWindowProblem("sun:04:00-sun:04:10"),
            "must last at least 30 minutes (RDS limit)",
        );
        assert.strictEqual(maintenanceWindowProblem("04:00-05:00"), "must be ddd:hh24:mi-ddd:hh24:mi (UTC)");
        assert.strictEqual(windowsOverlap("02:00-03:00", "sun:04:00-sun:05:00"), false);
        assert.strictEqual(windowsOverlap("04:30-05:30", "sun:04:00-sun:05:00"), true);
        assert.strictEqual(windowsOverlap("23:30-00:30", "mon:00:00-mon:01:00"), true);
    });

    it("knows Fargate sizes, IANA zones and near-miss names", () => {
        assert.deepStrictEqual(fargateMemoryOptions(256), [512, 1024, 2048]);
        assert.ok(fargateMemoryOptions(4096).includes(30720));
        assert.deepStrictEqual(fargateMemoryOptions(300), []);
        assert.ok(isIanaTimeZone("Europe/Dublin") && isIanaTimeZone("UTC"));
        assert.ok(!isIanaTimeZone("Europe/Atlantis") && !isIanaTimeZone("CEST"));
        assert.strictEqual(didYouMean("memcache", ["memcached", "redis"]), "memcached");
        assert.strictEqual(didYouMean("zzz", ["memcached", "redis"]), undefined);
    });
});
