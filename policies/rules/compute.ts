/**
 * ECS rules: every service keeps a second task (ECS spreads a service's tasks over the AZs of its subnets),
 * deploys without ever dropping below full capacity and rolls back a failing deployment by itself, runs
 * hardened containers that log, and autoscaling (including schedules for on-sales) never takes a service
 * below its floor.
 */
import * as aws from "@pulumi/aws";
import { Verdict, isSet, list, num, resourceRule } from "./common";

interface TasksConfig {
    minimumTasks: number;
}
const tasksSchema = {
    properties: { minimumTasks: { type: "integer" as const, minimum: 1, maximum: 100, default: 2 } },
};

export const ecsServiceMinTasks = resourceRule<aws.ecs.Service, aws.ecs.ServiceArgs, TasksConfig>(
    {
        name: "ecs-service-min-tasks",
        description:
            "Every replica ECS service runs at least the configured number of tasks, so one task (or AZ) can fail without an outage.",
        severity: "critical",
        remediationSteps:
            "1. Set `desiredCount` to at least the floor (2 in prod). 2. Give the service subnets in at least two AZs so ECS spreads the tasks.",
        configSchema: tasksSchema,
    },
    aws.ecs.Service,
    (svc, cfg): Verdict => {
        if (svc.schedulingStrategy === "DAEMON") return { notApplicable: "daemon services run one task per instance" };
        const desired = num(svc.desiredCount) ?? 1;
        return desired >= cfg.minimumTasks
            ? []
            : [`\`desiredCount\` is ${desired}; at least ${cfg.minimumTasks} required.`];
    },
);

export const ecsCircuitBreaker = resourceRule(
    {
        name: "ecs-circuit-breaker-rollback",
        description:
            "Every ECS service using the ECS deployment controller has the deployment circuit breaker on with automatic rollback.",
        severity: "high",
        remediationSteps:
            "1. Set `deploymentCircuitBreaker: { enable: true, rollback: true }`. 2. Make sure the container health check and the target group health check fail fast enough to trip it.",
    },
    aws.ecs.Service,
    (svc): Verdict => {
        const controller = svc.deploymentController?.type;
        if (controller && controller !== "ECS") return { notApplicable: `deployments are run by ${controller}` };
        const cb = svc.deploymentCircuitBreaker;
        const out: string[] = [];
        if (cb?.enable !== true)
            out.push("`deploymentCircuitBreaker.enable` is not true: a broken image keeps replacing tasks forever.");
        if (cb?.rollback !== true)
            out.push("`deploymentCircuitBreaker.rollback` is not true: a failed deployment is not rolled back.");
        return out;
    },
);

export const ecsMinimumHealthyPercent = resourceRule(
    {
        name: "ecs-minimum-healthy-percent",
        description: "ECS deployments never take a service below 100 % of its desired tasks.",
        severity: "high",
        remediationSteps:
            "1. Set `deploymentMinimumHealthyPercent: 100` (the ECS default for replica services) and `deploymentMaximumPercent: 200`. 2. Budget for the extra tasks during deployments.",
    },
    aws.ecs.Service,
    (svc): Verdict => {
        if (svc.schedulingStrategy === "DAEMON") return { notApplicable: "daemon services replace tasks in place" };
        // Unset means the ECS default, 100 % for replica services (ECS Developer Guide, service definition parameters).
        const pct = num(svc.deploymentMinimumHealthyPercent) ?? 100;
        return pct >= 100
            ? []
            : [
                  `\`deploymentMinimumHealthyPercent\` is ${pct}: deployments stop tasks before replacements are healthy.`,
              ];
    },
);

export const ecsNoPublicIp = resourceRule(
    {
        name: "ecs-no-public-ip",
        description: "No ECS service gives its tasks public IP addresses.",
        severity: "high",
        remediationSteps:
            "1. Set `networkConfiguration.assignPublicIp: false`. 2. Run tasks in private subnets with a NAT gateway (or VPC endpoints) per AZ for egress.",
    },
    aws.ecs.Service,
    (svc): Verdict =>
        svc.networkConfiguration?.assignPublicIp === true
            ? [
                  "`networkConfiguration.assignPublicIp` is true: tasks are reachable from the internet, bypassing the ALB and WAF.",
              ]
            : [],
);

interface ContainerDefinition {
    name?: string;
    user?: string;
    readonlyRootFilesystem?: boolean;
    logConfiguration?: { logDriver?: string };
}

/** `containerDefinitions` is a JSON string (ECS RegisterTaskDefinition shape). */
function containersOf(defs: unknown): ContainerDefinition[] | string {
    if (typeof defs !== "string") return "`containerDefinitions` is not a JSON string";
    try {
        const parsed = JSON.parse(defs) as unknown;
        return Array.isArray(parsed) ? (parsed as ContainerDefinition[]) : "`containerDefinitions` is not a JSON array";
    } catch {
        return "`containerDefinitions` is not valid JSON";
    }
}

function perContainer(defs: unknown, problem: (c: ContainerDefinition) => string | undefined): string[] {
    const containers = containersOf(defs);
    if (typeof containers === "string") return [containers];
    return containers.flatMap((c) => {
        const p = problem(c);
        return p ? [`container ${c.name ?? "(unnamed)"}: ${p}`] : [];
    });
}

function isRootUser(user: string | undefined): boolean {
    if (user === undefined || user.trim() === "") return true; // the image default, root unless the Dockerfile says otherwise
    const who = user.split(":")[0];
    return who === "root" || who === "0";
}

