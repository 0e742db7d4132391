import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Network } from "../../../components";
import { createComputeTier } from "../../../stacks/compute-tier";
import { createEdgeTier } from "../../../stacks/edge-tier";
import { DEFAULTS } from "../../../stacks/config/defaults";
import type { PlatformConfig } from "../../../stacks/config/schema";
import type { ComputeTier, DataTier, EdgeTier } from "../../../stacks/tiers";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType, plainValue, promiseOf } from "../../../tools/offline/values";

const o = pulumi.output;
const REDIS_TOKEN = "redis-auth-token-plaintext-value";

function prodConfig(over: Partial<PlatformConfig> = {}): PlatformConfig {
    return {
        environment: "prod",
        ...DEFAULTS.prod,
        loadBalancers: { ...DEFAULTS.prod.loadBalancers, domain: "tickets.example.com", hostedZoneId: "Z0EXAMPLE" },
        scaling: {
            schedules: [
                {
                    name: "friday",
                    schedule: "cron(0 9 ? * FRI *)",
                    timezone: "Europe/Dublin",
                    appMinTasks: 6,
                    workerMinTasks: 3,
                },
            ],
            onSale: null,
        },
        alerts: { email: "ops@example.com" },
        ...over,
    };
}

function fakeData(replicas: string[]): DataTier {
    return {
        database: {
            writerAddress: o("writer.db.internal"),
            clientWriterAddress: o("proxy.db.internal"),
            readerAddresses: replicas.map((r) => o(r)),
            port: 5432,
            databaseName: "boxoffice",
            masterUsername: "boxoffice",
            masterSecretArn: o("arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-abc"),
            secretKmsKeyArn: o("arn:aws:kms:eu-west-1:123456789012:key/db"),
            securityGroupId: o("sg-db"),
            writerIdentifier: o("db-writer"),
            writerArn: o("arn:aws:rds:eu-west-1:123456789012:db:db-writer"),
            replicaIdentifiers: replicas.map((_r, i) => o(`db-replica-${i + 1}`)),
        },
        redis: {
            primaryAddress: o("master.redis.internal"),
            readerAddress: o("replica.redis.internal"),
            port: 6379,
            authToken: pulumi.secret(REDIS_TOKEN),
            replicationGroupId: o("rg"),
            memberClusterIds: o(["rg-001", "rg-002", "rg-003"]),
            securityGroupId: o("sg-redis"),
            groupTag: { key: "Name", value: "rg-group" },
            nodeAvailabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        },
        memcached: { servers: o("m1:11211,m2:11211"), port: 11211, clusterId: o("mc"), securityGroupId: o("sg-mc") },
    };
}

async function platform(config: PlatformConfig, replicas = ["replica-1.db.internal"]) {
    let edge!: EdgeTier;
    let compute!: ComputeTier;
    const name = `boxoffice-${config.environment}`;
    const run = await runProgram(() => {
        const network = new Network(name, config.network);
        edge = createEdgeTier(name, config, network);
        compute = createComputeTier(name, config, network, edge, fakeData(replicas));
    });
    return { run, edge, compute };
}

const SVC = "aws:ecs/service:Service";

/** An `{ name, value }` pair of a container definition or a metric dimension. */
interface NameValue {
    name: string;
    value: string;
}
/** One query of a target-tracking metric math specification. */
interface MetricQuery {
    metricStat?: { metric: { dimensions: NameValue[] } };
}

