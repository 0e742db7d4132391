/** The waiting room's platform half, on the prod stack as shipped: settings to the app, pause alarms, queue-wait alarm. */
import * as assert from "assert";
import { ProgramRun, runStack } from "../../tools/offline/engine";
import { inputsOf, ofType } from "../../tools/offline/values";
import { DEFAULTS } from "../../stacks/config/defaults";
import { parsePlatformConfig } from "../../stacks/config/load";
import { pauseAlarmPrefixes, waitingRoomEnvironment } from "../../stacks/waiting-room";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

function containerEnv(run: ProgramRun, family: string): Record<string, string> {
    const task = ofType(run, TASK).find((t) => inputsOf(t).family === family)!;
    const [container] = JSON.parse(inputsOf(task).containerDefinitions);
    return Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
}

describe("waiting room in the prod stack, as shipped", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    before(async () => {
        run = await runStack({ stack: "prod" });
    });

    it("passes the validated defaults to the app, not to the worker", () => {
        const app = containerEnv(run, "boxoffice-prod-app");
        assert.deepStrictEqual(Object.fromEntries(Object.entries(app).filter(([k]) => k.startsWith("WAITING_ROOM_"))), {
            WAITING_ROOM_TOKEN_TTL_SECONDS: "600",
            WAITING_ROOM_COLLECT_SECONDS: "120",
            WAITING_ROOM_PAUSE_ERROR_PERCENT: "10",
            WAITING_ROOM_METRIC_NAMESPACE: "Boxoffice",
            WAITING_ROOM_PAUSE_ALARM_PREFIXES: pauseAlarmPrefixes("boxoffice-prod").join(","),
        });
        assert.strictEqual(app.BOXOFFICE_STACK, "boxoffice-prod", "the Stack dimension the queue metrics carry");
        assert.ok(!Object.keys(containerEnv(run, "boxoffice-prod-worker")).some((k) => k.startsWith("WAITING_ROOM_")));
    });

    it("holds admissions on alarms that exist: each prefix names exactly one alarm, which the app may read", () => {
        const names = ofType(run, ALARM).map((r) => `${r.name}-`);
        for (const prefix of pauseAlarmPrefixes("boxoffice-prod")) {
            assert.strictEqual(names.filter((n) => n.startsWith(prefix)).length, 1, prefix);
        }
        const policies = ofType(run, ROLE_POLICY).map((r) => ({ name: r.name, doc: JSON.parse(inputsOf(r).policy) }));
        const describe = (name: string) =>
            policies
                .find((p) => p.name === name)!
                .doc.Statement.find((s: { Action: string | string[] }) =>
                    ([] as string[]).concat(s.Action).includes("cloudwatch:DescribeAlarms"),
                );
        const statement = describe("boxoffice-prod-app-task-policy");
        assert.deepStrictEqual(
            statement.Resource,
            pauseAlarmPrefixes("boxoffice-prod").map((p) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${p}*`),
        );
        assert.strictEqual(describe("boxoffice-prod-worker-task-policy"), undefined);
    });

    it("alarms when a newcomer's expected wait stays above 30 minutes, and graphs the room", () => {
        const alarm = inputsOf(ofType(run, ALARM).find((r) => r.name === "boxoffice-prod-queue-wait")!);
        assert.deepStrictEqual(
            [
                alarm.namespace,
                alarm.metricName,
                alarm.dimensions,
                alarm.statistic,
                alarm.threshold,
                alarm.comparisonOperator,
                alarm.evaluationPeriods,
            ],
            ["Boxoffice", "QueueWaitSeconds", { Stack: "boxoffice-prod" }, "Maximum", 1800, "GreaterThanThreshold", 3],
        );
        const body = JSON.parse(inputsOf(ofType(run, "aws:cloudwatch/dashboard:Dashboard")[0]).dashboardBody);
        const widget = body.widgets.find((w: { properties: { title: string } }) =>
            w.properties.title.startsWith("Waiting room"),
        );
        assert.deepStrictEqual(widget.properties.metrics, [
            ["Boxoffice", "QueueWaitSeconds", "Stack", "boxoffice-prod"],
            ["Boxoffice", "QueueLength", "Stack", "boxoffice-prod", { yAxis: "right" }],
        ]);
    });
});

describe("boxoffice:waitingRoom config", () => {
    it("defaults per environment and accepts overrides", () => {
        const config = parsePlatformConfig(
            { environment: "staging", waitingRoom: { tokenTtlSeconds: 900, pauseOnAlarms: false } },
            "eu-west-1",
        );
        assert.deepStrictEqual(config.waitingRoom, {
            ...DEFAULTS.staging.waitingRoom,
            tokenTtlSeconds: 900,
            pauseOnAlarms: false,
        });
        const env = waitingRoomEnvironment("boxoffice-staging", config, "Boxoffice");
        assert.strictEqual(env.WAITING_ROOM_TOKEN_TTL_SECONDS, "900");
        assert.strictEqual(env.WAITING_ROOM_PAUSE_ALARM_PREFIXES, undefined, "pauseOnAlarms: false reads no alarms");
    });

    it("names key, value and rule for every bad value, and unknown keys", () => {
        const problems = (waitingRoom: unknown) => {
            try {
                parsePlatformConfig({ environment: "prod", waitingRoom }, "eu-west-1");
                return [];
            } catch (error) {
                return (error as { problems: string[] }).problems;
            }
        };
        assert.deepStrictEqual(problems({ tokenTtlSeconds: 30 }), [
            "boxoffice:waitingRoom.tokenTtlSeconds = 30: must be 60..3600 (seconds an admitted buyer has to order)",
        ]);
        assert.deepStrictEqual(problems({ collectSeconds: 1.5 }), [
            "boxoffice:waitingRoom.collectSeconds = 1.5: must be a whole number 10..3600 (seconds an admitted visitor has to pick up its admission)",
        ]);
        assert.deepStrictEqual(problems({ pauseOnAlarms: "yes" }), [
            'boxoffice:waitingRoom.pauseOnAlarms = "yes": must be true or false',
        ]);
        assert.deepStrictEqual(problems({ queueWaitAlarmSeconds: 10 }), [
            "boxoffice:waitingRoom.queueWaitAlarmSeconds = 10: must be 60..86400 (expected wait of a newcomer that raises the queue-wait alarm)",
        ]);
        assert.match(
            problems({ tokenTtlSecond: 600 })[0],
            /^boxoffice:waitingRoom\.tokenTtlSecond = 600: unknown key \(did you mean tokenTtlSeconds\?\)/,
        );
    });
});
