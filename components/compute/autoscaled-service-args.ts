/** The `AutoscaledService` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { defineContract, field } from "../contract";
import { logRetentionDays } from "../log-retention";
import type { NetworkIds } from "../network/network-ids";
import type { Transform } from "../transform";
import { FARGATE_CPU_UNITS, fargateMemoryProblem } from "./fargate";

/** ECS tasks per service (the scalable target's bounds). */
export const taskCount = () => field.int(1, 1000, "ECS tasks per service");
/** Target of the request-count scaling policy. */
export const requestsPerTask = () =>
    field.int(1, 100000, "requests per task per minute, summed over the load balancers");
/** Target of the backlog scaling policy. */
export const backlogPerTask = () => field.int(1, 1000000, "backlog items per task");

export const AUTOSCALED_SERVICE_CONTRACT = defineContract({
    component: "AutoscaledService",
    fields: {
        role: field.oneOf(["app", "worker"]),
        cpu: field.numberIn(FARGATE_CPU_UNITS, "Fargate CPU units"),
        memory: field.int(512, 122880, "Fargate memory MiB"),
        cpuArchitecture: field.oneOf(["ARM64", "X86_64"]),
        port: field.int(1, 65535, "TCP port").optional(),
        livenessPath: field.text(/^\/[A-Za-z0-9._~/-]*$/, "an absolute URL path such as /healthz"),
        minTasks: taskCount(),
        maxTasks: taskCount(),
        capacityManagedBySchedules: field.bool(),
        targetCpuPercent: field.int(10, 90, "target-tracking CPU utilisation"),
        healthCheckGracePeriodSeconds: field.int(0, 2147483647, "ECS limit"),
        stopTimeout: field.int(2, 120, "Fargate stop timeout"),
        logRetentionDays: logRetentionDays(),
        // Root inside a task is root on a shared kernel: only a named or numbered non-root user is accepted.
        containerUser: field.text(
            /^(?!(0|root)(:|$))[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/,
            "a non-root user[:group] by name or id, e.g. 1000:1000",
        ),
        metricNamespace: field
            .text(
                /^(?!AWS\/)[\x21-\x7e][\x20-\x7e]{0,254}$/,
                "a CloudWatch namespace of your own (not AWS/...), at most 255 characters",
            )
            .optional(),
        healthCheckCommand: z
            .array(z.string(), { error: 'must be a list of strings, e.g. ["CMD", "/bin/healthcheck"]' })
            .min(1, "must not be empty")
            .optional(),
        command: z.array(z.string(), { error: "must be a list of strings" }).min(1, "must not be empty"),
    },
    defaults: {
        cpu: 512,
        memory: 1024,
        cpuArchitecture: "ARM64",
        livenessPath: "/healthz",
        minTasks: 2,
        maxTasks: 10,
        capacityManagedBySchedules: false,
        targetCpuPercent: 60,
        healthCheckGracePeriodSeconds: 60,
        stopTimeout: 30,
        logRetentionDays: 90,
        containerUser: "65534:65534",
    },
    rules: (v, report) => {
        const memory = fargateMemoryProblem(v.cpu, v.memory);
        if (memory) report("memory", memory);
        if (v.minTasks > v.maxTasks) report("minTasks", `must not exceed maxTasks (${v.maxTasks})`);
    },
});

export interface ServiceSecret {
    /** Secrets Manager secret ARN (IAM is granted on it). */
    arn: pulumi.Input<string>;
    /** JSON key inside the secret, e.g. `password` of a database's master secret. @default the whole value */
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

/** An ECS cluster: our `EcsCluster` (or anything with its two outputs), or an existing cluster's ARN. */
export type ClusterRef = { clusterArn: pulumi.Input<string>; clusterName: pulumi.Input<string> } | pulumi.Input<string>;

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface AutoscaledServiceTransform {
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    /** The execution role and the task role. */
    role?: Transform<aws.iam.RoleArgs>;
    executionPolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    /** The execution role's secrets policy and the task role's policy. */
    rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    /** The one container's definition, before it is serialised into the task definition (its name is the container's). */
    container?: Transform<aws.ecs.ContainerDefinition, Record<string, never>>;
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    service?: Transform<aws.ecs.ServiceArgs>;
    scalableTarget?: Transform<aws.appautoscaling.TargetArgs>;
    /** Every target-tracking policy (`<name>-cpu-scaling`, `-requests-scaling`, `-backlog-scaling`). */
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
}

export interface AutoscaledServiceArgs {
    /** Tier tag (`app` or `worker`) and container name. */
    role: "app" | "worker";
    /**
     * The cluster to run in: our `EcsCluster`, any object with its `clusterArn` and `clusterName`, or an existing
     * cluster's ARN (the name is read from it).
     * @example cluster
     * @example "arn:aws:ecs:eu-west-1:123456789012:cluster/shared"
     */
    cluster: ClusterRef;
    /** Image URI, ideally digest-pinned. */
    image: pulumi.Input<string>;
    /** The container's command (ECS `command`), e.g. `["node", "dist/server.js"]`; at least one element. */
    command: string[];
    /** Fargate CPU units (256, 512, 1024, 2048, 4096, 8192 or 16384). @default 512 */
    cpu?: number;
    /** Memory MiB; with `cpu` a pair Fargate offers. @default 1024 */
    memory?: number;
    /** Must match the image's platform. @default "ARM64" */
    cpuArchitecture?: "ARM64" | "X86_64";
    /** Container port; with it the container gets a health check on `livenessPath`. @default undefined (no port) */
    port?: number;
    /** Path the container health check requests. @default "/healthz" */
    livenessPath?: string;
    /**
     * The container health check's command (ECS `healthCheck.command`), for an image without Node.js.
     * @default ["CMD", "node", "-e", <fetch of livenessPath on port>] when `port` is set, else none
     * @example ["CMD", "/usr/bin/curl", "-fsS", "http://127.0.0.1:8080/healthz"]
     */
    healthCheckCommand?: string[];
    /**
     * User (and group) the container runs as, by name or id; never root. The default is `nobody`, which owns no
     * file in the image: give the image's own unprivileged user (e.g. `1000:1000`, the `node` user of Node.js
     * images) when the process needs its files. @default "65534:65534"
     */
    containerUser?: string;
    /** Plain environment; names that look like credentials are refused. @default {} */
    environment?: Record<string, pulumi.Input<string>>;
    /** Secrets by environment name, injected by ECS from Secrets Manager. @default {} */
    secrets?: Record<string, ServiceSecret>;
    /** KMS keys the secrets are encrypted with (the execution role gets kms:Decrypt). @default [] */
    secretKmsKeyArns?: pulumi.Input<string>[];
    /** The network whose private subnets the tasks run in (ours or an existing VPC's ids); or give `subnetIds`. @default undefined */
    network?: NetworkIds;
    /** Subnets, one per AZ, at least two; tasks spread over all of them (when `network` is not given). @default undefined */
    subnetIds?: pulumi.Input<string>[];
    /** Security groups of the tasks (e.g. `ServiceSecurityGroups`' app or worker group). */
    securityGroupIds: pulumi.Input<string>[];
    /** Target groups to register with (needs `port`). @default [] */
    targetGroupArns?: pulumi.Input<string>[];
    /** Listeners to wait for: ECS rejects a target group that is not attached to a load balancer yet. @default [] */
    listenerDependencies?: pulumi.Resource[];
    /** Running tasks at least, 1..1000. @default 2 */
    minTasks?: number;
    /** Running tasks at most, 1..1000, not below `minTasks`. @default 10 */
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
    /** Target-tracking CPU utilisation, 10..90. @default 60 */
    targetCpuPercent?: number;
    /**
     * Target tracking on requests per task per minute, summed over every given load balancer's target group, so
     * scaling keeps following the traffic after DNS fails over from one ALB to the other. Each task must be
     * registered with every one of these target groups. @default undefined
     * @example { targetGroups: [{ loadBalancerArnSuffix, targetGroupArnSuffix }, ...], targetRequestsPerTask: 800 }
     */
    requestScaling?: { targetGroups: RequestSource[]; targetRequestsPerTask: number };
    /** Scale on a custom backlog metric divided by running tasks. @default undefined */
    backlogScaling?: {
        namespace: string;
        metricName: string;
        dimensions: Record<string, pulumi.Input<string>>;
        targetPerTask: number;
    };
    /**
     * Permissions of the task role, each on named resources (never `*`), e.g. sending mail from one SES identity.
     * Without any (and without `metricNamespace`) the task role has no policy at all. @default []
     * @example [{ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: [identity.identityArn] }]
     */
    taskPolicyStatements?: TaskPolicyStatement[];
    /**
     * CloudWatch namespace the task may publish custom metrics to (`cloudwatch:PutMetricData` has no resource-level
     * permissions; the namespace condition is the fence). @default undefined (no metric permission)
     */
    metricNamespace?: string;
    /** Seconds ECS ignores load-balancer health checks after a task starts. @default 60 */
    healthCheckGracePeriodSeconds?: number;
    /** Seconds between SIGTERM and SIGKILL, 2..120 (Fargate max 120). @default 30 */
    stopTimeout?: number;
    /** Days the log group keeps the container's logs (a value CloudWatch Logs accepts). @default 90 */
    logRetentionDays?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: AutoscaledServiceTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
