import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";

/** Fargate task sizes (ECS Developer Guide, "Task CPU and memory"): cpu units → memory MiB range and step. */
const FARGATE_SIZES: Record<number, [number, number, number]> = {
    256: [512, 2048, 0], 512: [1024, 4096, 1024], 1024: [2048, 8192, 1024], 2048: [4096, 16384, 1024],
    4096: [8192, 30720, 1024], 8192: [16384, 61440, 4096], 16384: [32768, 122880, 8192],
};
function fargatePairOk(cpu: number, memory: number): boolean {
    const size = FARGATE_SIZES[cpu];
    if (!size) return false;
    if (cpu === 256) return [512, 1024, 2048].includes(memory);
    return memory >= size[0] && memory <= size[1] && (memory - size[0]) % size[2] === 0;
}
/** Load balancers whose requests one policy sums (the platform has two); a small bound keeps the expression short. */
const MAX_REQUEST_SOURCES = 5;
/** Environment names that look like credentials; they must come through `secrets`, never plain text. */
const SECRET_LIKE = /(PASSWORD|SECRET|TOKEN|_KEY)$/;

export interface ServiceSecret {
    /** Secrets Manager secret ARN (IAM is granted on it). */
    arn: pulumi.Input<string>;
    /** JSON key inside the secret, e.g. `password` for an RDS-managed secret. @default the whole value */
    jsonKey?: string;
}

/** A load balancer and the service's target group behind it, by ARN suffix (the CloudWatch dimension values). */
export interface RequestSource {
    loadBalancerArnSuffix: pulumi.Input<string>;
    targetGroupArnSuffix: pulumi.Input<string>;
}

/** An Allow statement of the task role. */
export interface TaskPolicyStatement {
    actions: string[];
    resources: pulumi.Input<string>[];
}

export interface AutoscaledServiceArgs {
    /** Tier tag and container name. */
    role: "app" | "worker";
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    image: pulumi.Input<string>;
    command: string[];
    /** Fargate CPU units and memory MiB (a valid Fargate pair). @default 512 / 1024 */
    cpu?: number;
    memory?: number;
    /** Must match the image's platform. @default "ARM64" */
    cpuArchitecture?: "ARM64" | "X86_64";
    /** Container port; with it the container gets an HTTP health check on `livenessPath`. @default undefined (no port) */
    port?: number;
    /** @default "/healthz" */
    livenessPath?: string;
    /** Plain environment; names that look like credentials are refused. */
    environment?: Record<string, pulumi.Input<string>>;
    /** Secrets by environment name, injected by ECS from Secrets Manager. */
    secrets?: Record<string, ServiceSecret>;
    /** KMS keys the secrets are encrypted with (the execution role gets kms:Decrypt). */
    secretKmsKeyArns?: pulumi.Input<string>[];
    /** Private subnets, one per AZ; tasks spread over all of them. */
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    /** Target groups to register with (needs `port`); the app uses both ALBs' groups. @default [] */
    targetGroupArns?: pulumi.Input<string>[];
    /** Listeners to wait for: ECS rejects a target group that is not attached to a load balancer yet. */
    listenerDependencies?: pulumi.Resource[];
    /** @default 2 */
    minTasks?: number;
    /** @default 10 */
    maxTasks?: number;
    /**
     * Scheduled actions (ScheduledScaling) move this service's min/max: Pulumi then stops reconciling the
     * scalable target's capacity, so a `pulumi up` during a raised window cannot reset the floor. The cost: a
     * changed `minTasks`/`maxTasks` reaches the live target only at the next scheduled action that sets it (an
     * on-sale's restore sets both) or by `aws application-autoscaling register-scalable-target`.
     * @default false
     * @example { minTasks: 3, maxTasks: 30, capacityManagedBySchedules: true }
     */
    capacityManagedBySchedules?: boolean;
    /** Target-tracking CPU utilisation. @default 60 */
    targetCpuPercent?: number;
    /**
     * Target tracking on requests per task per minute, summed over every given load balancer's target group, so
     * scaling keeps following the traffic after DNS fails over from one ALB to the other. Each task must be
     * registered with every one of these target groups (the app registers with both ALBs'). @default undefined
     * @example { targetGroups: [{ loadBalancerArnSuffix, targetGroupArnSuffix }, ...], targetRequestsPerTask: 800 }
     */
    requestScaling?: { targetGroups: RequestSource[]; targetRequestsPerTask: number };
    /** Scale on a custom backlog metric divided by running tasks. @default undefined */
    backlogScaling?: { namespace: string; metricName: string; dimensions: Record<string, pulumi.Input<string>>; targetPerTask: number };
    /**
     * Extra permissions of the task role, each on named resources (never `*`), e.g. sending mail from one SES
     * identity. @default []
     * @example [{ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: [identity.identityArn] }]
     */
    taskPolicyStatements?: TaskPolicyStatement[];
    /** CloudWatch namespace the task may publish metrics to. @default "Boxoffice" */
    metricNamespace?: string;
    /** Seconds ECS ignores load-balancer health checks after a task starts. @default 60 */
    healthCheckGracePeriodSeconds?: number;
    /** Seconds between SIGTERM and SIGKILL (Fargate max 120). @default 30 */
    stopTimeout?: number;
    /** @default 90 */
    logRetentionDays?: number;
    tags?: Record<string, string>;
}

