import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AutoscaledService, AutoscaledServiceArgs } from "../../../components/compute/autoscaled-service";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType, promiseOf } from "../../../tools/offline/values";

const T = {
    service: "aws:ecs/service:Service",
    task: "aws:ecs/taskDefinition:TaskDefinition",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};
const o = pulumi.output;
const base = (): AutoscaledServiceArgs => ({
    role: "app",
    cluster: { clusterArn: o("arn:aws:ecs:eu-west-1:123456789012:cluster/c"), clusterName: o("c") },
    image: o("123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo@sha256:abc"),
    command: ["node", "dist/server.js"],
    port: 8080,
    environment: {
        NODE_ENV: "production",
        DATABASE_URL: o("postgres://boxoffice@db:5432/boxoffice?sslmode=verify-full"),
    },
    secrets: {
        DATABASE_PASSWORD: {
            arn: o("arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1"),
            jsonKey: "password",
        },
        ADMIN_TOKEN: { arn: o("arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-1") },
    },
    secretKmsKeyArns: [o("arn:aws:kms:eu-west-1:123456789012:key/k1")],
    subnetIds: ["subnet-p1", "subnet-p2", "subnet-p3"].map((s) => o(s)),
    securityGroupIds: [o("sg-app")],
    targetGroupArns: [o("arn:tg/1"), o("arn:tg/2")],
    minTasks: 3,
    maxTasks: 30,
    requestScaling: {
        targetGroups: [
            { loadBalancerArnSuffix: o("app/alb1/1"), targetGroupArnSuffix: o("targetgroup/tg1/1") },
            { loadBalancerArnSuffix: o("app/alb2/2"), targetGroupArnSuffix: o("targetgroup/tg2/2") },
        ],
        targetRequestsPerTask: 800,
    },
});