describe("edge and compute tiers (prod)", () => {
    let p: Awaited<ReturnType<typeof platform>>;
    before(async () => {
        p = await platform(prodConfig());
    });

    it("has exactly two internet-facing ALBs, HTTPS + redirect-only HTTP, failover records and WAF on both", () => {
        const albs = ofType(p.run, "aws:lb/loadBalancer:LoadBalancer").map((r) => inputsOf(r));
        assert.strictEqual(albs.filter((a) => a.internal === false).length, 2);
        assert.ok(albs.every((a) => a.subnets.length >= 2 && a.enableDeletionProtection === true));
        const listeners = ofType(p.run, "aws:lb/listener:Listener").map((r) => inputsOf(r));
        assert.strictEqual(listeners.filter((l) => l.protocol === "HTTPS").length, 2);
        assert.ok(
            listeners
                .filter((l) => l.protocol === "HTTP")
                .every((l) => l.defaultActions.every((a: { type: string }) => a.type === "redirect")),
        );
        const failover = ofType(p.run, "aws:route53/record:Record")
            .map((r) => inputsOf(r).failoverRoutingPolicies?.[0]?.type)
            .filter(Boolean)
            .sort();
        assert.deepStrictEqual(failover, ["PRIMARY", "SECONDARY"]);
        assert.strictEqual(ofType(p.run, "aws:route53/healthCheck:HealthCheck").length, 2);
        assert.strictEqual(ofType(p.run, "aws:wafv2/webAclAssociation:WebAclAssociation").length, 2);
    });

    it("chains security groups: world → ALB on 80/443 only, ALB → app, nothing into the worker", async () => {
        const ingress = ofType(p.run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) =>
            inputsOf(r),
        );
        const open = ingress.filter((r) => r.cidrIpv4 === "0.0.0.0/0" || r.cidrIpv6 === "::/0");
        assert.deepStrictEqual([...new Set(open.map((r) => r.fromPort))].sort(), [443, 80]);
        const albSg = open[0].securityGroupId;
        assert.ok(open.every((r) => r.securityGroupId === albSg && r.fromPort === r.toPort));
        const appSg = await promiseOf(p.edge.appSecurityGroupId);
        const workerSg = await promiseOf(p.edge.workerSecurityGroupId);
        assert.deepStrictEqual(
            ingress.filter((r) => r.securityGroupId === appSg).map((r) => [r.fromPort, r.referencedSecurityGroupId]),
            [[8080, albSg]],
        );
        assert.strictEqual(ingress.filter((r) => r.securityGroupId === workerSg).length, 0);
        const inline = ofType(p.run, "aws:ec2/securityGroup:SecurityGroup").filter(
            (r) => (inputsOf(r).ingress ?? []).length > 0,
        );
        assert.strictEqual(inline.length, 0);
    });

    it("runs app and worker with ≥ 2 tasks in private subnets, no public IP, rollback; app on both target groups after the listeners", async () => {
        const services = ofType(p.run, SVC);
        assert.strictEqual(services.length, 2);
        const privates = ofType(p.run, "aws:ec2/subnet:Subnet")
            .filter((r) => r.name.includes("-private-"))
            .map((r) => r.id);
        for (const s of services.map((r) => inputsOf(r))) {
            assert.ok(s.desiredCount >= 2);
            assert.deepStrictEqual(s.networkConfiguration.subnets, privates);
            assert.strictEqual(s.networkConfiguration.assignPublicIp, false);
            assert.deepStrictEqual(s.deploymentCircuitBreaker, { enable: true, rollback: true });
        }
        const app = services.find((r) => r.name === "boxoffice-prod-app-service")!;
        const tgs = await Promise.all(p.edge.targetGroupArns.map(promiseOf));
        assert.deepStrictEqual(
            inputsOf(app).loadBalancers.map((l: { targetGroupArn: string }) => l.targetGroupArn),
            tgs,
        );
        const listenerUrns = ofType(p.run, "aws:lb/listener:Listener").map((r) => r.urn);
        assert.ok(listenerUrns.every((u) => app.dependencies.includes(u)));
        const targets = ofType(p.run, "aws:appautoscaling/target:Target")
            .map((r) => [r.name, inputsOf(r).minCapacity])
            .sort();
        assert.deepStrictEqual(targets, [
            ["boxoffice-prod-app-scaling", 3],
            ["boxoffice-prod-worker-scaling", 2],
        ]);
        const policies = ofType(p.run, "aws:appautoscaling/policy:Policy")
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(policies, [
            "boxoffice-prod-app-cpu-scaling",
            "boxoffice-prod-app-requests-scaling",
            "boxoffice-prod-worker-backlog-scaling",
            "boxoffice-prod-worker-cpu-scaling",
        ]);
        const metrics = inputsOf(
            ofType(p.run, "aws:appautoscaling/policy:Policy").find(
                (r) => r.name === "boxoffice-prod-app-requests-scaling",
            )!,
        ).targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics;
        const dims = metrics
            .filter((m: MetricQuery) => m.metricStat)
            .map((m: MetricQuery) => Object.fromEntries(m.metricStat!.metric.dimensions.map((d) => [d.name, d.value])));
        const expected = await Promise.all(
            [0, 1].map(async (i) => ({
                LoadBalancer: await promiseOf(p.edge.loadBalancerArnSuffixes[i]),
                TargetGroup: await promiseOf(p.edge.targetGroupArnSuffixes[i]),
            })),
        );
        assert.deepStrictEqual(dims, expected, "requests of both ALBs' target groups");
    });

    it("applies schedules to both services", () => {
        const actions = ofType(p.run, "aws:appautoscaling/scheduledAction:ScheduledAction")
            .map((r) => inputsOf(r))
            .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepStrictEqual(
            actions.map((a) => a.name),
            ["friday-app", "friday-worker"],
        );
        assert.ok(
            actions[0].resourceId.includes("boxoffice-prod-app-service") &&
                actions[1].resourceId.includes("boxoffice-prod-worker-service"),
        );
    });

    it("wires the app by environment and secret references; no secret value appears in a task definition", async () => {
        const tds = ofType(p.run, "aws:ecs/taskDefinition:TaskDefinition");
        for (const td of tds) {
            const json = (plainValue(td.inputs, { revealSecrets: true }) as { containerDefinitions: string })
                .containerDefinitions;
            assert.ok(!json.includes(REDIS_TOKEN));
            const [c] = JSON.parse(json);
            const env = Object.fromEntries(c.environment.map((e: NameValue) => [e.name, e.value]));
            // verify-full: the image ships the RDS CA bundle, so the app checks the certificate and the host name.
            assert.strictEqual(
                env.DATABASE_URL,
                "postgres://boxoffice@proxy.db.internal:5432/boxoffice?sslmode=verify-full",
            );
            assert.strictEqual(
                env.DATABASE_READ_URLS,
                "postgres://boxoffice@replica-1.db.internal:5432/boxoffice?sslmode=verify-full",
            );
            assert.strictEqual(
                env.DATABASE_READ_URL,
                undefined,
                "one variable for the readers, not two that can disagree",
            );
            assert.strictEqual(env.REDIS_URL, "rediss://master.redis.internal:6379");
            assert.deepStrictEqual(
                [
                    env.MEMCACHED_SERVERS,
                    env.MEMCACHED_TLS,
                    env.NODE_ENV,
                    env.PORT,
                    env.BOXOFFICE_STACK,
                    env.BACKLOG_METRIC_NAMESPACE,
                    env.MAIL_TRANSPORT,
                ],
                ["m1:11211,m2:11211", "true", "production", "8080", "boxoffice-prod", "Boxoffice", "ses"],
            );
            assert.deepStrictEqual(
                c.secrets.map((s: { name: string; valueFrom: string }) => s.name),
                ["DATABASE_PASSWORD", "REDIS_AUTH_TOKEN", "ADMIN_TOKEN", "TICKET_SIGNING_KEY"],
            );
            assert.ok(
                c.secrets.every((s: { name: string; valueFrom: string }) =>
                    /^arn:aws:secretsmanager:/.test(s.valueFrom),
                ),
            );
            assert.strictEqual(
                c.secrets[0].valueFrom,
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-abc:password::",
            );
        }
        const commands = Object.fromEntries(
            tds.map((td) => [td.name, JSON.parse(inputsOf(td).containerDefinitions)[0].command]),
        );
        assert.deepStrictEqual(commands, {
            "boxoffice-prod-app-task": ["node", "dist/server.js"],
            "boxoffice-prod-worker-task": ["node", "dist/worker.js"],
        });
    });

    it("sends mail through SES from the stack's own domain identity; only the worker may send, and only from it", async () => {
        const identity = ofType(p.run, "aws:sesv2/emailIdentity:EmailIdentity");
        assert.deepStrictEqual(
            identity.map((r) => inputsOf(r).emailIdentity),
            ["tickets.example.com"],
        );
        for (const td of ofType(p.run, "aws:ecs/taskDefinition:TaskDefinition")) {
            const env = Object.fromEntries(
                JSON.parse(inputsOf(td).containerDefinitions)[0].environment.map((e: NameValue) => [e.name, e.value]),
            );
            assert.deepStrictEqual([env.MAIL_TRANSPORT, env.MAIL_FROM], ["ses", "tickets@tickets.example.com"]);
        }
        const policies = ofType(p.run, "aws:iam/rolePolicy:RolePolicy")
            .filter((r) => r.name.endsWith("-task-policy"))
            .map((r) => [
                r.name,
                JSON.parse(inputsOf(r).policy).Statement.filter((st: { Action: string | string[] }) =>
                    JSON.stringify(st.Action).includes("ses:"),
                ),
            ]);
        assert.deepStrictEqual(policies, [
            ["boxoffice-prod-app-task-policy", []],
            [
                "boxoffice-prod-worker-task-policy",
                [
                    {
                        Effect: "Allow",
                        Action: ["ses:SendEmail", "ses:SendRawEmail"],
                        Resource: [identity[0].outputs.arn],
                    },
                ],
            ],
        ]);
    });

    it("alarms on every tier and exposes the dashboard", async () => {
        const tiers = new Set(
            ofType(p.run, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => inputsOf(r).tags["boxoffice:tier"]),
        );
        assert.deepStrictEqual([...tiers].sort(), ["app", "cache", "database", "load-balancer", "worker"]);
        assert.match(await promiseOf(p.compute.dashboardUrl), /#dashboards:name=boxoffice-prod$/);
        assert.strictEqual(await promiseOf(p.edge.publicUrl), "https://tickets.example.com");
    });
});

