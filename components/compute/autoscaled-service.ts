import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TIER_TAG } from "../tiers";
import { applyTransform, child } from "../transform";
import { AutoscaledServiceArgs, ClusterRef } from "./autoscaled-service-args";
import { CLUSTER_ARN, checkServiceArgs } from "./autoscaled-service-checks";
import { createScalingPolicies } from "./service-scaling";

export type {
    AutoscaledServiceArgs,
    AutoscaledServiceTransform,
    ClusterRef,
    RequestSource,
    ServiceSecret,
    TaskPolicyStatement,
} from "./autoscaled-service-args";

/** The raw children, for what the arguments do not cover. */
export interface AutoscaledServiceResources {
    service: aws.ecs.Service;
    taskDefinition: aws.ecs.TaskDefinition;
    logGroup: aws.cloudwatch.LogGroup;
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    scalableTarget: aws.appautoscaling.Target;
}

/** The cluster's ARN and name from either form. */
function clusterOf(ref: ClusterRef): { arn: pulumi.Input<string>; name: pulumi.Input<string> } {
    if (typeof ref === "string" || pulumi.Output.isInstance(ref) || ref instanceof Promise) {
        const arn = ref as pulumi.Input<string>;
        return { arn, name: pulumi.output(arn).apply((a) => CLUSTER_ARN.exec(a)?.[1] ?? a.split("/").pop()!) };
    }
    const c = ref as { clusterArn: pulumi.Input<string>; clusterName: pulumi.Input<string> };
    return { arn: c.clusterArn, name: c.clusterName };
}

/**
 * A Fargate service with autoscaling: hardened task definition (non-root, read-only root filesystem with a
 * writable /tmp, logs with retention, secrets by reference only), a service spread over private subnets in
 * every AZ without public IPs, deployments that never drop below 100 % and roll back on failure, and
 * target-tracking policies (CPU, plus requests per task over every ALB, or a backlog per task).
 *
 * HA: ECS spreads tasks over the subnets' AZs and rebalances after an AZ recovers; the minimum is the floor
 * through every deployment. Cost: vCPU-hours and GB-hours per running task; logs per GB ingested.
 *
 * Nothing of one application is built in: the task role holds only the statements it is given (and metrics in
 * `metricNamespace` when one is given), the container runs as `containerUser`, and `transform` adjusts any
 * child's AWS arguments, the container definition included.
 *
 * @example new AutoscaledService("api", { role: "app", cluster, image, command: ["node", "server.js"], network, securityGroupIds: [sg] })
 */
export class AutoscaledService extends pulumi.ComponentResource {
    /** The ECS service's name (the `ServiceName` dimension of its metrics). */
    readonly serviceName: pulumi.Output<string>;
    /** The ECS service's ARN. */
    readonly serviceArn: pulumi.Output<string>;
    /** The current task definition's ARN (with its revision). */
    readonly taskDefinitionArn: pulumi.Output<string>;
    /** The CloudWatch Logs group the containers write to. */
    readonly logGroupName: pulumi.Output<string>;
    /** `service/<cluster>/<service>`, for scheduled actions. */
    readonly scalableTargetResourceId: pulumi.Output<string>;
    /** The Application Auto Scaling target; scheduled actions wait for it. */
    readonly scalableTarget: aws.appautoscaling.Target;
    /** A tag only this service's tasks carry (the service's Name, propagated to its tasks): how AWS FIS finds them. */
    readonly taskTag: { key: "Name"; value: string };
    /** The raw children (service, task definition, log group, roles, scalable target). */
    readonly resources: AutoscaledServiceResources;

    constructor(name: string, args: AutoscaledServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { c, tgs, subnetIds } = checkServiceArgs(name, args);
        super("boxoffice:compute:AutoscaledService", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const cluster = clusterOf(args.cluster);
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: c.role, Name: `${name}-${role}` });
        const region = aws.getRegionOutput({}, parent).region;
        // GovCloud and China are partitions of their own (aws-us-gov, aws-cn): managed-policy ARNs differ there.
        const partition = aws.getPartitionOutput({}, parent).partition;
        const secrets = Object.entries(args.secrets ?? {});

