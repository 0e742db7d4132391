import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SendingIdentity } from "../../../components/mail/sending-identity";
import { Alarms } from "../../../components/observability/alarms";
import { GameDays } from "../../../components/resilience/game-days";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, promiseOf } from "../../../tools/offline/values";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const o = pulumi.output;

describe("Alarms, GameDays and SendingIdentity escape hatches", () => {
    it("Alarms: a function transform reaches every alarm by name; an object one the topic and the backup-failure rule", async () => {
        const seen: string[] = [];
        let alarms!: Alarms;
        const run = await runProgram(() => {
            alarms = new Alarms("mon", {
                loadBalancers: [{ arnSuffix: o("app/alb1/abc"), targetGroupArnSuffix: o("targetgroup/tg1/def") }],
                backupFailures: true,
                transform: {
                    alarm: (args, _opts, name) => {
                        seen.push(name);
                        args.actionsEnabled = name !== "mon-alb1-p99-latency";
                    },
                    topic: { displayName: "Ops alarms" },
                    backupFailureRule: { state: "DISABLED" },
                },
            });
        });
        assert.deepStrictEqual(seen, [
            "mon-alb1-5xx-rate",
            "mon-alb1-unhealthy-targets",
            "mon-alb1-no-healthy-targets",
            "mon-alb1-p99-latency",
        ]);
        assert.deepStrictEqual(
            ofType(run, ALARM)
                .map((r) => [r.name, inputsOf(r).actionsEnabled])
                .sort(),
            seen.map((n) => [n, n !== "mon-alb1-p99-latency"]).sort(),
        );
        assert.strictEqual(inputsOf(byName(run, "aws:sns/topic:Topic", "mon-alarms")).displayName, "Ops alarms");
        assert.strictEqual(
            inputsOf(byName(run, "aws:cloudwatch/eventRule:EventRule", "mon-backup-failures")).state,
            "DISABLED",
        );
        assert.strictEqual(
            await promiseOf(alarms.resources.topic.urn),
            byName(run, "aws:sns/topic:Topic", "mon-alarms").urn,
        );
    });

    it("GameDays: a transform of every experiment template and of the roles", async () => {
        let gd!: GameDays;
        const run = await runProgram(() => {
            gd = new GameDays("gd", {
                stopConditionAlarmArns: [o("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:five-xx")],
                database: { writerArn: o("arn:aws:rds:eu-west-1:123456789012:db:writer") },
                transform: {
                    experimentTemplate: (args) => {
                        args.tags = { ...(args.tags as object), owner: "sre" };
                    },
                    role: { maxSessionDuration: 7200 },
                },
            });
        });
        const template = byName(run, "aws:fis/experimentTemplate:ExperimentTemplate", "gd-database-failover");
        assert.strictEqual(inputsOf(template).tags.owner, "sre");
        assert.strictEqual(inputsOf(byName(run, "aws:iam/role:Role", "gd-database-role")).maxSessionDuration, 7200);
        assert.strictEqual(await promiseOf(gd.resources.templates["database-failover"].urn), template.urn);
        assert.throws(
            () =>
                new GameDays("gd", {
                    stopConditionAlarmArns: ["a"],
                    database: { writerArn: "w" },
                    logRetentionDays: 100,
                }),
            {
                message:
                    'GameDays "gd": logRetentionDays = 100: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values)',
            },
        );
    });

    it("SendingIdentity: a transform of every DNS record and of the identity", async () => {
        const run = await runProgram(() => {
            new SendingIdentity("mail", {
                domain: "tickets.example.com",
                hostedZoneId: "Z0123",
                transform: { record: { ttl: 300 }, identity: { configurationSetName: "transactional" } },
            });
        });
        const records = ofType(run, "aws:route53/record:Record");
        assert.strictEqual(records.length, 5);
        assert.ok(
            records.every((r) => inputsOf(r).ttl === 300),
            records.map((r) => r.name).join(", "),
        );
        assert.strictEqual(
            inputsOf(ofType(run, "aws:sesv2/emailIdentity:EmailIdentity")[0]).configurationSetName,
            "transactional",
        );
    });
});
