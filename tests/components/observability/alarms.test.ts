import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Alarms, AlarmsArgs } from "../../../components/observability/alarms";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const o = pulumi.output;
const base = (): AlarmsArgs => ({
    alertEmail: "ops@example.com",
    loadBalancers: [1, 2].map((i) => ({
        arnSuffix: o(`app/alb${i}/abc`),
        targetGroupArnSuffix: o(`targetgroup/tg${i}/def`),
    })),
    database: { writerIdentifier: o("db-writer"), replicaIdentifiers: [o("db-replica-1")] },
    redis: { memberClusterIds: o(["rg-001", "rg-002", "rg-003"]), nodeCount: 3 },
    services: [
        { role: "app", clusterName: o("c"), serviceName: o("app"), minTasks: 3 },
        { role: "worker", clusterName: o("c"), serviceName: o("worker"), minTasks: 2 },
    ],
    healthCheckIds: [o("hc-1"), o("hc-2")],
});

async function build(args: AlarmsArgs, name = "mon") {
    let alarms!: Alarms;
    const run = await runProgram(() => {
        alarms = new Alarms(name, args);
    });
    return { run, alarms };
}

/** A statement of an IAM, SNS or KMS policy document, as these tests read it. */
interface Statement {
    Sid?: string;
    Principal: { Service?: string };
    Action: string | string[];
}