        const logGroup = child(
            aws.cloudwatch.LogGroup,
            `${name}-logs`,
            { retentionInDays: c.logRetentionDays, tags: tags("logs") },
            parent,
            t.logGroup,
        );
        const assume = JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
        });
        const execRole = child(
            aws.iam.Role,
            `${name}-execution-role`,
            { assumeRolePolicy: assume, tags: tags("execution-role") },
            parent,
            t.role,
        );
        child(
            aws.iam.RolePolicyAttachment,
            `${name}-execution-managed`,
            {
                role: execRole.name,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
            },
            parent,
            t.executionPolicyAttachment,
        );
        if (secrets.length > 0) {
            child(
                aws.iam.RolePolicy,
                `${name}-execution-secrets`,
                {
                    role: execRole.id,
                    policy: pulumi
                        .all([pulumi.all(secrets.map(([, s]) => s.arn)), pulumi.all(args.secretKmsKeyArns ?? [])])
                        .apply(([arns, keys]) =>
                            JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [
                                    {
                                        Effect: "Allow",
                                        Action: "secretsmanager:GetSecretValue",
                                        Resource: [...new Set(arns)],
                                    },
                                    ...(keys.length > 0
                                        ? [{ Effect: "Allow", Action: "kms:Decrypt", Resource: [...new Set(keys)] }]
                                        : []),
                                ],
                            }),
                        ),
                },
                parent,
                t.rolePolicy,
            );
        }
        const taskRole = child(
            aws.iam.Role,
            `${name}-task-role`,
            { assumeRolePolicy: assume, tags: tags("task-role") },
            parent,
            t.role,
        );
        const extra = args.taskPolicyStatements ?? [];
        // IAM refuses a policy without statements: with nothing to grant, the task role has no policy at all.
        if (extra.length > 0 || c.metricNamespace !== undefined) {
            child(
                aws.iam.RolePolicy,
                `${name}-task-policy`,
                {
                    role: taskRole.id,
                    policy: pulumi.all(extra.map((st) => pulumi.all(st.resources))).apply((resources) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                // PutMetricData has no resource-level permissions; the namespace condition is the fence.
                                ...(c.metricNamespace !== undefined
                                    ? [
                                          {
                                              Effect: "Allow",
                                              Action: "cloudwatch:PutMetricData",
                                              Resource: "*",
                                              Condition: {
                                                  StringEquals: { "cloudwatch:namespace": c.metricNamespace },
                                              },
                                          },
                                      ]
                                    : []),
                                ...extra.map((st, i) => ({
                                    Effect: "Allow",
                                    Action: st.actions,
                                    Resource: resources[i],
                                })),
                            ],
                        }),
                    ),
                },
                parent,
                t.rolePolicy,
            );
        }

        const healthCheckCommand =
            c.healthCheckCommand ??
            (c.port !== undefined
                ? // Node's fetch, so the check needs no curl/wget in a slim Node.js image.
                  [
                      "CMD",
                      "node",
                      "-e",
                      `fetch('http://127.0.0.1:${c.port}${c.livenessPath}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`,
                  ]
                : undefined);
        const [container] = applyTransform<aws.ecs.ContainerDefinition, Record<string, never>>(
            t.container,
            c.role,
            {
                name: c.role,
                image: args.image,
                command: c.command,
                essential: true,
                // Never root: root inside a task is root on a shared kernel.
                user: c.containerUser,
                readonlyRootFilesystem: true,
                mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
                portMappings: c.port !== undefined ? [{ containerPort: c.port, protocol: "tcp" }] : [],
                environment: Object.entries(args.environment ?? {}).map(([k, v]) => ({ name: k, value: v })),
                secrets: secrets.map(([k, s]) => ({
                    name: k,
                    valueFrom: s.jsonKey ? pulumi.interpolate`${s.arn}:${s.jsonKey}::` : s.arn,
                })),
                stopTimeout: c.stopTimeout,
                healthCheck: healthCheckCommand
                    ? { command: healthCheckCommand, interval: 15, timeout: 5, retries: 3, startPeriod: 30 }
                    : undefined,
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": c.role,
                    },
                },
            },
            {},
        );
        const taskDef = child(
            aws.ecs.TaskDefinition,
            `${name}-task`,
            {
                family: name,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(c.cpu),
                memory: String(c.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: c.cpuArchitecture },
                executionRoleArn: execRole.arn,
                taskRoleArn: taskRole.arn,
                volumes: [{ name: "tmp" }],
                containerDefinitions: pulumi.jsonStringify([container]),
                tags: tags("task"),
            },
            parent,
            t.taskDefinition,
        );

        const service = child(
            aws.ecs.Service,
            `${name}-service`,
            {
                cluster: cluster.arn,
                taskDefinition: taskDef.arn,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                desiredCount: c.minTasks,
                availabilityZoneRebalancing: "ENABLED",
                networkConfiguration: {
                    subnets: subnetIds,
                    securityGroups: args.securityGroupIds,
                    assignPublicIp: false,
                },
                deploymentCircuitBreaker: { enable: true, rollback: true },
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                healthCheckGracePeriodSeconds: tgs.length > 0 ? c.healthCheckGracePeriodSeconds : undefined,
                loadBalancers: tgs.map((arn) => ({
                    targetGroupArn: arn,
                    containerName: c.role,
                    containerPort: c.port!,
                })),
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: false,
                tags: tags("service"),
            },
            {
                parent: this,
                dependsOn: args.listenerDependencies ?? [],
                // Application Auto Scaling owns the running count; without this every `pulumi up` would reset a scaled-out
                // service to its minimum in the middle of an on-sale.
                ignoreChanges: ["desiredCount"],
            },
            t.service,
        );

        this.scalableTargetResourceId = pulumi.interpolate`service/${cluster.name}/${service.name}`;
        const target = child(
            aws.appautoscaling.Target,
            `${name}-scaling`,
            {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: this.scalableTargetResourceId,
                minCapacity: c.minTasks,
                maxCapacity: c.maxTasks,
                tags: tags("scaling"),
            },
            {
                parent: this,
                // Scheduled actions raise MinCapacity for a sale window; without this a `pulumi up` inside the window
                // writes the configured min/max back and drops the floor mid-sale (terraform-aws-modules/terraform-aws-ecs#422).
                // What it costs: a new minTasks/maxTasks is only applied at creation, at the next scheduled action that
                // sets it (the on-sale restore sets both) or by `aws application-autoscaling register-scalable-target`.
                ignoreChanges: c.capacityManagedBySchedules ? ["minCapacity", "maxCapacity"] : [],
            },
            t.scalableTarget,
        );
        createScalingPolicies(this, name, args, {
            target,
            targetCpuPercent: c.targetCpuPercent,
            clusterName: cluster.name,
            serviceName: service.name,
        });

        this.serviceName = service.name;
        this.taskTag = { key: "Name", value: tags("service").Name };
        this.serviceArn = service.arn;
        this.taskDefinitionArn = taskDef.arn;
        this.logGroupName = logGroup.name;
        this.scalableTarget = target;
        this.resources = {
            service,
            taskDefinition: taskDef,
            logGroup,
            executionRole: execRole,
            taskRole,
            scalableTarget: target,
        };
        this.registerOutputs({
            serviceName: this.serviceName,
            taskDefinitionArn: this.taskDefinitionArn,
            logGroupName: this.logGroupName,
        });
    }
}