export const ecsNonRootUser = resourceRule(
    {
        name: "ecs-non-root-user",
        description: "Every container of every ECS task definition runs as a non-root user set in the task definition.",
        severity: "high",
        remediationSteps:
            '1. Set `user` in each container definition to a non-zero UID:GID (e.g. "1000:1000" or "node"). 2. Make the image\'s files readable by that user.',
    },
    aws.ecs.TaskDefinition,
    (td): Verdict =>
        perContainer(td.containerDefinitions, (c) =>
            isRootUser(c.user)
                ? `\`user\` is ${c.user === undefined ? "unset (root unless the image says otherwise)" : JSON.stringify(c.user)}.`
                : undefined,
        ),
);

export const ecsReadOnlyRootFilesystem = resourceRule(
    {
        name: "ecs-read-only-root-filesystem",
        description: "Every container of every ECS task definition has a read-only root filesystem.",
        severity: "medium",
        remediationSteps:
            "1. Set `readonlyRootFilesystem: true` in each container definition. 2. Mount a task volume (or tmpfs on EC2) for the paths the app must write, such as /tmp.",
    },
    aws.ecs.TaskDefinition,
    (td): Verdict =>
        perContainer(td.containerDefinitions, (c) =>
            c.readonlyRootFilesystem === true ? undefined : "`readonlyRootFilesystem` is not true.",
        ),
);

export const ecsContainerLogging = resourceRule(
    {
        name: "ecs-container-logging",
        description: "Every container of every ECS task definition sends its logs to a log driver.",
        severity: "medium",
        remediationSteps:
            '1. Set `logConfiguration: { logDriver: "awslogs", options: { "awslogs-group", "awslogs-region", "awslogs-stream-prefix" } }`. 2. Create the log group with a retention.',
    },
    aws.ecs.TaskDefinition,
    (td): Verdict =>
        perContainer(td.containerDefinitions, (c) =>
            isSet(c.logConfiguration?.logDriver)
                ? undefined
                : "`logConfiguration.logDriver` is not set: its output is lost.",
        ),
);

export const ecsContainerInsights = resourceRule(
    {
        name: "ecs-container-insights",
        description: "Every ECS cluster has Container Insights on.",
        severity: "medium",
        remediationSteps:
            '1. Add `settings: [{ name: "containerInsights", value: "enhanced" }]` (or "enabled") to the cluster.',
    },
    aws.ecs.Cluster,
    (cluster): Verdict => {
        const setting = list<{ name?: string; value?: string }>(cluster.settings).find(
            (s) => s.name === "containerInsights",
        );
        return setting && (setting.value === "enabled" || setting.value === "enhanced")
            ? []
            : ["the `containerInsights` setting is not enabled or enhanced."];
    },
);

function isEcsService(t: { serviceNamespace?: unknown; scalableDimension?: unknown }): boolean {
    return t.serviceNamespace === "ecs" && t.scalableDimension === "ecs:service:DesiredCount";
}

export const ecsAutoscalingMinCapacity = resourceRule<
    aws.appautoscaling.Target,
    aws.appautoscaling.TargetArgs,
    TasksConfig
>(
    {
        name: "ecs-autoscaling-min-capacity",
        description:
            "Every ECS service's scalable target keeps a minimum capacity of at least the configured number of tasks.",
        severity: "critical",
        remediationSteps:
            "1. Set `minCapacity` to at least the floor (2 in prod). 2. Keep `maxCapacity` ≥ `minCapacity`.",
        configSchema: tasksSchema,
    },
    aws.appautoscaling.Target,
    (t, cfg): Verdict => {
        if (!isEcsService(t)) return { notApplicable: "not an ECS service's desired count" };
        const out: string[] = [];
        const min = num(t.minCapacity) ?? 0;
        const max = num(t.maxCapacity) ?? 0;
        if (min < cfg.minimumTasks)
            out.push(
                `\`minCapacity\` is ${min}; at least ${cfg.minimumTasks} required: scaling in may leave a single task.`,
            );
        if (max < cfg.minimumTasks) out.push(`\`maxCapacity\` is ${max}; at least ${cfg.minimumTasks} required.`);
        return out;
    },
);

export const ecsScheduledScalingFloor = resourceRule<
    aws.appautoscaling.ScheduledAction,
    aws.appautoscaling.ScheduledActionArgs,
    TasksConfig
>(
    {
        name: "ecs-scheduled-scaling-floor",
        description:
            "No scheduled scaling action ever sets an ECS service's minimum or maximum capacity below the configured number of tasks.",
        severity: "critical",
        remediationSteps:
            "1. Set `scalableTargetAction.minCapacity` (and `maxCapacity`) to at least the floor in every schedule, including the ones that scale back in after an on-sale. 2. Review night-time schedules: they are the usual culprit.",
        configSchema: tasksSchema,
    },
    aws.appautoscaling.ScheduledAction,
    (a, cfg): Verdict => {
        if (!isEcsService(a)) return { notApplicable: "not an ECS service's desired count" };
        const action = a.scalableTargetAction ?? {};
        const out: string[] = [];
        const min = num(action.minCapacity);
        const max = num(action.maxCapacity);
        if (min !== undefined && min < cfg.minimumTasks)
            out.push(`schedule ${a.schedule} sets \`minCapacity\` to ${min}; at least ${cfg.minimumTasks} required.`);
        if (max !== undefined && max < cfg.minimumTasks)
            out.push(
                `schedule ${a.schedule} sets \`maxCapacity\` to ${max}, forcing the service below ${cfg.minimumTasks} tasks.`,
            );
        return out;
    },
);

export const computePolicies = [
    ecsServiceMinTasks,
    ecsCircuitBreaker,
    ecsMinimumHealthyPercent,
    ecsNoPublicIp,
    ecsNonRootUser,
    ecsReadOnlyRootFilesystem,
    ecsContainerLogging,
    ecsContainerInsights,
    ecsAutoscalingMinCapacity,
    ecsScheduledScalingFloor,
];
