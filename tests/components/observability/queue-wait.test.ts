import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Alarms } from "../../../components/observability/alarms";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType } from "../../../tools/offline/values";

const o = pulumi.output;
const queueWait = {
    namespace: "Boxoffice",
    waitMetricName: "QueueWaitSeconds",
    dimensions: { Stack: o("s") },
    thresholdSeconds: 900,
};

describe("Alarms: the waiting room's queue wait", () => {
    it("alarms and graphs only when asked, with a checked threshold", async () => {
        const run = await runProgram(() => {
            new Alarms("with", { queueWait });
            new Alarms("without", {});
        });
        const names = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name);
        assert.deepStrictEqual(names, ["with-queue-wait"]);
        const alarm = inputsOf(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm")[0]);
        assert.deepStrictEqual(
            [alarm.threshold, alarm.statistic, alarm.treatMissingData, alarm.tags["boxoffice:tier"]],
            [900, "Maximum", "notBreaching", "app"],
        );
        await assert.rejects(
            runProgram(() => new Alarms("bad", { queueWait: { ...queueWait, thresholdSeconds: 5 } })),
            /Alarms "bad": queueWait.thresholdSeconds = 5: must be 60..86400 \(seconds of waiting\)/,
        );
    });
});
