import * as assert from "assert";
import { BackupPolicy } from "../../../components/backup/backup-policy";
import { DEFAULT_BACKUP_SCHEDULES, cronStarts, scheduleConflict } from "../../../components/backup/schedule-windows";

const DB = { backupWindow: "02:00-03:00", maintenanceWindow: "sun:04:00-sun:05:00" };

describe("backup schedules against the database's windows", () => {
    it("the default rules start clear of the default RDS backup and maintenance windows (and the weekly is not on Sunday)", () => {
        for (const expr of Object.values(DEFAULT_BACKUP_SCHEDULES))
            assert.strictEqual(scheduleConflict(expr, 60, DB), undefined, expr);
        assert.doesNotMatch(DEFAULT_BACKUP_SCHEDULES.weekly, /SUN/);
    });

    it("flags a weekly rule at the end of the maintenance window (the old default), in the hour before it, or in the RDS backup window", () => {
        assert.match(
            scheduleConflict("cron(0 5 ? * SUN *)", 60, DB)!,
            /maintenance window sun:04:00-sun:05:00.*hour after it/,
        );
        assert.match(scheduleConflict("cron(30 3 ? * SUN *)", 60, DB)!, /hour before it/);
        assert.match(
            scheduleConflict("cron(30 1 * * ? *)", 60, DB)!,
            /RDS backup window 02:00-03:00/,
            "the start window reaches into it",
        );
        assert.strictEqual(scheduleConflict("cron(0 5 ? * MON *)", 60, DB), undefined, "maintenance is on Sunday only");
        // A monthly rule falls on any weekday, Sunday included.
        assert.match(scheduleConflict("cron(0 5 1 * ? *)", 60, DB)!, /maintenance/);
        // A maintenance window across the week's end (Sunday night into Monday).
        assert.match(
            scheduleConflict("cron(15 0 ? * MON *)", 60, {
                backupWindow: "02:00-03:00",
                maintenanceWindow: "sun:23:30-mon:00:30",
            })!,
            /maintenance/,
        );
    });

    it("reads AWS cron days (1 = SUN) and refuses start times it cannot check", () => {
        assert.deepStrictEqual(cronStarts("cron(0 7 ? * 1,SAT *)"), { days: [6, 5], minute: 420 });
        assert.match(cronStarts("cron(0/30 * * * ? *)") as string, /one fixed minute and hour/);
    });

    it("BackupPolicy refuses a schedule that collides with the database's windows, naming the rule", () => {
        assert.throws(
            () =>
                new BackupPolicy("bk", {
                    copyToRegion: "eu-central-1",
                    weeklySchedule: "cron(0 5 ? * SUN *)",
                    databaseWindows: DB,
                }),
            {
                name: "ComponentArgError",
                message:
                    /^BackupPolicy "bk": weeklySchedule = "cron\(0 5 \? \* SUN \*\)": may start .* during the maintenance window/,
            },
        );
    });
});
