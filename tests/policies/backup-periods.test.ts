/** How backup-plan-schedules/-retention classify a rule's schedule (periodOf in policies/rules/backup.ts). */
import * as assert from "assert";
import { periodOf } from "../../policies/rules/backup";

describe("backup schedule periods", () => {
    const cases: [string | undefined, string | undefined][] = [
        ["cron(0 3 * * ? *)", "daily"],
        ["cron(0 */12 ? * * *)", "daily"],
        ["rate(1 day)", "daily"],
        ["rate(12 hours)", "daily"],
        [undefined, "daily"], // AWS Backup's default, cron(0 5 ? * * *)
        ["", "daily"],
        ["cron(0 4 ? * SUN *)", "weekly"],
        ["cron(0 4 ? * 1 *)", "weekly"],
        ["rate(7 days)", "weekly"],
        ["cron(0 5 1 * ? *)", "monthly"],
        ["cron(0 5 L * ? *)", "monthly"],
        ["cron(0 4 ? * SUN#1 *)", "monthly"],
        ["cron(0 4 ? * 5L *)", "monthly"],
        ["cron(0 5 ? * MON-FRI *)", undefined],
        ["cron(0 5 ? * MON,THU *)", undefined],
        ["cron(0 5 1 1 ? *)", undefined],
        ["rate(2 days)", undefined],
        ["weekly", undefined],
    ];
    for (const [schedule, period] of cases) {
        it(`${JSON.stringify(schedule)} is ${period ?? "not recognised"}`, () =>
            assert.strictEqual(periodOf(schedule), period));
    }
});
