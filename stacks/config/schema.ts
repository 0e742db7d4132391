/**
 * The schema of every `boxoffice:*` config key. Each section is composed from the contract of the component it
 * configures (the component's own field schemas, rules and messages), so a limit is written once, next to the
 * component; this file only says which arguments a stack may set, and adds the few keys of its own. Defaults per
 * environment live in `defaults.ts`; rules between sections live in `load.ts`. Sections are strict: an unknown
 * nested key is an error, not silently ignored.
 */
import { z } from "zod";
import {
    ALARMS_CONTRACT,
    AUTOSCALED_SERVICE_CONTRACT,
    BACKUP_POLICY_CONTRACT,
    CERTIFICATE_ARN,
    DATABASE_CONTRACT,
    DOMAIN_NAME,
    GAME_DAYS_CONTRACT,
    HOSTED_ZONE_ID,
    MEMCACHED_CLUSTER_CONTRACT,
    NETWORK_CONTRACT,
    PAIRED_LOAD_BALANCERS_CONTRACT,
    REDIS_CACHE_CONTRACT,
    SCHEDULED_SCALING_CONTRACT,
    backlogPerTask,
    field,
    requestsPerTask,
    stopTaskPercent,
} from "@boxoffice/components";

/** The component arguments each section exposes, by their component names (the data tier passes them through). */
export const KEYS = {
    network: ["cidr", "availabilityZones", "natGateways", "flowLogRetentionDays"],
    database: [
        "engineVersion",
        "instanceClass",
        "allocatedStorageGb",
        "maxAllocatedStorageGb",
        "multiAz",
        "readReplicas",
        "backupRetentionDays",
        "backupWindow",
        "maintenanceWindow",
        "proxy",
        "deletionProtection",
        "iamAuthentication",
        "performanceInsightsRetentionDays",
        "monitoringIntervalSeconds",
    ],
    redis: ["nodeType", "engineVersion", "replicas", "snapshotRetentionDays", "snapshotWindow"],
    memcached: ["nodeType", "engineVersion", "nodes"],
    backup: [
        "dailyRetentionDays",
        "weeklyRetentionDays",
        "monthlyRetentionDays",
        "monthlyColdStorageAfterDays",
        "copyToRegion",
        "vaultLock",
        "vaultLockMode",
        "restoreTesting",
    ],
    loadBalancers: [
        "orderRateLimitPer5Min",
        "queueJoinRateLimitPer5Min",
        "browseRateLimitPer5Min",
        "healthCheckIntervalSeconds",
        "healthCheckFailureThreshold",
        "accessLogRetentionDays",
    ],
    app: [
        "cpu",
        "memory",
        "minTasks",
        "maxTasks",
        "targetCpuPercent",
        "healthCheckGracePeriodSeconds",
        "logRetentionDays",
    ],
    worker: ["cpu", "memory", "minTasks", "maxTasks", "targetCpuPercent", "logRetentionDays"],
    scaling: ["schedules", "onSale"],
    gameDays: ["cacheInterruptMinutes", "zoneDisruptionMinutes", "logRetentionDays"],
} as const;

export const networkSchema = NETWORK_CONTRACT.section(KEYS.network);
export const databaseSchema = DATABASE_CONTRACT.section(KEYS.database);
export const redisSchema = REDIS_CACHE_CONTRACT.section(KEYS.redis);
export const memcachedSchema = MEMCACHED_CLUSTER_CONTRACT.section(KEYS.memcached);
export const backupSchema = BACKUP_POLICY_CONTRACT.section(KEYS.backup);

/**
 * The edge's DNS name, zone and certificate are nullable here (null: none), and their rules are the stack's own,
 * stricter ones (both or neither of domain and zone, HTTPS in prod, the certificate in the stack's region), in
 * `load.ts`; so the component's looser versions are not run twice in other words.
 */
export const loadBalancersSchema = PAIRED_LOAD_BALANCERS_CONTRACT.section(KEYS.loadBalancers, {
    extra: {
        domain: DOMAIN_NAME.nullable(),
        hostedZoneId: HOSTED_ZONE_ID.nullable(),
        certificateArn: CERTIFICATE_ARN.nullable(),
    },
    rules: false,
});

export const appSchema = AUTOSCALED_SERVICE_CONTRACT.section(KEYS.app, {
    extra: { targetRequestsPerTask: requestsPerTask() },
});
export const workerSchema = AUTOSCALED_SERVICE_CONTRACT.section(KEYS.worker, {
    extra: { targetBacklogPerTask: backlogPerTask() },
});
export const scalingSchema = SCHEDULED_SCALING_CONTRACT.section(KEYS.scaling);

/**
 * The ticket service's waiting room, fleet-wide (per-event inlets are set through the admin API). Passed to the
 * app as WAITING_ROOM_* variables; the limits are the app's own.
 */
export const waitingRoomSchema = z.strictObject({
    tokenTtlSeconds: field.int(60, 3600, "seconds an admitted buyer has to order"),
    collectSeconds: field.int(10, 3600, "seconds an admitted visitor has to pick up its admission"),
    pauseErrorPercent: field.int(1, 100, "percent of 5xx answers that holds admissions"),
    pauseOnAlarms: field.bool(),
    queueWaitAlarmSeconds: field.int(60, 86400, "expected wait of a newcomer that raises the queue-wait alarm"),
});

export const alertsSchema = z.strictObject({
    email: ALARMS_CONTRACT.fields.alertEmail.unwrap().nullable(),
});

/** AWS FIS experiment templates (components/resilience): created by `pulumi up`, run only when a person starts one. */
export const gameDaysSchema = GAME_DAYS_CONTRACT.section(KEYS.gameDays, {
    extra: { enabled: field.bool(), stopTaskPercent: stopTaskPercent() },
});

export const platformSchema = z.strictObject({
    environment: field.oneOf(["prod", "staging"]),
    network: networkSchema,
    database: databaseSchema,
    redis: redisSchema,
    memcached: memcachedSchema,
    backup: backupSchema,
    loadBalancers: loadBalancersSchema,
    app: appSchema,
    worker: workerSchema,
    scaling: scalingSchema,
    waitingRoom: waitingRoomSchema,
    alerts: alertsSchema,
    gameDays: gameDaysSchema,
});

export type PlatformConfig = z.infer<typeof platformSchema>;
export type Environment = PlatformConfig["environment"];
export type ScheduleConfig = PlatformConfig["scaling"]["schedules"][number];
export type OnSaleConfig = NonNullable<PlatformConfig["scaling"]["onSale"]>;

/** The `boxoffice:*` keys there are; anything else under the namespace is a mistake. */
export const TOP_LEVEL_KEYS = Object.keys(platformSchema.shape) as (keyof PlatformConfig)[];
