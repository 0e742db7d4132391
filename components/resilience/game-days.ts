import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { defineContract, field, fieldProblem } from "../contract";
import { logRetentionDays } from "../log-retention";
import { child, Transform } from "../transform";
import {
    DRILL_ACTION,
    DrillKind,
    MAX_DURATION_MINUTES,
    MAX_STOP_CONDITIONS,
    MAX_TARGET_ARNS,
    PolicyContext,
    drillPolicy,
    fisTrustPolicy,
    isoMinutes,
} from "./fis-actions";

type In = pulumi.Input<string>;
type Where = pulumi.Output<Pick<PolicyContext, "partition" | "region" | "account">>;

/** Name of the one target in each drill's template. */
const TARGET_NAME: Record<DrillKind, string> = {
    database: "writer",
    cache: "replication-group",
    app: "tasks",
    zone: "subnets",
};

/** FIS experiment log format 2 (https://docs.aws.amazon.com/fis/latest/userguide/monitoring-logging.html). */
const LOG_SCHEMA_VERSION = 2;

/** The share of the app's running tasks one experiment stops. */
export const stopTaskPercent = () =>
    field.int(1, 50, "stopping more than half the fleet at once is an outage, not a drill");
const actionMinutes = () => field.int(1, MAX_DURATION_MINUTES, "FIS action duration, one minute to 12 hours");

export const GAME_DAYS_CONTRACT = defineContract({
    component: "GameDays",
    fields: {
        cacheInterruptMinutes: actionMinutes(),
        zoneDisruptionMinutes: actionMinutes(),
        logRetentionDays: logRetentionDays(),
    },
    defaults: { cacheInterruptMinutes: 10, zoneDisruptionMinutes: 5, logRetentionDays: 90 },
});
/** The default of the nested `app.stopTaskPercent`: a third of the fleet (one task of three). */
export const DEFAULT_STOP_TASK_PERCENT = 34;

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface GameDaysTransform {
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    /** One role per drill kind. */
    role?: Transform<aws.iam.RoleArgs>;
    rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    /** Every experiment template. */
    experimentTemplate?: Transform<aws.fis.ExperimentTemplateArgs>;
}

export interface GameDaysArgs {
    /**
     * CloudWatch alarms that mean users are hurting (5xx rate, no healthy targets, latency). Every template
     * stops as soon as any of them is in ALARM. Leave out alarms the injected fault is expected to fire (task
     * floor, unhealthy targets, replica lag), or every experiment stops at its own fault. 1..5 (FIS quota).
     */
    stopConditionAlarmArns: In[];
    /** The RDS writer to reboot with a forced failover to its standby. Omit it for a single-AZ writer. @default undefined */
    database?: { writerArn: In };
    /**
     * The Redis replication group, identified by a tag only it carries (FIS resolves replication groups by
     * tag), and the AZs its nodes are in: one template per AZ. @default undefined
     * @example { tag: { key: "Name", value: "boxoffice-prod-redis-group" }, availabilityZones: network.availabilityZones }
     */
    cache?: { tag: { key: string; value: string }; availabilityZones: In[] };
    /**
     * The app's ECS cluster, a tag only the app service's tasks carry (the service propagates its tags to its
     * tasks), and the percentage of its running tasks one experiment stops (1..50, by default 34). @default undefined
     * @example { clusterName: cluster.clusterName, taskTag: { key: "Name", value: "boxoffice-prod-app-service" } }
     */
    app?: { clusterName: In; taskTag: { key: string; value: string }; stopTaskPercent?: number };
    /** Per AZ: the subnets to cut off (private and isolated; ARNs, at most 5). One template per AZ. @default [] */
    zones?: { availabilityZone: In; subnetArns: In[] }[];
    /** Minutes the ElastiCache AZ power interruption lasts. @default 10 */
    cacheInterruptMinutes?: number;
    /** Minutes an AZ's subnets stay cut off. @default 5 */
    zoneDisruptionMinutes?: number;
    /** Days the experiment log group keeps FIS's logs (a value CloudWatch Logs accepts). @default 90 */
    logRetentionDays?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: GameDaysTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}

interface Drill {
    kind: DrillKind;
    key: string;
    description: pulumi.Output<string>;
    /** FIS parameters of the action. */
    parameters: Record<string, string>;
    target: Omit<aws.types.input.fis.ExperimentTemplateTarget, "name" | "resourceType">;
}