describe("edge and compute tiers (other configs)", () => {
    it("refuses a prod edge without a certificate or domain (the config schema refuses it earlier, naming the key)", async () => {
        const config = prodConfig({ loadBalancers: { ...DEFAULTS.prod.loadBalancers } });
        await assert.rejects(
            platform(config),
            /PairedLoadBalancers "boxoffice-prod": certificateArn = null: is required \(or domain \+ hostedZoneId\) unless allowPlainHttp is true/,
        );
    });

    it("every read replica reaches the app: DATABASE_READ_URLS lists one verify-full URL per replica, in order", async () => {
        const replicas = ["replica-1.db.internal", "replica-2.db.internal", "replica-3.db.internal"];
        const { run } = await platform(prodConfig(), replicas);
        for (const td of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
            const [c] = JSON.parse(inputsOf(td).containerDefinitions);
            const urls = c.environment.find((e: NameValue) => e.name === "DATABASE_READ_URLS").value.split(",");
            assert.deepStrictEqual(
                urls,
                replicas.map((r) => `postgres://boxoffice@${r}:5432/boxoffice?sslmode=verify-full`),
            );
        }
    });

    it("staging without a domain: plain-HTTP opt-out, no DNS failover, deletion protection off; no replicas: no reader URLs (reads use the writer)", async () => {
        const { run, edge } = await platform({ environment: "staging", ...DEFAULTS.staging }, []);
        const [c] = JSON.parse(inputsOf(ofType(run, "aws:ecs/taskDefinition:TaskDefinition")[0]).containerDefinitions);
        assert.deepStrictEqual(
            c.environment.filter((e: NameValue) => e.name.startsWith("DATABASE_READ_URL")),
            [],
        );
        // No domain, no SES identity to send from: confirmations are written locally instead of failing forever.
        assert.strictEqual(c.environment.find((e: NameValue) => e.name === "MAIL_TRANSPORT").value, "file");
        assert.strictEqual(ofType(run, "aws:sesv2/emailIdentity:EmailIdentity").length, 0);
        assert.ok(ofType(run, "aws:iam/rolePolicy:RolePolicy").every((r) => !inputsOf(r).policy.includes("ses:")));
        const listeners = ofType(run, "aws:lb/listener:Listener").map((r) => inputsOf(r));
        assert.deepStrictEqual(
            listeners.map((l) => l.protocol),
            ["HTTP", "HTTP"],
        );
        assert.strictEqual(ofType(run, "aws:route53/healthCheck:HealthCheck").length, 0);
        assert.ok(
            ofType(run, "aws:lb/loadBalancer:LoadBalancer").every(
                (r) => inputsOf(r).enableDeletionProtection === false,
            ),
        );
        assert.match(await promiseOf(edge.publicUrl), /^http:\/\//);
        assert.strictEqual(ofType(run, "pulumi:providers:aws").length, 0);
    });
});
