/**
 * The "done when" of the foundation and the edge/compute tier, checked on the real stacks as shipped:
 * what `npm run plan -- --stack prod` shows is what these tests assert.
 */
import * as assert from "assert";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { ProgramRun, Registration, runStack } from "../../tools/offline/engine";
import { planDocument } from "../../tools/plan";
import { byId, inputsOf, ofType, plainValue } from "../../tools/offline/values";

const subnetAzs = (run: ProgramRun, ids: string[]) => ids.map((id) => inputsOf(byId(run, id)!).availabilityZone);

/** Every secret value anywhere in the run, revealed, so we can prove none leaks into the plan. */
function revealedSecrets(run: ProgramRun): string[] {
    const found = new Set<string>();
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(walk);
        if (v && typeof v === "object") {
            const o = v as Record<string, unknown>;
            if (o[rpc.specialSigKey] === rpc.specialSecretSig) {
                const plain = plainValue(o.value, { revealSecrets: true });
                const text = typeof plain === "string" ? plain : JSON.stringify(plain);
                if (text.length >= 8) found.add(text);
                return;
            }
            Object.values(o).forEach(walk);
        }
    };
    run.resources.forEach((r: Registration) => {
        walk(r.inputs);
        walk(r.outputs);
    });
    return [...found];
}

/** One query of a CloudWatch metric math specification, as the plan records it. */
interface MetricQuery {
    id?: string;
    returnData?: boolean;
    expression?: string;
    metricStat?: {
        stat: string;
        metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] };
    };
}