/**
 * AWS Fault Injection Service experiment templates for the failover catalogue: the RDS writer rebooted with a
 * forced failover, ElastiCache power cut in one AZ, a share of the app's ECS tasks stopped, and one AZ's private
 * and isolated subnets cut off. Each targets this stack's own resources, stops on the stack's user-facing
 * alarms, runs under a role allowed only that drill's calls, and logs to one CloudWatch log group.
 *
 * Creating templates disrupts nothing: an experiment runs only when a person starts it
 * (`aws fis start-experiment --experiment-template-id …`; see docs/game-day.md).
 *
 * Cost: templates, roles and an empty log group are free; FIS bills $0.10 per action-minute while an experiment
 * runs (https://aws.amazon.com/fis/pricing/), e.g. a 5-minute AZ cut-off costs $0.50; log ingestion per GB.
 */
export class GameDays extends pulumi.ComponentResource {
    /** Template id per drill (`database-failover`, `cache-az1-power`, `app-stop-tasks`, `az1-connectivity`, …). */
    readonly templateIds: Record<string, pulumi.Output<string>> = {};
    /** Experiment role ARN per drill kind. */
    readonly roleArns: Partial<Record<DrillKind, pulumi.Output<string>>> = {};
    /** The CloudWatch Logs group the experiments log to. */
    readonly logGroupName: pulumi.Output<string>;

    /** The raw experiment templates, by drill (the keys of `templateIds`). */
    readonly resources: { templates: Record<string, aws.fis.ExperimentTemplate>; logGroup: aws.cloudwatch.LogGroup };

