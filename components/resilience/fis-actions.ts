/**
 * The AWS FIS actions the game days use and the IAM policy each experiment role gets. Pure: plain strings in,
 * policy documents out, so every statement is unit-tested without a Pulumi runtime.
 *
 * Action ids, target resource types, target keys, parameters and the permissions each action needs are those of
 * the AWS FIS actions reference (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html);
 * the logging permissions are those of FIS experiment logging
 * (https://docs.aws.amazon.com/fis/latest/userguide/monitoring-logging.html). AWS's own sample templates use the
 * same ids and keys (github.com/aws-samples/fis-template-library: mysql-rds-loadtest-failover,
 * elasticache-az-power-interruption, ecs-fargate-az-impairment).
 *
 * Least privilege: the call that injects the fault is scoped to the stack's own resource (the writer's ARN, the
 * cluster's tasks, the cache's tag, ACLs FIS itself created). Describe/List calls and `tag:GetResources` are
 * read-only and FIS issues them while resolving targets, so they stay on `*`. Two calls stay unscoped on purpose:
 * `ec2:CreateNetworkAcl` (creates a new, unattached ACL) and `ec2:ReplaceNetworkAclAssociation`, which FIS also
 * uses to put the subnets' original ACL back when the disruption ends or a stop condition fires: a condition that
 * denied the restore would leave an AZ cut off, the one outcome a game day must never cause.
 */

export interface FisAction {
    /** FIS action id. */
    id: string;
    /** Resource type of the action's target. */
    resourceType: string;
    /** The key under which the action names its target (fixed per action by FIS). */
    targetKey: string;
    /** Every permission the actions reference lists for the action. */
    permissions: readonly string[];
}

/** The four drills of the catalogue, as FIS actions. */
export const FIS_ACTIONS = {
    /** Reboot with `forceFailover=true`: RDS moves the Multi-AZ writer to its standby. */
    rdsReboot: {
        id: "aws:rds:reboot-db-instances",
        resourceType: "aws:rds:db",
        targetKey: "DBInstances",
        permissions: ["rds:RebootDBInstance", "rds:DescribeDBInstances", "tag:GetResources"],
    },
    /**
     * Interrupts power to the replication group's nodes in one AZ for `duration`; a primary there fails over to a
     * replica elsewhere and replacements in that AZ are blocked until the action ends. (Formerly
     * `aws:elasticache:interrupt-cluster-az-power` on `aws:elasticache:redis-replicationgroup`.)
     */
    cacheAzPower: {
        id: "aws:elasticache:replicationgroup-interrupt-az-power",
        resourceType: "aws:elasticache:replicationgroup",
        targetKey: "ReplicationGroups",
        permissions: [
            "elasticache:InterruptClusterAzPower",
            "elasticache:DescribeReplicationGroups",
            "tag:GetResources",
        ],
    },
    /** ECS `StopTask` on the selected tasks: SIGTERM, then SIGKILL after the container's stopTimeout. */
    ecsStopTask: {
        id: "aws:ecs:stop-task",
        resourceType: "aws:ecs:task",
        targetKey: "Tasks",
        permissions: ["ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask", "tag:GetResources"],
    },
    /**
     * Swaps the target subnets' network ACL for a FIS-made clone that denies traffic (`scope=all`: everything in
     * and out of the subnets) for `duration`, then restores the original ACL.
     */
    disruptConnectivity: {
        id: "aws:network:disrupt-connectivity",
        resourceType: "aws:ec2:subnet",
        targetKey: "Subnets",
        permissions: [
            "ec2:CreateNetworkAcl",
            "ec2:CreateNetworkAclEntry",
            "ec2:CreateTags",
            "ec2:DeleteNetworkAcl",
            "ec2:DescribeManagedPrefixLists",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "ec2:GetManagedPrefixListEntries",
            "ec2:ReplaceNetworkAclAssociation",
        ],
    },
} as const satisfies Record<string, FisAction>;

export type DrillKind = "database" | "cache" | "app" | "zone";

/** Which FIS action each drill runs. */
export const DRILL_ACTION: Record<DrillKind, FisAction> = {
    database: FIS_ACTIONS.rdsReboot,
    cache: FIS_ACTIONS.cacheAzPower,
    app: FIS_ACTIONS.ecsStopTask,
    zone: FIS_ACTIONS.disruptConnectivity,
};

/** What FIS needs to deliver experiment logs to CloudWatch Logs (vended-log delivery; no resource-level form). */
export const LOGGING_PERMISSIONS = [
    "logs:CreateLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
] as const;