describe("prod stack, as shipped: services, mail, alarms and secrets", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    before(async () => {
        run = await runStack({ stack: "prod" });
    });

    it("tags the image by content for the IMMUTABLE repository; both task definitions pin its digest", () => {
        const image = ofType(run, "awsx:ecr:Image")[0];
        assert.match(inputsOf(image).imageTag, /^src-[0-9a-f]{24}$/);
        assert.strictEqual(inputsOf(ofType(run, "aws:ecr/repository:Repository")[0]).imageTagMutability, "IMMUTABLE");
        for (const td of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
            assert.strictEqual(JSON.parse(inputsOf(td).containerDefinitions)[0].image, image.outputs.imageUri);
            assert.match(image.outputs.imageUri, /@sha256:[0-9a-f]{64}$/);
        }
    });

    it("scales the app on the requests of both ALBs, so scaling follows the traffic after a DNS failover", () => {
        const policy = ofType(run, "aws:appautoscaling/policy:Policy").find(
            (r) => r.name === "boxoffice-prod-app-requests-scaling",
        )!;
        const metrics = inputsOf(policy).targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics;
        const lbs = metrics
            .filter((m: MetricQuery) => m.metricStat)
            .map((m: MetricQuery) => m.metricStat!.metric.dimensions.find((d) => d.name === "LoadBalancer")!.value)
            .sort();
        assert.deepStrictEqual(
            lbs,
            ofType(run, "aws:lb/loadBalancer:LoadBalancer")
                .map((r) => r.outputs.arnSuffix)
                .sort(),
        );
        assert.deepStrictEqual(
            metrics.filter((m: MetricQuery) => m.returnData).map((m: MetricQuery) => m.expression),
            ["FILL(requests1, 0) + FILL(requests2, 0)"],
        );
    });

    it("runs app and worker with ≥ 2 tasks, no public IP, rollback, scaling floors ≥ 2, target tracking and schedules", () => {
        const services = ofType(run, "aws:ecs/service:Service").map((r) => inputsOf(r));
        assert.strictEqual(services.length, 2);
        for (const s of services) {
            assert.ok(s.desiredCount >= 2);
            assert.strictEqual(s.networkConfiguration.assignPublicIp, false);
            assert.deepStrictEqual(s.deploymentCircuitBreaker, { enable: true, rollback: true });
            assert.strictEqual(s.deploymentMinimumHealthyPercent, 100);
            assert.strictEqual(new Set(subnetAzs(run, s.networkConfiguration.subnets)).size, 3);
        }
        const app = services.find((s) => s.loadBalancers.length > 0)!;
        assert.deepStrictEqual(
            app.loadBalancers.map((lb: { targetGroupArn: string }) => lb.targetGroupArn).sort(),
            ofType(run, "aws:lb/targetGroup:TargetGroup")
                .map((t) => t.outputs.arn)
                .sort(),
        );
        const targets = ofType(run, "aws:appautoscaling/target:Target").map((r) => inputsOf(r));
        assert.strictEqual(targets.length, 2);
        for (const t of targets) {
            assert.ok(t.minCapacity >= 2);
            const policies = ofType(run, "aws:appautoscaling/policy:Policy")
                .map((r) => inputsOf(r))
                .filter((p) => p.resourceId === t.resourceId);
            assert.ok(policies.length >= 2 && policies.every((p) => p.policyType === "TargetTrackingScaling"));
            const actions = ofType(run, "aws:appautoscaling/scheduledAction:ScheduledAction")
                .map((r) => inputsOf(r))
                .filter((a) => a.resourceId === t.resourceId);
            assert.strictEqual(actions.length, 4, "two schedules + the on-sale raise and restore");
            assert.ok(actions.every((a) => a.timezone === "Europe/Dublin"));
        }
    });

    it("leaves scaling min/max to its schedules and protects the ticket-signing secrets and key", () => {
        const targets = ofType(run, "aws:appautoscaling/target:Target");
        assert.deepStrictEqual(
            targets.map((t) => t.options.ignoreChanges),
            [
                ["minCapacity", "maxCapacity"],
                ["minCapacity", "maxCapacity"],
            ],
        );
        const secrets = run.resources.filter(
            (r) =>
                r.parent?.endsWith("boxoffice:compute:ServiceSecrets::boxoffice-prod") &&
                ["aws:kms/key:Key", "aws:secretsmanager/secret:Secret"].includes(r.type),
        );
        assert.strictEqual(secrets.length, 4);
        assert.ok(
            secrets.every((r) => r.options.protect),
            secrets
                .filter((r) => !r.options.protect)
                .map((r) => r.name)
                .join(", "),
        );
        assert.ok(secrets.find((r) => r.type === "aws:kms/key:Key")!.options.retainOnDelete);
    });

    it("sends order mail from an SES domain identity with DKIM records in the zone, and alarms on failed sends", () => {
        const [identity] = ofType(run, "aws:sesv2/emailIdentity:EmailIdentity");
        assert.strictEqual(inputsOf(identity).emailIdentity, "tickets.example.com");
        const dkim = ofType(run, "aws:route53/record:Record")
            .map((r) => inputsOf(r))
            .filter((r) => /\._domainkey\.tickets\.example\.com$/.test(r.name));
        assert.strictEqual(dkim.length, 3);
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name);
        for (const a of [
            "boxoffice-prod-mail-backlog-stuck",
            "boxoffice-prod-ses-bounce-rate",
            "boxoffice-prod-ses-complaint-rate",
        ])
            assert.ok(alarms.includes(a), a);
    });

    it("tells someone when a backup or a cross-region copy fails, and watches every Memcached node", () => {
        const [rule] = ofType(run, "aws:cloudwatch/eventRule:EventRule");
        const types = JSON.parse(inputsOf(rule).eventPattern).$or.map(
            (b: { "detail-type": string[] }) => b["detail-type"][0],
        );
        assert.ok(types.includes("Backup Job State Change") && types.includes("Copy Job State Change"));
        const topic = ofType(run, "aws:sns/topic:Topic").find((t) => t.name === "boxoffice-prod-alarms")!;
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/eventTarget:EventTarget").map((t) => inputsOf(t).arn),
            [topic.outputs.arn],
        );
        const memcached = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((r) =>
            r.name.includes("-memcached"),
        );
        assert.strictEqual(memcached.length, 3 * 4, "CPU, evictions, connections and swap on each of 3 nodes");
        const [cluster] = ofType(run, "aws:elasticache/cluster:Cluster");
        assert.ok(memcached.every((a) => inputsOf(a).dimensions.CacheClusterId === cluster.id));
    });

    it("the access-log bucket is either access-logged or explicitly exempt, with the reason on it", () => {
        const [bucket] = ofType(run, "aws:s3/bucket:Bucket");
        const logged = ofType(run, "aws:s3/bucketLogging:BucketLogging").some((l) => inputsOf(l).bucket === bucket.id);
        const exemption = inputsOf(bucket).tags["boxoffice:s3-access-logging"];
        assert.ok(
            logged || /^exempt: .*log destination/.test(exemption ?? ""),
            `neither logged nor exempt: ${exemption}`,
        );
        assert.match(exemption, /^[\p{L}\p{N}\s_.:/=+\-@]{1,256}$/u, "a valid S3 tag value");
    });

    it("alarms on every tier", () => {
        const tiers = new Set(
            ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => inputsOf(r).tags?.["boxoffice:tier"]),
        );
        for (const tier of ["load-balancer", "app", "worker", "database", "cache"])
            assert.ok(tiers.has(tier), `no alarm for ${tier}`);
    });

    it("keeps no secret in plaintext anywhere in the plan JSON", () => {
        const secrets = revealedSecrets(run);
        assert.ok(secrets.length >= 3, `expected the generated secrets, found ${secrets.length}`);
        const json = JSON.stringify(planDocument(run));
        for (const s of secrets) assert.ok(!json.includes(s), "a secret value appears in the plan");
        assert.ok(json.includes("[secret]"));
    });
});