    constructor(name: string, args: GameDaysArgs, opts?: pulumi.ComponentResourceOptions) {
        const alarms = args.stopConditionAlarmArns;
        const percent = args.app?.stopTaskPercent ?? DEFAULT_STOP_TASK_PERCENT;
        const zones = args.zones ?? [];
        const check = argChecker("GameDays", name);
        check.that(
            alarms.length >= 1 && alarms.length <= MAX_STOP_CONDITIONS,
            "stopConditionAlarmArns",
            alarms.length,
            `must list 1..${MAX_STOP_CONDITIONS} alarms (FIS stop conditions per template); ` +
                "an experiment without a stop condition cannot be stopped by what users see",
        );
        const percentProblem = fieldProblem(stopTaskPercent(), percent);
        check.that(!percentProblem, "app.stopTaskPercent", percent, percentProblem ?? "");
        const {
            cacheInterruptMinutes: cacheMinutes,
            zoneDisruptionMinutes: zoneMinutes,
            logRetentionDays: retention,
        } = GAME_DAYS_CONTRACT.resolve(name, args);
        const cacheAzs = args.cache?.availabilityZones.length;
        check.that(
            cacheAzs === undefined || cacheAzs >= 1,
            "cache.availabilityZones",
            cacheAzs,
            "must name at least one AZ",
        );
        for (const z of zones) {
            check.that(
                z.subnetArns.length >= 1 && z.subnetArns.length <= MAX_TARGET_ARNS,
                "zones.subnetArns",
                z.subnetArns.length,
                `must list 1..${MAX_TARGET_ARNS} subnet ARNs (FIS resource ARNs per target)`,
            );
        }
        check.that(
            Boolean(args.database || args.cache || args.app || zones.length),
            "args",
            "no drill",
            "must configure at least one of database, cache, app, zones",
        );
        super("boxoffice:resilience:GameDays", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const tags = (role: string, extra: Record<string, string> = {}) => ({
            ...args.tags,
            Name: `${name}-${role}`,
            ...extra,
        });

        const ctx: Where = pulumi
            .all([
                aws.getPartitionOutput({}, parent).partition,
                aws.getRegionOutput({}, parent).region,
                aws.getCallerIdentityOutput({}, parent).accountId,
            ])
            .apply(([partition, region, account]) => ({ partition, region, account }));
        const logGroup = child(
            aws.cloudwatch.LogGroup,
            `${name}-experiments`,
            { retentionInDays: retention, tags: tags("experiments") },
            parent,
            t.logGroup,
        );
        const templates: Record<string, aws.fis.ExperimentTemplate> = {};
        this.logGroupName = logGroup.name;

        const drills: Drill[] = [];
        if (args.database) {
            drills.push({
                kind: "database",
                key: "database-failover",
                description: pulumi.output("Reboot the RDS writer with a forced failover to its standby in another AZ"),
                parameters: { forceFailover: "true" },
                target: { resourceArns: [args.database.writerArn], selectionMode: "ALL" },
            });
        }
        args.cache?.availabilityZones.forEach((az, i) =>
            drills.push({
                kind: "cache",
                key: `cache-az${i + 1}-power`,
                description: pulumi.concat(
                    `Cut power to the Redis nodes in `,
                    az,
                    ` for ${cacheMinutes} min; `,
                    "a primary there fails over to a replica in another AZ",
                ),
                parameters: { duration: isoMinutes(cacheMinutes) },
                target: {
                    resourceTags: [args.cache!.tag],
                    parameters: { availabilityZoneIdentifier: az },
                    selectionMode: "ALL",
                },
            }),
        );
        if (args.app) {
            drills.push({
                kind: "app",
                key: "app-stop-tasks",
                description: pulumi.output(`Stop ${percent} % of the app service's running ECS tasks`),
                parameters: {},
                // Task ARNs change with every deployment, so FIS finds the tasks by the service's propagated tag,
                // running ones only: the tag and filter AWS's own ECS template uses (fis-template-library,
                // ecs-fargate-az-impairment). Recently stopped tasks keep their tags and would dilute the share.
                target: {
                    resourceTags: [args.app.taskTag],
                    filters: [{ path: "LastStatus", values: ["RUNNING"] }],
                    selectionMode: `PERCENT(${percent})`,
                },
            });
        }
        zones.forEach((zone, i) =>
            drills.push({
                kind: "zone",
                key: `az${i + 1}-connectivity`,
                description: pulumi.concat(
                    "Cut all traffic in and out of the private and isolated subnets in ",
                    zone.availabilityZone,
                    ` for ${zoneMinutes} min`,
                ),
                parameters: { scope: "all", duration: isoMinutes(zoneMinutes) },
                target: { resourceArns: zone.subnetArns, selectionMode: "ALL" },
            }),
        );

        const roles = new Map<DrillKind, { role: aws.iam.Role; policy: aws.iam.RolePolicy }>();
        for (const drill of drills) {
            let role = roles.get(drill.kind);
            if (!role) {
                role = this.role(name, drill.kind, args, ctx, tags);
                roles.set(drill.kind, role);
                this.roleArns[drill.kind] = role.role.arn;
            }
            const action = DRILL_ACTION[drill.kind];
            const targetName = TARGET_NAME[drill.kind];
            const template = child(
                aws.fis.ExperimentTemplate,
                `${name}-${drill.key}`,
                {
                    description: drill.description,
                    roleArn: role.role.arn,
                    stopConditions: alarms.map((value) => ({ source: "aws:cloudwatch:alarm", value })),
                    actions: [
                        {
                            name: drill.key,
                            actionId: action.id,
                            parameters: Object.entries(drill.parameters).map(([key, value]) => ({ key, value })),
                            target: { key: action.targetKey, value: targetName },
                        },
                    ],
                    targets: [{ name: targetName, resourceType: action.resourceType, ...drill.target }],
                    logConfiguration: {
                        logSchemaVersion: LOG_SCHEMA_VERSION,
                        // FIS wants the log group ARN with the `:*` suffix.
                        cloudwatchLogsConfiguration: { logGroupArn: pulumi.interpolate`${logGroup.arn}:*` },
                    },
                    // A drill whose targets are gone must fail loudly, never "pass" having injected nothing.
                    experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" },
                    tags: tags(drill.key, { "boxoffice:game-day": drill.key }),
                    // The role must hold its permissions before anyone can start the experiment.
                },
                { parent: this, dependsOn: [role.policy] },
                t.experimentTemplate,
            );
            this.templateIds[drill.key] = template.id;
            templates[drill.key] = template;
        }
        this.resources = { templates, logGroup };
        this.registerOutputs({ templateIds: this.templateIds, logGroupName: this.logGroupName });
    }

    /** One role per drill kind: it may make only that drill's calls, on this stack's resources. */
    private role(
        name: string,
        kind: DrillKind,
        args: GameDaysArgs,
        ctx: Where,
        tags: (role: string) => Record<string, string>,
    ): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
        const parent = { parent: this };
        const t = args.transform ?? {};
        const role = child(
            aws.iam.Role,
            `${name}-${kind}-role`,
            {
                description: `${name}: FIS experiment role for the ${kind} game day`,
                assumeRolePolicy: ctx.apply((c) => JSON.stringify(fisTrustPolicy(c))),
                tags: tags(`${kind}-role`),
            },
            parent,
            t.role,
        );
        const scope = pulumi
            .all([ctx, args.database?.writerArn, args.app?.clusterName])
            .apply(([where, writerArn, clusterName]): PolicyContext => ({
                ...where,
                writerArn,
                clusterName,
                cacheTag: args.cache?.tag,
            }));
        const policy = child(
            aws.iam.RolePolicy,
            `${name}-${kind}-policy`,
            {
                role: role.id,
                policy: scope.apply((s) => JSON.stringify(drillPolicy(kind, s))),
            },
            parent,
            t.rolePolicy,
        );
        return { role, policy };
    }
}