async function build(args: AutoscaledServiceArgs, name = "svc") {
    let svc!: AutoscaledService;
    const run = await runProgram(() => {
        svc = new AutoscaledService(name, args);
    });
    return { run, svc };
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

describe("AutoscaledService", () => {
    it("runs a hardened Fargate task: non-root, read-only root with /tmp, logs, health check, stop timeout", async () => {
        const { run } = await build(base());
        const td = inputsOf(ofType(run, T.task)[0]);
        assert.deepStrictEqual(
            [td.cpu, td.memory, td.networkMode, td.requiresCompatibilities],
            ["512", "1024", "awsvpc", ["FARGATE"]],
        );
        assert.strictEqual(td.runtimePlatform.cpuArchitecture, "ARM64");
        assert.deepStrictEqual(td.volumes, [{ name: "tmp" }]);
        const [c] = JSON.parse(td.containerDefinitions);
        assert.strictEqual(c.user, "65534:65534", "nobody unless told otherwise: never root");
        assert.strictEqual(c.readonlyRootFilesystem, true);
        assert.deepStrictEqual(c.mountPoints, [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
        assert.strictEqual(c.logConfiguration.logDriver, "awslogs");
        assert.strictEqual(c.logConfiguration.options["awslogs-region"], "eu-west-1");
        assert.match(c.healthCheck.command.join(" "), /127\.0\.0\.1:8080\/healthz/);
        assert.strictEqual(c.stopTimeout, 30);
        assert.deepStrictEqual(c.command, ["node", "dist/server.js"]);
        assert.strictEqual(inputsOf(ofType(run, T.logGroup)[0]).retentionInDays, 90);
    });

    it("passes secrets only as Secrets Manager references, never as plain values", async () => {
        const { run } = await build(base());
        const [c] = JSON.parse(inputsOf(ofType(run, T.task)[0]).containerDefinitions);
        assert.deepStrictEqual(c.secrets, [
            {
                name: "DATABASE_PASSWORD",
                valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1:password::",
            },
            { name: "ADMIN_TOKEN", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-1" },
        ]);
        assert.ok(c.secrets.every((s: { valueFrom: string }) => s.valueFrom.startsWith("arn:aws:secretsmanager:")));
        assert.deepStrictEqual(
            c.environment.map((e: { name: string }) => e.name),
            ["NODE_ENV", "DATABASE_URL"],
        );
        const exec = ofType(run, T.rolePolicy)
            .map((r) => JSON.parse(inputsOf(r).policy))
            .find((p) => p.Statement[0].Action === "secretsmanager:GetSecretValue");
        assert.deepStrictEqual(exec.Statement[0].Resource, [
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-1",
        ]);
        assert.deepStrictEqual(exec.Statement[1], {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: ["arn:aws:kms:eu-west-1:123456789012:key/k1"],
        });
    });

    it("keeps the service private, spread, rolled back on failure and registered with every target group", async () => {
        const { run } = await build(base());
        const r = ofType(run, T.service)[0];
        const s = inputsOf(r);
        assert.deepStrictEqual(s.networkConfiguration, {
            subnets: ["subnet-p1", "subnet-p2", "subnet-p3"],
            securityGroups: ["sg-app"],
            assignPublicIp: false,
        });
        assert.deepStrictEqual(s.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.deepStrictEqual(
            [s.deploymentMinimumHealthyPercent, s.deploymentMaximumPercent, s.desiredCount],
            [100, 200, 3],
        );
        assert.deepStrictEqual(
            s.loadBalancers.map((l: { targetGroupArn: string }) => l.targetGroupArn),
            ["arn:tg/1", "arn:tg/2"],
        );
        assert.ok(
            s.loadBalancers.every(
                (l: { containerName: string; containerPort: number }) =>
                    l.containerName === "app" && l.containerPort === 8080,
            ),
        );
        assert.deepStrictEqual(
            [s.healthCheckGracePeriodSeconds, s.enableExecuteCommand, s.propagateTags, s.launchType],
            [60, false, "SERVICE", "FARGATE"],
        );
        assert.deepStrictEqual(r.options.ignoreChanges, ["desiredCount"]);
        assert.strictEqual(s.tags["boxoffice:tier"], "app");
    });

    it("scales between min and max on CPU and on requests per task summed over both load balancers", async () => {
        const { run, svc } = await build(base());
        const t = inputsOf(ofType(run, T.target)[0]);
        assert.deepStrictEqual(
            [t.minCapacity, t.maxCapacity, t.serviceNamespace, t.scalableDimension],
            [3, 30, "ecs", "ecs:service:DesiredCount"],
        );
        assert.match(await promiseOf(svc.scalableTargetResourceId), /^service\/c\/svc-service/);
        const policies = Object.fromEntries(
            ofType(run, T.policy).map((r) => [r.name, inputsOf(r).targetTrackingScalingPolicyConfiguration]),
        );
        assert.deepStrictEqual(Object.keys(policies), ["svc-cpu-scaling", "svc-requests-scaling"]);
        assert.deepStrictEqual(policies["svc-cpu-scaling"].predefinedMetricSpecification, {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
        });
        assert.strictEqual(policies["svc-cpu-scaling"].targetValue, 60);
        // Requests of BOTH load balancers: after a DNS failover the primary's count drops to ~0, the sum does not.
        const requests = policies["svc-requests-scaling"];
        assert.strictEqual(requests.predefinedMetricSpecification, undefined);
        assert.strictEqual(requests.targetValue, 800);
        const metrics = requests.customizedMetricSpecification.metrics;
        assert.deepStrictEqual(
            metrics
                .filter((m: MetricQuery) => m.metricStat)
                .map((m: MetricQuery) => [
                    m.id,
                    m.returnData,
                    m.metricStat!.stat,
                    m.metricStat!.metric.namespace,
                    m.metricStat!.metric.metricName,
                    m.metricStat!.metric.dimensions,
                ]),
            [
                [
                    "requests1",
                    false,
                    "Sum",
                    "AWS/ApplicationELB",
                    "RequestCountPerTarget",
                    [
                        { name: "LoadBalancer", value: "app/alb1/1" },
                        { name: "TargetGroup", value: "targetgroup/tg1/1" },
                    ],
                ],
                [
                    "requests2",
                    false,
                    "Sum",
                    "AWS/ApplicationELB",
                    "RequestCountPerTarget",
                    [
                        { name: "LoadBalancer", value: "app/alb2/2" },
                        { name: "TargetGroup", value: "targetgroup/tg2/2" },
                    ],
                ],
            ],
        );
        // Exactly one query returns data, and an ALB without traffic reports no datapoint at all: FILL it with 0.
        assert.deepStrictEqual(
            metrics.filter((m: MetricQuery) => m.returnData).map((m: MetricQuery) => m.expression),
            ["FILL(requests1, 0) + FILL(requests2, 0)"],
        );
    });

    it("leaves min/max to scheduled actions only when capacityManagedBySchedules is set", async () => {
        const plain = ofType((await build(base())).run, T.target)[0];
        assert.deepStrictEqual(plain.options.ignoreChanges, [], "by default Pulumi keeps reconciling min/max");
        const scheduled = ofType((await build({ ...base(), capacityManagedBySchedules: true })).run, T.target)[0];
        assert.deepStrictEqual(scheduled.options.ignoreChanges, ["minCapacity", "maxCapacity"]);
        assert.deepStrictEqual(
            [inputsOf(scheduled).minCapacity, inputsOf(scheduled).maxCapacity],
            [3, 30],
            "created with the configured capacity",
        );
    });

    it("attaches the execution managed policy in the region's partition", async () => {
        const arnOf = (run: Awaited<ReturnType<typeof build>>["run"]) =>
            inputsOf(ofType(run, T.attachment).find((r) => r.name === "svc-execution-managed")!).policyArn;
        assert.strictEqual(
            arnOf((await build(base())).run),
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        );
        const cn = await runProgram(() => new AutoscaledService("svc", base()), {
            config: { "aws:region": "cn-north-1" },
        });
        assert.strictEqual(arnOf(cn), "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
    });

    it("worker: no port or load balancer, scales on backlog per running task", async () => {
        const { run } = await build(
            {
                ...base(),
                role: "worker",
                command: ["node", "dist/worker.js"],
                port: undefined,
                targetGroupArns: undefined,
                requestScaling: undefined,
                cpu: 256,
                memory: 512,
                minTasks: 2,
                maxTasks: 10,
                backlogScaling: {
                    namespace: "Boxoffice",
                    metricName: "OrderBacklog",
                    dimensions: { Stack: "boxoffice-prod" },
                    targetPerTask: 100,
                },
            },
            "wrk",
        );
        const s = inputsOf(ofType(run, T.service)[0]);
        assert.deepStrictEqual(s.loadBalancers, []);
        assert.strictEqual(s.healthCheckGracePeriodSeconds, undefined);
        assert.strictEqual(s.tags["boxoffice:tier"], "worker");
        const [c] = JSON.parse(inputsOf(ofType(run, T.task)[0]).containerDefinitions);
        assert.deepStrictEqual([c.portMappings, c.healthCheck], [[], undefined]);
        const backlog = inputsOf(
            ofType(run, T.policy).find((r) => r.name === "wrk-backlog-scaling")!,
        ).targetTrackingScalingPolicyConfiguration;
        assert.strictEqual(backlog.targetValue, 100);
        const metrics = backlog.customizedMetricSpecification.metrics;
        assert.deepStrictEqual(metrics[0].metricStat.metric, {
            namespace: "Boxoffice",
            metricName: "OrderBacklog",
            dimensions: [{ name: "Stack", value: "boxoffice-prod" }],
        });
        assert.strictEqual(metrics[1].metricStat.metric.metricName, "RunningTaskCount");
        assert.deepStrictEqual([metrics[2].expression, metrics[2].returnData], ["backlog / tasks", true]);
    });

    it("grants the task role metrics in the namespace it is given and only the extra statements it is given, on named resources", async () => {
        const taskPolicy = (run: Awaited<ReturnType<typeof build>>["run"]) => {
            const found = ofType(run, T.rolePolicy).filter((r) => r.name === "svc-task-policy");
            return found.length === 0 ? undefined : JSON.parse(inputsOf(found[0]).policy);
        };
        assert.strictEqual(
            taskPolicy((await build(base())).run),
            undefined,
            "no permission at all unless asked for (no metrics, no SES)",
        );
        const metrics = taskPolicy((await build({ ...base(), metricNamespace: "Shop" })).run);
        assert.deepStrictEqual(metrics.Statement, [
            {
                Effect: "Allow",
                Action: "cloudwatch:PutMetricData",
                Resource: "*",
                Condition: { StringEquals: { "cloudwatch:namespace": "Shop" } },
            },
        ]);
        const identity = "arn:aws:ses:eu-west-1:123456789012:identity/tickets.example.com";
        const mailing = taskPolicy(
            (
                await build({
                    ...base(),
                    taskPolicyStatements: [
                        { actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: [o(identity)] },
                    ],
                })
            ).run,
        );
        assert.deepStrictEqual(mailing.Statement, [
            { Effect: "Allow", Action: ["ses:SendEmail", "ses:SendRawEmail"], Resource: [identity] },
        ]);
        await assert.rejects(
            build({ ...base(), taskPolicyStatements: [{ actions: ["ses:SendEmail"], resources: ["*"] }] }),
            /taskPolicyStatements = \["ses:SendEmail"\]: must name its resources, not \*/,
        );
    });

    it("derives every child name from the component name", async () => {
        const { run } = await build(base(), "shop-app");
        const own = run.resources.filter((r) => r.custom && r.parent?.endsWith("::shop-app"));
        assert.ok(own.length >= 10);
        assert.ok(
            own.every((r) => r.name.startsWith("shop-app-")),
            own.map((r) => r.name).join(", "),
        );
    });

    it("refuses bad arguments with one error naming the argument", async () => {
        const cases: [Partial<AutoscaledServiceArgs>, string][] = [
            [
                { cpu: 256, memory: 4096 },
                'AutoscaledService "svc": memory = 4096: is not a valid Fargate memory size for cpu 256',
            ],
            [
                { cpu: 1024, memory: 2500 },
                'AutoscaledService "svc": memory = 2500: is not a valid Fargate memory size for cpu 1024',
            ],
            [
                { cpu: 256, memory: 1536 },
                'AutoscaledService "svc": memory = 1536: is not a valid Fargate memory size for cpu 256',
            ],
            [
                { cpu: 300 },
                'AutoscaledService "svc": cpu = 300: must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units)',
            ],
            [
                { containerUser: "0:0" },
                'AutoscaledService "svc": containerUser = "0:0": must be a non-root user[:group] by name or id, e.g. 1000:1000',
            ],
            [
                { containerUser: "root" },
                'AutoscaledService "svc": containerUser = "root": must be a non-root user[:group] by name or id, e.g. 1000:1000',
            ],
            [
                { metricNamespace: "AWS/ECS" },
                'AutoscaledService "svc": metricNamespace = "AWS/ECS": must be a CloudWatch namespace of your own (not AWS/...), at most 255 characters',
            ],
            [
                { logRetentionDays: 45 },
                'AutoscaledService "svc": logRetentionDays = 45: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values)',
            ],
            [
                { cluster: "my-cluster" },
                'AutoscaledService "svc": cluster = "my-cluster": must be an EcsCluster, { clusterArn, clusterName } or an ECS cluster ARN',
            ],
            [
                { subnetIds: undefined },
                'AutoscaledService "svc": subnetIds = undefined: must list the private subnets, one per AZ (or give network)',
            ],
            [{ minTasks: 5, maxTasks: 4 }, 'AutoscaledService "svc": minTasks = 5: must not exceed maxTasks (4)'],
            [
                { subnetIds: [o("subnet-1")] },
                'AutoscaledService "svc": subnetIds = 1: must list at least 2 subnets (one AZ is not highly available)',
            ],
            [
                { environment: { REDIS_AUTH_TOKEN: "hunter2" } },
                'AutoscaledService "svc": environment = "REDIS_AUTH_TOKEN": looks like a credential: pass it in secrets (a Secrets Manager reference), never as plain text',
            ],
            [{ stopTimeout: 300 }, 'AutoscaledService "svc": stopTimeout = 300: must be 2..120 (Fargate stop timeout)'],
            [{ port: undefined }, 'AutoscaledService "svc": targetGroupArns = 2: need port'],
        ];
        for (const [over, message] of cases) {
            await assert.rejects(build({ ...base(), ...over }), (e: Error) => {
                assert.strictEqual(e.message, message);
                return true;
            });
        }
    });
});