describe("Alarms: Memcached and AWS Backup", () => {
    it("watches every Memcached node: CPU, sustained evictions, connections and swap, by cluster and node id", async () => {
        const { run } = await build({
            ...base(),
            memcached: { clusterId: o("mc-1"), nodeCount: 3, connectionsAbove: 400 },
        });
        for (const n of [1, 2, 3]) {
            const a = (metric: string) => inputsOf(byName(run, ALARM, `mon-memcached${n}-${metric}`));
            assert.deepStrictEqual(a("cpu").dimensions, { CacheClusterId: "mc-1", CacheNodeId: `000${n}` });
            assert.deepStrictEqual([a("cpu").metricName, a("cpu").threshold], ["CPUUtilization", 80]);
            assert.deepStrictEqual(
                [
                    a("evictions").metricName,
                    a("evictions").statistic,
                    a("evictions").threshold,
                    a("evictions").evaluationPeriods,
                ],
                ["Evictions", "Sum", 0, 5],
            );
            assert.deepStrictEqual([a("connections").metricName, a("connections").threshold], ["CurrConnections", 400]);
            assert.deepStrictEqual([a("swap").metricName, a("swap").threshold], ["SwapUsage", 50 * 1024 * 1024]);
            assert.strictEqual(a("cpu").tags["boxoffice:tier"], "cache");
        }
    });

    it("sends failed backup, copy and restore jobs to the alert topic through EventBridge, which the topic and its key admit", async () => {
        const { run, alarms } = await build({ ...base(), backupFailures: true });
        const rule = ofType(run, "aws:cloudwatch/eventRule:EventRule")[0];
        const pattern = JSON.parse(inputsOf(rule).eventPattern);
        assert.deepStrictEqual(pattern.source, ["aws.backup"]);
        const branches = pattern.$or.map(
            (b: { "detail-type": string[]; detail: { state?: unknown; status?: unknown } }) => [
                b["detail-type"][0],
                b.detail.state ?? b.detail.status,
            ],
        );
        assert.deepStrictEqual(branches, [
            ["Backup Job State Change", ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"]],
            ["Copy Job State Change", ["FAILED", "PARTIAL"]],
            ["Restore Job State Change", ["FAILED"]],
            ["Restore Job State Change", ["FAILED"]],
        ]);
        assert.ok(!JSON.stringify(pattern).includes("COMPLETED"), "successes are not alerts");
        const topic = await promiseOf(alarms.topicArn);
        const target = inputsOf(ofType(run, "aws:cloudwatch/eventTarget:EventTarget")[0]);
        assert.deepStrictEqual([target.rule, target.arn], [rule.outputs.name, topic]);
        const policy = JSON.parse(inputsOf(ofType(run, "aws:sns/topicPolicy:TopicPolicy")[0]).policy);
        const events = policy.Statement.find((st: Statement) => st.Principal.Service === "events.amazonaws.com");
        assert.deepStrictEqual(
            [events.Action, events.Resource, events.Condition],
            ["sns:Publish", topic, { ArnEquals: { "aws:SourceArn": rule.outputs.arn } }],
        );
        assert.ok(
            policy.Statement.some((st: Statement) => st.Sid === "AccountOwner"),
            "the account keeps its default rights on the topic",
        );
        const key = JSON.parse(inputsOf(ofType(run, "aws:kms/key:Key")[0]).policy);
        assert.ok(
            key.Statement.some(
                (st: Statement) =>
                    st.Principal.Service === "events.amazonaws.com" && st.Action.includes("kms:GenerateDataKey*"),
            ),
        );
        assert.strictEqual(ofType(run, "aws:cloudwatch/eventRule:EventRule").length, 1);
        const without = await build(base());
        assert.strictEqual(ofType(without.run, "aws:cloudwatch/eventRule:EventRule").length, 0);
    });
});
describe("Alarms: order confirmations", () => {
    it("alarms when the outbox never empties for 15 minutes, and on SES bounce and complaint rates when SES sends", async () => {
        const mail = {
            backlog: { namespace: "Boxoffice", metricName: "OrderBacklog", dimensions: { Stack: o("boxoffice-prod") } },
            sesReputation: true,
        };
        const { run } = await build({ ...base(), mail });
        const stuck = inputsOf(byName(run, ALARM, "mon-mail-backlog-stuck"));
        assert.deepStrictEqual(
            [
                stuck.namespace,
                stuck.metricName,
                stuck.dimensions,
                stuck.statistic,
                stuck.comparisonOperator,
                stuck.threshold,
                stuck.period,
                stuck.evaluationPeriods,
                stuck.datapointsToAlarm,
            ],
            [
                "Boxoffice",
                "OrderBacklog",
                { Stack: "boxoffice-prod" },
                "Minimum",
                "GreaterThanThreshold",
                0,
                60,
                15,
                15,
            ],
        );
        const bounce = inputsOf(byName(run, ALARM, "mon-ses-bounce-rate"));
        const complaint = inputsOf(byName(run, ALARM, "mon-ses-complaint-rate"));
        assert.deepStrictEqual(
            [bounce.namespace, bounce.metricName, bounce.threshold],
            ["AWS/SES", "Reputation.BounceRate", 0.025],
        );
        assert.deepStrictEqual([complaint.metricName, complaint.threshold], ["Reputation.ComplaintRate", 0.0005]);
        const noSes = await build({ ...base(), mail: { ...mail, sesReputation: false } });
        assert.deepStrictEqual(
            ofType(noSes.run, ALARM)
                .filter((r) => /mail|ses/.test(r.name))
                .map((r) => r.name),
            ["mon-mail-backlog-stuck"],
        );
    });
});

describe("Alarms", () => {
    let shared: Awaited<ReturnType<typeof build>>;
    before(async () => {
        shared = await build(base());
    });

    it("alarms on every tier, tagged with it, notifying an encrypted topic", async () => {
        const { run, alarms } = shared;
        const tiers = ofType(run, ALARM).map((r) => inputsOf(r).tags["boxoffice:tier"]);
        for (const tier of ["load-balancer", "database", "cache", "app", "worker"])
            assert.ok(tiers.includes(tier), tier);
        assert.deepStrictEqual(Object.keys(alarms.alarmNames).sort(), [
            "app",
            "cache",
            "database",
            "dns",
            "load-balancer",
            "worker",
        ]);
        const topic = await promiseOf(alarms.topicArn);
        const regional = ofType(run, ALARM).filter((r) => !r.provider);
        assert.ok(regional.every((r) => inputsOf(r).alarmActions[0] === topic && inputsOf(r).okActions[0] === topic));
        const topics = ofType(run, "aws:sns/topic:Topic").map((r) => inputsOf(r));
        assert.ok(topics.every((t) => /^arn:aws:kms:/.test(t.kmsMasterKeyId)));
        const keyPolicy = JSON.parse(inputsOf(ofType(run, "aws:kms/key:Key")[0]).policy);
        assert.strictEqual(keyPolicy.Statement[1].Principal.Service, "cloudwatch.amazonaws.com");
        assert.deepStrictEqual(
            ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((r) => [
                inputsOf(r).protocol,
                inputsOf(r).endpoint,
            ]),
            [
                ["email", "ops@example.com"],
                ["email", "ops@example.com"],
            ],
        );
    });

    it("watches each ALB's 5xx rate with metric math, its unhealthy targets and p99 latency", async () => {
        const { run } = shared;
        const rate = inputsOf(byName(run, ALARM, "mon-alb2-5xx-rate"));
        assert.strictEqual(rate.threshold, 5);
        assert.match(
            rate.metricQueries.find((q: { returnData?: boolean }) => q.returnData).expression,
            /100 \* \(FILL\(elb, 0\) \+ FILL\(target, 0\)\) \/ requests/,
        );
        assert.deepStrictEqual(inputsOf(byName(run, ALARM, "mon-alb1-unhealthy-targets")).dimensions, {
            LoadBalancer: "app/alb1/abc",
            TargetGroup: "targetgroup/tg1/def",
        });
        const p99 = inputsOf(byName(run, ALARM, "mon-alb1-p99-latency"));
        assert.deepStrictEqual([p99.extendedStatistic, p99.statistic, p99.threshold], ["p99", undefined, 2]);
    });

    it("exposes alarm ARNs, and as user-facing only 5xx, no-healthy-targets and the serving ALB's latency", async () => {
        const { run, alarms } = shared;
        const noHealthy = inputsOf(byName(run, ALARM, "mon-alb2-no-healthy-targets"));
        assert.deepStrictEqual(
            [
                noHealthy.metricName,
                noHealthy.statistic,
                noHealthy.comparisonOperator,
                noHealthy.threshold,
                noHealthy.treatMissingData,
            ],
            ["HealthyHostCount", "Minimum", "LessThanThreshold", 1, "notBreaching"],
        );
        assert.deepStrictEqual(noHealthy.dimensions, {
            LoadBalancer: "app/alb2/abc",
            TargetGroup: "targetgroup/tg2/def",
        });
        const arnOf = (name: string) => outputsOf(byName(run, ALARM, name)).arn;
        assert.match(
            arnOf("mon-alb1-5xx-rate"),
            /^arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mon-alb1-5xx-rate-[0-9a-f]{7}$/,
        );
        assert.strictEqual(await promiseOf(alarms.alarmArns["db-writer-cpu"]), arnOf("mon-db-writer-cpu"));
        const userImpact = await Promise.all(alarms.userImpactAlarmArns.map(promiseOf));
        assert.deepStrictEqual(
            userImpact,
            [
                "alb1-5xx-rate",
                "alb1-no-healthy-targets",
                "alb1-p99-latency",
                "alb2-5xx-rate",
                "alb2-no-healthy-targets",
            ].map((r) => arnOf(`mon-${r}`)),
        );
    });

    it("covers the database writer and replicas, every Redis node and the task floors", async () => {
        const { run } = shared;
        const names = ofType(run, ALARM).map((r) => r.name);
        for (const n of [
            "mon-db-writer-cpu",
            "mon-db-writer-free-storage",
            "mon-db-writer-connections",
            "mon-db-replica1-lag",
            "mon-db-replica1-cpu",
        ])
            assert.ok(names.includes(n), n);
        assert.ok(!names.includes("mon-db-writer-lag"));
        for (const i of [1, 2, 3])
            for (const m of ["cpu", "engine-cpu", "evictions", "replication-lag"])
                assert.ok(names.includes(`mon-redis${i}-${m}`), `redis${i}-${m}`);
        assert.deepStrictEqual(inputsOf(byName(run, ALARM, "mon-redis3-cpu")).dimensions, { CacheClusterId: "rg-003" });
        const floor = inputsOf(byName(run, ALARM, "mon-app-running-tasks"));
        assert.deepStrictEqual(
            [floor.namespace, floor.metricName, floor.comparisonOperator, floor.threshold, floor.treatMissingData],
            ["ECS/ContainerInsights", "RunningTaskCount", "LessThanThreshold", 3, "breaching"],
        );
    });

    it("puts Route 53 health-check alarms and their topic in us-east-1", async () => {
        const { run, alarms } = shared;
        const provider = ofType(run, "pulumi:providers:aws")[0];
        assert.strictEqual(provider.inputs.region, "us-east-1");
        const dns = ["mon-dns-health-check1", "mon-dns-health-check2"].map((n) => byName(run, ALARM, n));
        assert.ok(dns.every((r) => r.provider?.startsWith(provider.urn)));
        const globalTopic = await promiseOf(alarms.globalTopicArn!);
        assert.match(globalTopic, /^arn:aws:sns:us-east-1:/);
        assert.ok(
            dns.every((r) => inputsOf(r).alarmActions[0] === globalTopic && inputsOf(r).namespace === "AWS/Route53"),
        );
    });

    it("builds a dashboard and returns its console URL", async () => {
        const { run, alarms } = shared;
        const body = JSON.parse(inputsOf(ofType(run, "aws:cloudwatch/dashboard:Dashboard")[0]).dashboardBody);
        assert.ok(body.widgets.length >= 5);
        assert.strictEqual(
            await promiseOf(alarms.dashboardUrl),
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=mon",
        );
    });

    it("without health checks or e-mail: no us-east-1 provider and no subscription", async () => {
        const { run } = await build({ ...base(), healthCheckIds: [], alertEmail: undefined });
        assert.strictEqual(ofType(run, "pulumi:providers:aws").length, 0);
        assert.strictEqual(ofType(run, "aws:sns/topicSubscription:TopicSubscription").length, 0);
    });

    it("grants the topic key to the account root in the region's partition, not a literal arn:aws", async () => {
        const keyPolicy = (r: { run: Awaited<ReturnType<typeof build>>["run"] }) =>
            JSON.parse(inputsOf(ofType(r.run, "aws:kms/key:Key")[0]).policy);
        assert.strictEqual(keyPolicy(shared).Statement[0].Principal.AWS, "arn:aws:iam::123456789012:root");
        const gov = {
            run: await runProgram(() => new Alarms("mon", { ...base(), healthCheckIds: [] }), {
                config: { "aws:region": "us-gov-west-1" },
            }),
        };
        assert.deepStrictEqual(keyPolicy(gov).Statement[0], {
            Sid: "Account",
            Effect: "Allow",
            Principal: { AWS: "arn:aws-us-gov:iam::123456789012:root" },
            Action: "kms:*",
            Resource: "*",
        });
    });

    it("refuses bad arguments with one error naming the argument", async () => {
        const cases: [Partial<AlarmsArgs>, string][] = [
            [{ alertEmail: "ops" }, 'Alarms "mon": alertEmail = "ops": must be an e-mail address'],
            [
                { redis: { memberClusterIds: [], nodeCount: 0 } },
                'Alarms "mon": redis.nodeCount = 0: must be 1..6 (primary + up to 5 replicas)',
            ],
            [{ cpuPercentAbove: 150 }, 'Alarms "mon": cpuPercentAbove = 150: must be 1..100 (CPU percent)'],
        ];
        for (const [over, message] of cases) {
            await assert.rejects(build({ ...base(), ...over }), (e: Error) => {
                assert.strictEqual(e.message, message);
                return true;
            });
        }
    });
});