describe("staging stack, as shipped", function () {
    this.timeout(60_000);
    it("without schedules Pulumi keeps owning scaling min/max, and the service secrets stay removable", async () => {
        const run = await runStack({ stack: "staging" });
        assert.deepStrictEqual(
            ofType(run, "aws:appautoscaling/target:Target").map((t) => t.options.ignoreChanges),
            [[], []],
        );
        assert.ok(
            ofType(run, "aws:secretsmanager/secret:Secret")
                .filter((r) => r.parent?.includes("ServiceSecrets"))
                .every((r) => !r.options.protect),
        );
    });

    it("keeps /admin and /metrics off the internet on its plain-HTTP listeners too", async () => {
        const run = await runStack({ stack: "staging" });
        const listeners = ofType(run, "aws:lb/listener:Listener");
        assert.deepStrictEqual(
            listeners.map((l) => inputsOf(l).protocol),
            ["HTTP", "HTTP"],
        );
        const rules = ofType(run, "aws:lb/listenerRule:ListenerRule").map((r) => inputsOf(r));
        for (const l of listeners) {
            assert.deepStrictEqual(
                rules
                    .filter((r) => r.listenerArn === l.outputs.arn)
                    .map((r) => r.conditions[0].pathPattern.values[0])
                    .sort(),
                ["/admin", "/metrics"],
            );
        }
    });

    it("can be torn down: the access-log bucket and the image repository empty themselves on delete (prod's never do)", async () => {
        for (const [stack, teardown] of [
            ["staging", true],
            ["prod", false],
        ] as const) {
            const run = await runStack({ stack });
            const buckets = ofType(run, "aws:s3/bucket:Bucket").map((r) => inputsOf(r));
            assert.deepStrictEqual(
                buckets.map((b) => b.forceDestroy),
                [teardown],
                stack,
            );
            assert.deepStrictEqual(
                ofType(run, "aws:ecr/repository:Repository").map((r) => inputsOf(r).forceDelete),
                [teardown],
                stack,
            );
        }
    });
});

for (const stack of ["prod", "staging"]) {
    describe(`${stack} stack security groups`, function () {
        this.timeout(60_000);
        it("open nothing to the world except 80/443 on the load balancers; data stores admit only app and worker", async () => {
            const run = await runStack({ stack });
            const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) =>
                inputsOf(r),
            );
            const tierOfSg = (id: string) => inputsOf(byId(run, id)!).tags?.["boxoffice:tier"];
            const open = rules.filter((r) => r.cidrIpv4 === "0.0.0.0/0" || r.cidrIpv6 === "::/0");
            assert.ok(open.length > 0);
            for (const r of open) {
                assert.strictEqual(tierOfSg(r.securityGroupId), "load-balancer");
                assert.ok(
                    [80, 443].includes(r.fromPort) && r.fromPort === r.toPort,
                    `world-open port ${r.fromPort}-${r.toPort}`,
                );
            }
            const inline = ofType(run, "aws:ec2/securityGroup:SecurityGroup").flatMap((r) => inputsOf(r).ingress ?? []);
            assert.deepStrictEqual(inline, []);
            for (const r of rules.filter((x) => [5432, 6379, 11211].includes(x.fromPort))) {
                assert.ok(
                    ["app", "worker"].includes(tierOfSg(r.referencedSecurityGroupId)) ||
                        tierOfSg(r.referencedSecurityGroupId) === "database",
                    `data port ${r.fromPort} admits ${tierOfSg(r.referencedSecurityGroupId)}`,
                );
                assert.strictEqual(r.cidrIpv4, undefined);
            }
        });
    });
}