/** Tag FIS puts on the network ACLs it creates; the actions reference conditions ACL edits and deletes on it. */
export const FIS_ACL_TAG = "managedByFIS";

/** FIS quota: stop conditions per experiment template (https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html). */
export const MAX_STOP_CONDITIONS = 5;
/** Resource ARNs one target may list (AWS::FIS::ExperimentTemplate ExperimentTemplateTarget, ResourceArns maximum). */
export const MAX_TARGET_ARNS = 5;
/** Duration bounds of the timed actions: one minute to 12 hours (FIS actions reference). */
export const MAX_DURATION_MINUTES = 720;

/** Where the experiment runs, and the stack resource each drill may touch. */
export interface PolicyContext {
    partition: string;
    region: string;
    account: string;
    /** database: the writer instance's ARN. */
    writerArn?: string;
    /** app: the ECS cluster's name (task ARNs are `task/<cluster>/<id>`). */
    clusterName?: string;
    /** cache: the tag that marks the replication group. */
    cacheTag?: { key: string; value: string };
}

interface Statement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

const allow = (
    Sid: string,
    Action: string[],
    Resource: string | string[],
    Condition?: Statement["Condition"],
): Statement => ({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });

function need<T>(value: T | undefined, what: string, kind: DrillKind): T {
    if (value === undefined) throw new Error(`drillPolicy(${kind}): needs ${what}`);
    return value;
}

/** The experiment role's policy for one drill: the action's documented permissions plus experiment logging. */
export function drillPolicy(kind: DrillKind, ctx: PolicyContext): { Version: "2012-10-17"; Statement: Statement[] } {
    const arn = (service: string, resource: string) =>
        `arn:${ctx.partition}:${service}:${ctx.region}:${ctx.account}:${resource}`;
    const statements: Statement[] = [];
    switch (kind) {
        case "database":
            statements.push(
                allow("RebootTheWriterOnly", ["rds:RebootDBInstance"], need(ctx.writerArn, "writerArn", kind)),
                allow("ResolveTargets", ["rds:DescribeDBInstances", "tag:GetResources"], "*"),
            );
            break;
        case "cache": {
            const tag = need(ctx.cacheTag, "cacheTag", kind);
            // AWS's sample scopes this call by a resource tag rather than an ARN; we use the group's own tag.
            statements.push(
                allow("InterruptThisGroupOnly", ["elasticache:InterruptClusterAzPower"], "*", {
                    StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value },
                }),
                allow("ResolveTargets", ["elasticache:DescribeReplicationGroups", "tag:GetResources"], "*"),
            );
            break;
        }
        case "app":
            statements.push(
                allow(
                    "StopThisClustersTasksOnly",
                    ["ecs:StopTask"],
                    arn("ecs", `task/${need(ctx.clusterName, "clusterName", kind)}/*`),
                ),
                allow("ResolveTargets", ["ecs:DescribeTasks", "ecs:ListTasks", "tag:GetResources"], "*"),
            );
            break;
        case "zone": {
            const acls = arn("ec2", "network-acl/*");
            statements.push(
                allow("SwapSubnetAcls", ["ec2:CreateNetworkAcl", "ec2:ReplaceNetworkAclAssociation"], "*"),
                allow("TagAcls", ["ec2:CreateTags"], acls),
                allow("EditOnlyFisAcls", ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"], acls, {
                    StringEquals: { [`ec2:ResourceTag/${FIS_ACL_TAG}`]: "true" },
                }),
                allow(
                    "ResolveTargets",
                    [
                        "ec2:DescribeManagedPrefixLists",
                        "ec2:DescribeNetworkAcls",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeVpcs",
                        "ec2:GetManagedPrefixListEntries",
                    ],
                    "*",
                ),
            );
            break;
        }
    }
    statements.push(allow("ExperimentLogs", [...LOGGING_PERMISSIONS], "*"));
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * Trust policy: only FIS may assume the role, and only for experiments of this account and Region (the
 * confused-deputy conditions of https://docs.aws.amazon.com/fis/latest/userguide/cross-service-confused-deputy-prevention.html).
 */
export function fisTrustPolicy(ctx: Pick<PolicyContext, "partition" | "region" | "account">) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "fis.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ctx.account },
                    ArnLike: { "aws:SourceArn": `arn:${ctx.partition}:fis:${ctx.region}:${ctx.account}:experiment/*` },
                },
            },
        ],
    };
}

/** ISO-8601 duration FIS takes for `duration` parameters. */
export function isoMinutes(minutes: number): string {
    return `PT${minutes}M`;
}
