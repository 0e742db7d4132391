import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Alarms } from "../../../components/observability/alarms";
import { AutoscaledService, AutoscaledServiceArgs } from "../../../components/compute/autoscaled-service";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType } from "../../../tools/offline/values";

const o = pulumi.output;
const queueWait = { namespace: "Boxoffice", waitMetricName: "QueueWaitSeconds", dimensions: { Stack: o("s") }, thresholdSeconds: 900 };

describe("waiting-room hooks in the components", () => {
    it("Alarms: a queue-wait alarm and graph only when asked, with a checked threshold", async () => {
        const run = await runProgram(() => {
            new Alarms("with", { queueWait });
            new Alarms("without", {});
        });
        const names = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name);
        assert.deepStrictEqual(names, ["with-queue-wait"]);
        const alarm = inputsOf(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")[0]);
        assert.deepStrictEqual([alarm.threshold, alarm.statistic, alarm.treatMissingData, alarm.tags["boxoffice:tier"]], [900, "Maximum", "notBreaching", "app"]);
        await assert.rejects(runProgram(() => new Alarms("bad", { queueWait: { ...queueWait, thresholdSeconds: 5 } })),
            /Alarms "bad": queueWait.thresholdSeconds = 5: must be a whole number 60..86400 \(seconds of waiting\)/);
    });

    it("AutoscaledService: reads only the named alarms, and only when given prefixes", async () => {
        const args = (prefixes?: string[]): AutoscaledServiceArgs => ({
            role: "app", clusterArn: o("arn:aws:ecs:eu-west-1:123456789012:cluster/c"), clusterName: o("c"), image: o("img"),
            command: ["node", "dist/server.js"], subnetIds: [o("a"), o("b")], securityGroupIds: [o("sg")], readableAlarmPrefixes: prefixes,
        });
        const run = await runProgram(() => {
            new AutoscaledService("reads", args(["stack-db-writer-cpu-"]));
            new AutoscaledService("plain", args());
        });
        const statements = (name: string) => JSON.parse(inputsOf(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === `${name}-task-policy`)!).policy).Statement;
        assert.deepStrictEqual(statements("reads").find((s: { Action: string }) => s.Action === "cloudwatch:DescribeAlarms").Resource,
            ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:stack-db-writer-cpu-*"]);
        assert.strictEqual(statements("plain").length, 2);
        await assert.rejects(runProgram(() => new AutoscaledService("bad", args(["prod-*"]))),
            /AutoscaledService "bad": readableAlarmPrefixes = "prod-\*": must be 1-200 printable characters without \* or \?/);
    });
});