/**
 * A Fargate service with autoscaling: hardened task definition (non-root, read-only root filesystem with a
 * writable /tmp, logs with retention, secrets by reference only), a service spread over private subnets in
 * every AZ without public IPs, deployments that never drop below 100 % and roll back on failure, and
 * target-tracking policies (CPU, plus requests per task over every ALB, or a backlog per task).
 *
 * HA: ECS spreads tasks over the subnets' AZs and rebalances after an AZ recovers; the minimum is the floor
 * through every deployment. Cost: vCPU-hours and GB-hours per running task; logs per GB ingested.
 */
export class AutoscaledService extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly serviceArn: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    /** `service/<cluster>/<service>`, for scheduled actions. */
    readonly scalableTargetResourceId: pulumi.Output<string>;
    readonly scalableTarget: aws.appautoscaling.Target;

    constructor(name: string, args: AutoscaledServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const cpu = args.cpu ?? 512;
        const memory = args.memory ?? 1024;
        const min = args.minTasks ?? 2;
        const max = args.maxTasks ?? 10;
        const targetCpu = args.targetCpuPercent ?? 60;
        const stopTimeout = args.stopTimeout ?? 30;
        const grace = args.healthCheckGracePeriodSeconds ?? 60;
        const tgs = args.targetGroupArns ?? [];
        const check = argChecker("AutoscaledService", name);
        check.that(fargatePairOk(cpu, memory), "memory", memory, `is not a Fargate size for cpu ${cpu} (ECS Developer Guide, "Task CPU and memory")`);
        check.intRange("minTasks", min, 1, 1000, "ECS tasks per service");
        check.intRange("maxTasks", max, 1, 1000, "ECS tasks per service");
        check.that(min <= max, "minTasks", min, `must not exceed maxTasks (${max})`);
        check.intRange("targetCpuPercent", targetCpu, 10, 90, "target-tracking CPU utilisation");
        check.intRange("stopTimeout", stopTimeout, 2, 120, "Fargate stop timeout");
        check.that(args.command.length > 0, "command", args.command, "must not be empty");
        check.that(args.subnetIds.length >= 2, "subnetIds", args.subnetIds.length, "must list at least 2 subnets (one AZ is not highly available)");
        check.that(tgs.length === 0 || args.port !== undefined, "targetGroupArns", tgs.length, "need port");
        check.that(!args.requestScaling || tgs.length > 0, "requestScaling", "set", "needs targetGroupArns");
        if (args.requestScaling) {
            const n = args.requestScaling.targetGroups.length;
            check.intRange("requestScaling.targetGroups", n, 1, MAX_REQUEST_SOURCES, "load balancers whose requests are summed");
            check.intRange("requestScaling.targetRequestsPerTask", args.requestScaling.targetRequestsPerTask, 1, 100000, "requests per task per minute");
        }
        for (const st of args.taskPolicyStatements ?? []) {
            check.that(st.actions.length > 0 && st.resources.length > 0, "taskPolicyStatements", st.actions, "each statement needs actions and named resources");
            check.that(!st.resources.includes("*"), "taskPolicyStatements", st.actions, "must name its resources, not *");
        }
        for (const key of Object.keys(args.environment ?? {})) {
            check.that(!SECRET_LIKE.test(key), "environment", key, "looks like a credential: pass it in secrets (a Secrets Manager reference), never as plain text");
        }
        super("boxoffice:compute:AutoscaledService", name, {}, opts);
        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: args.role, Name: `${name}-${role}` });
        const region = aws.getRegionOutput({}, parent).region;
        // GovCloud and China are partitions of their own (aws-us-gov, aws-cn): managed-policy ARNs differ there.
        const partition = aws.getPartitionOutput({}, parent).partition;
        const secrets = Object.entries(args.secrets ?? {});

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays ?? 90, tags: tags("logs") }, parent);
        const assume = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });
        const execRole = new aws.iam.Role(`${name}-execution-role`, { assumeRolePolicy: assume, tags: tags("execution-role") }, parent);
        new aws.iam.RolePolicyAttachment(`${name}-execution-managed`, {
            role: execRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
        }, parent);
        if (secrets.length > 0) {
            new aws.iam.RolePolicy(`${name}-execution-secrets`, {
                role: execRole.id,
                policy: pulumi.all([pulumi.all(secrets.map(([, s]) => s.arn)), pulumi.all(args.secretKmsKeyArns ?? [])]).apply(([arns, keys]) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...new Set(arns)] },
                        ...(keys.length > 0 ? [{ Effect: "Allow", Action: "kms:Decrypt", Resource: [...new Set(keys)] }] : []),
                    ],
                })),
            }, parent);
        }
        const taskRole = new aws.iam.Role(`${name}-task-role`, { assumeRolePolicy: assume, tags: tags("task-role") }, parent);
        const extra = args.taskPolicyStatements ?? [];
        new aws.iam.RolePolicy(`${name}-task-policy`, {
            role: taskRole.id,
            policy: pulumi.all(extra.map((st) => pulumi.all(st.resources))).apply((resources) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    // PutMetricData has no resource-level permissions; the namespace condition is the fence.
                    { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": args.metricNamespace ?? "Boxoffice" } } },
                    ...extra.map((st, i) => ({ Effect: "Allow", Action: st.actions, Resource: resources[i] })),
                ],
            })),
        }, parent);

        const container = {
            name: args.role,
            image: args.image,
            command: args.command,
            essential: true,
            // The image's `node` user (uid 1000); root inside a task is root on a shared kernel.
            user: "1000:1000",
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
            portMappings: args.port !== undefined ? [{ containerPort: args.port, protocol: "tcp" }] : [],
            environment: Object.entries(args.environment ?? {}).map(([k, v]) => ({ name: k, value: v })),
            secrets: secrets.map(([k, s]) => ({ name: k, valueFrom: s.jsonKey ? pulumi.interpolate`${s.arn}:${s.jsonKey}::` : s.arn })),
            stopTimeout,
            healthCheck: args.port !== undefined ? {
                // Node's fetch, so the check needs no curl/wget in a slim image.
                command: ["CMD", "node", "-e", `fetch('http://127.0.0.1:${args.port}${args.livenessPath ?? "/healthz"}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`],
                interval: 15, timeout: 5, retries: 3, startPeriod: 30,
            } : undefined,
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": args.role } },
        };
        const taskDef = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: name,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(cpu),
            memory: String(memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "ARM64" },
            executionRoleArn: execRole.arn,
            taskRoleArn: taskRole.arn,
            volumes: [{ name: "tmp" }],
            containerDefinitions: pulumi.jsonStringify([container]),
            tags: tags("task"),
        }, parent);

        const service = new aws.ecs.Service(`${name}-service`, {
            cluster: args.clusterArn,
            taskDefinition: taskDef.arn,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            desiredCount: min,
            availabilityZoneRebalancing: "ENABLED",
            networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: false },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            healthCheckGracePeriodSeconds: tgs.length > 0 ? grace : undefined,
            loadBalancers: tgs.map((arn) => ({ targetGroupArn: arn, containerName: args.role, containerPort: args.port! })),
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            enableExecuteCommand: false,
            tags: tags("service"),
        }, {
            parent: this,
            dependsOn: args.listenerDependencies ?? [],
            // Application Auto Scaling owns the running count; without this every `pulumi up` would reset a scaled-out
            // service to its minimum in the middle of an on-sale.
            ignoreChanges: ["desiredCount"],
        });

        this.scalableTargetResourceId = pulumi.interpolate`service/${args.clusterName}/${service.name}`;
        const target = new aws.appautoscaling.Target(`${name}-scaling`, {
            serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount",
            resourceId: this.scalableTargetResourceId, minCapacity: min, maxCapacity: max, tags: tags("scaling"),
        }, {
            parent: this,
            // Scheduled actions raise MinCapacity for a sale window; without this a `pulumi up` inside the window
            // writes the configured min/max back and drops the floor mid-sale (terraform-aws-modules/terraform-aws-ecs#422).
            // What it costs: a new minTasks/maxTasks is only applied at creation, at the next scheduled action that
            // sets it (the on-sale restore sets both) or by `aws application-autoscaling register-scalable-target`.
            ignoreChanges: args.capacityManagedBySchedules ? ["minCapacity", "maxCapacity"] : [],
        });
        const policy = (role: string, config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration) =>
            new aws.appautoscaling.Policy(`${name}-${role}`, {
                policyType: "TargetTrackingScaling", serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension, resourceId: target.resourceId,
                // Out fast for a surge; in slowly so a lull between waves does not drain capacity.
                targetTrackingScalingPolicyConfiguration: { scaleOutCooldown: 60, scaleInCooldown: 300, ...config },
            }, parent);
        policy("cpu-scaling", { targetValue: targetCpu, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } });
        if (args.requestScaling) {
            // The predefined ALBRequestCountPerTarget follows one target group: after a DNS failover its ALB sees ~0
            // requests and only CPU scaling would remain. RequestCountPerTarget of each group (Sum: requests in the
            // minute / targets in the group) summed over the groups is requests per task, as every task is in every
            // group. ALBs report nothing while no request flows, hence FILL(…, 0) for the idle one (ELB User Guide,
            // "CloudWatch metrics"; metric math in target tracking: Application Auto Scaling User Guide,
            // application-auto-scaling-target-tracking-metric-math.html).
            const sources = args.requestScaling.targetGroups;
            policy("requests-scaling", {
                targetValue: args.requestScaling.targetRequestsPerTask,
                customizedMetricSpecification: {
                    metrics: [
                        ...sources.map((src, i) => ({
                            id: `requests${i + 1}`, returnData: false,
                            metricStat: {
                                stat: "Sum",
                                metric: {
                                    namespace: "AWS/ApplicationELB", metricName: "RequestCountPerTarget",
                                    dimensions: [{ name: "LoadBalancer", value: src.loadBalancerArnSuffix }, { name: "TargetGroup", value: src.targetGroupArnSuffix }],
                                },
                            },
                        })),
                        { id: "perTask", label: "requests per task, every load balancer", returnData: true, expression: sources.map((_s, i) => `FILL(requests${i + 1}, 0)`).join(" + ") },
                    ],
                },
            });
        }
        if (args.backlogScaling) {
            const b = args.backlogScaling;
            policy("backlog-scaling", {
                targetValue: b.targetPerTask,
                // Backlog per running task, as in the AWS metric-math example for queue backlogs.
                customizedMetricSpecification: {
                    metrics: [
                        { id: "backlog", returnData: false, metricStat: { stat: "Average", metric: { namespace: b.namespace, metricName: b.metricName, dimensions: Object.entries(b.dimensions).map(([n, v]) => ({ name: n, value: v })) } } },
                        { id: "tasks", returnData: false, metricStat: { stat: "Average", metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: [{ name: "ClusterName", value: args.clusterName }, { name: "ServiceName", value: service.name }] } } },
                        { id: "perTask", label: "backlog per task", returnData: true, expression: "backlog / tasks" },
                    ],
                },
            });
        }

        this.serviceName = service.name;
        this.serviceArn = service.arn;
        this.taskDefinitionArn = taskDef.arn;
        this.logGroupName = logGroup.name;
        this.scalableTarget = target;
        this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinitionArn, logGroupName: this.logGroupName });
    }
}
