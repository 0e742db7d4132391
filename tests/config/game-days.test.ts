import * as assert from "assert";
import { ConfigError, parsePlatformConfig } from "../../stacks/config/load";
import { planStackFile } from "../support/plan-stack-file";

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig(raw, "eu-west-1");
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems;
    }
    return assert.fail("config was accepted");
}

const PROD = { environment: "prod", loadBalancers: { domain: "tickets.example.org", hostedZoneId: "Z123" } };
const prodWith = (gameDays: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...PROD,
    gameDays,
    ...extra,
});

describe("stack config: boxoffice:gameDays", () => {
    it("is on in both environments, with a share of tasks that is at least one at the floor", () => {
        const prod = parsePlatformConfig(PROD, "eu-west-1");
        const staging = parsePlatformConfig({ environment: "staging" }, "eu-west-1");
        assert.deepStrictEqual(prod.gameDays, {
            enabled: true,
            stopTaskPercent: 34,
            cacheInterruptMinutes: 10,
            zoneDisruptionMinutes: 5,
            logRetentionDays: 90,
        });
        assert.deepStrictEqual(staging.gameDays, {
            enabled: true,
            stopTaskPercent: 50,
            cacheInterruptMinutes: 10,
            zoneDisruptionMinutes: 5,
            logRetentionDays: 30,
        });
        for (const c of [prod, staging])
            assert.ok(Math.floor((c.app.minTasks * c.gameDays.stopTaskPercent) / 100) >= 1);
    });

    it("merges a partial section over the defaults", () => {
        const c = parsePlatformConfig(prodWith({ zoneDisruptionMinutes: 2 }), "eu-west-1");
        assert.deepStrictEqual(
            [c.gameDays.enabled, c.gameDays.zoneDisruptionMinutes, c.gameDays.stopTaskPercent],
            [true, 2, 34],
        );
    });

    it("names the key, the value and the rule for every bad value", () => {
        assert.deepStrictEqual(
            problemsOf(
                prodWith({
                    enabled: "yes",
                    stopTaskPercent: 80,
                    cacheInterruptMinutes: 0,
                    zoneDisruptionMinutes: 721,
                    logRetentionDays: 8,
                }),
            ),
            [
                "boxoffice:gameDays.cacheInterruptMinutes = 0: must be 1..720 (FIS action duration, one minute to 12 hours)",
                "boxoffice:gameDays.zoneDisruptionMinutes = 721: must be 1..720 (FIS action duration, one minute to 12 hours)",
                "boxoffice:gameDays.logRetentionDays = 8: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values)",
                'boxoffice:gameDays.enabled = "yes": must be true or false',
                // The GameDays component's own rule and words (its `app.stopTaskPercent`).
                "boxoffice:gameDays.stopTaskPercent = 80: must be 1..50 (stopping more than half the fleet at once is an outage, not a drill)",
            ],
        );
        assert.deepStrictEqual(problemsOf(prodWith({ stopTaskPercentage: 20 })), [
            "boxoffice:gameDays.stopTaskPercentage = 20: unknown key (did you mean stopTaskPercent?)",
        ]);
    });

    it("refuses a share that stops no whole task at the app's floor, but not a single-task app (that drill is skipped)", () => {
        assert.deepStrictEqual(problemsOf(prodWith({ stopTaskPercent: 34 }, { app: { minTasks: 2 } })), [
            "boxoffice:gameDays.stopTaskPercent = 34: must stop at least one whole task at app.minTasks (2): FIS stops PERCENT(n) of the tasks it finds, rounded down at worst",
        ]);
        assert.doesNotThrow(() =>
            parsePlatformConfig(prodWith({ stopTaskPercent: 50 }, { app: { minTasks: 2 } }), "eu-west-1"),
        );
        assert.doesNotThrow(() => parsePlatformConfig(prodWith({}, { app: { minTasks: 1 } }), "eu-west-1"));
        assert.doesNotThrow(() =>
            parsePlatformConfig(
                prodWith({ enabled: false, stopTaskPercent: 34 }, { app: { minTasks: 2 } }),
                "eu-west-1",
            ),
        );
    });

    it("makes the plan command exit 2 before registering anything", () => {
        const r = planStackFile([
            "aws:region: eu-west-1",
            "boxoffice:environment: staging",
            "boxoffice:gameDays: { zoneDisruptionMinutes: 0 }",
        ]);
        assert.strictEqual(r.status, 2);
        assert.strictEqual(r.stdout, "");
        assert.match(
            r.stderr,
            /boxoffice:gameDays\.zoneDisruptionMinutes = 0: must be 1\.\.720 \(FIS action duration, one minute to 12 hours\)/,
        );
    }).timeout(60_000);
});
