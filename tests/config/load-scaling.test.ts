/** Stack config: scaling schedules and on-sale windows (expressions, time zones, ceilings, dates). */
import * as assert from "assert";
import { parsePlatformConfig } from "../../stacks/config/load";
import { NOW, problemsOf, prod } from "./config-fixture";

describe("stack config: scaling schedules and on-sales", () => {
    it("validates scaling schedules: expressions, time zones, capacities", () => {
        const raw = prod();
        raw.scaling = {
            schedules: [
                { name: "friday-peak", schedule: "cron(0 9 * * FRI *)", timezone: "Europe/Dublin", appMinTasks: 6 },
                { name: "night", schedule: "cron(0 1 ? * * *)", timezone: "Mars/Olympus", appMinTasks: 3 },
                { name: "oops", schedule: "cron(0 1 ? * * *)", timezone: "UTC", workerMinTasks: 5, workerMaxTasks: 4 },
            ],
            onSale: {
                name: "big-sale",
                start: "2026-12-05T10:00:00",
                end: "2026-12-05T09:00:00",
                timezone: "Europe/Dublin",
                leadMinutes: 20,
                appMinTasks: 10,
            },
        };
        assert.deepStrictEqual(
            problemsOf(raw).sort(),
            [
                'boxoffice:scaling.schedules[0].schedule = "cron(0 9 * * FRI *)": exactly one of day-of-month and day-of-week must be ?',
                'boxoffice:scaling.schedules[1].timezone = "Mars/Olympus": must be an IANA time zone, e.g. Europe/Dublin',
            ].sort(),
        );
        (raw.scaling as { schedules: unknown[] }).schedules.splice(0, 2);
        assert.deepStrictEqual(problemsOf(raw).sort(), [
            'boxoffice:scaling.onSale.end = "2026-12-05T09:00:00": must be after start (2026-12-05T10:00:00)',
            "boxoffice:scaling.schedules[0].workerMinTasks = 5: must not exceed workerMaxTasks (4)",
        ]);
    });

    it("refuses a schedule or on-sale floor above the service's ceiling, for app and worker", () => {
        const raw = prod();
        raw.scaling = {
            schedules: [
                {
                    name: "too-high",
                    schedule: "cron(0 9 ? * FRI *)",
                    timezone: "Europe/Dublin",
                    appMinTasks: 31,
                    workerMinTasks: 11,
                },
                {
                    name: "own-ceiling",
                    schedule: "cron(0 9 ? * SAT *)",
                    timezone: "Europe/Dublin",
                    appMinTasks: 40,
                    appMaxTasks: 50,
                },
            ],
            onSale: {
                name: "big",
                start: "2026-12-05T09:00:00",
                end: "2026-12-05T18:00:00",
                timezone: "Europe/Dublin",
                leadMinutes: 20,
                appMinTasks: 45,
                workerMinTasks: 2,
            },
        };
        assert.deepStrictEqual(problemsOf(raw), [
            "boxoffice:scaling.schedules[0].appMinTasks = 31: must not exceed app.maxTasks (30); raise app.maxTasks or set appMaxTasks in the same profile",
            "boxoffice:scaling.schedules[0].workerMinTasks = 11: must not exceed worker.maxTasks (10); raise worker.maxTasks or set workerMaxTasks in the same profile",
            "boxoffice:scaling.onSale.appMinTasks = 45: must not exceed app.maxTasks (30); raise app.maxTasks or set appMaxTasks in the same profile",
        ]);
    });

    it("refuses an on-sale whose whole window is in the past, judged in its own time zone", () => {
        const sale = (start: string, end: string) => {
            const raw = prod();
            raw.scaling = {
                schedules: [],
                onSale: { name: "s", start, end, timezone: "Pacific/Auckland", leadMinutes: 20, appMinTasks: 5 },
            };
            return raw;
        };
        // 2026-06-01T12:00Z is 2026-06-02T00:00 in Auckland (UTC+12 in June).
        assert.deepStrictEqual(problemsOf(sale("2026-06-01T10:00:00", "2026-06-01T23:30:00")), [
            'boxoffice:scaling.onSale.end = "2026-06-01T23:30:00": is in the past (it is 2026-06-02T00:00:00 in Pacific/Auckland): the whole on-sale window is over and its scaling would never run; move it or set onSale to null',
        ]);
        assert.doesNotThrow(
            () => parsePlatformConfig(sale("2026-06-01T10:00:00", "2026-06-02T01:00:00"), "eu-west-1", NOW),
            "a sale under way is kept",
        );
        assert.doesNotThrow(() =>
            parsePlatformConfig(sale("2027-06-01T10:00:00", "2027-06-01T18:00:00"), "eu-west-1", NOW),
        );
    });
});
