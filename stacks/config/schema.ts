/**
 * The schema of every `boxoffice:*` config key. Each field states its rule in the words the error will use;
 * limits cite where AWS documents them. Defaults per environment live in `defaults.ts`; this file only
 * says what is valid. Sections are strict: an unknown nested key is an error, not silently ignored.
 */
import { z } from "zod";
import { cacheNodeTypeProblem } from "../../components/data/node-types";
import { RFC1918_RANGES, isPrivateCidr } from "../../components/network/cidr-plan";
import {
    AWS_REGIONS, LOG_RETENTION_DAYS, backupWindowProblem, fargateMemoryOptions, isIanaTimeZone,
    maintenanceWindowProblem, parseCidr, scheduleExpressionProblem,
} from "./rules";

const int = (min: number, max: number, why: string) =>
    z.number({ error: `must be a whole number ${min}..${max} (${why})` })
        .int(`must be a whole number ${min}..${max} (${why})`)
        .min(min, `must be ${min}..${max} (${why})`)
        .max(max, `must be ${min}..${max} (${why})`);
const bool = () => z.boolean({ error: "must be true or false" });
const oneOf = <T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { error: `must be one of ${values.join(", ")}` });
const text = (re: RegExp, rule: string) => z.string({ error: `must be a string: ${rule}` }).regex(re, `must be ${rule}`);
const checked = (problem: (v: string) => string | undefined, what: string) =>
    z.string({ error: `must be a string: ${what}` }).superRefine((v, ctx) => {
        const p = problem(v);
        if (p) ctx.addIssue({ code: "custom", message: p });
    });

const awsRegion = z.string({ error: "must be an AWS region name, e.g. eu-central-1" })
    .refine((v) => (AWS_REGIONS as readonly string[]).includes(v), "must be an AWS region name, e.g. eu-central-1");
const timeZone = z.string({ error: "must be an IANA time zone, e.g. Europe/Dublin" })
    .refine(isIanaTimeZone, "must be an IANA time zone, e.g. Europe/Dublin");
const logRetention = z.number({ error: "must be a number of days CloudWatch Logs accepts" })
    .refine((v) => LOG_RETENTION_DAYS.includes(v), `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention values)`);

export const networkSchema = z.strictObject({
    cidr: checked((v) => {
        const c = parseCidr(v);
        if (!c) return "must be IPv4 CIDR notation with no host bits set, e.g. 10.40.0.0/16";
        if (c.prefix < 16 || c.prefix > 22) return "prefix must be /16../22 (VPC limit /16; every tier's subnets stay ≥ /28)";
        return isPrivateCidr(v) ? undefined : `must lie inside an RFC 1918 private range (${RFC1918_RANGES.join(", ")}): a VPC on public addresses cannot reach their owners and clashes with peering and VPNs`;
    }, "IPv4 CIDR"),
    availabilityZones: int(2, 6, "at least 2 for failover; 6 is the most subnets per tier this layout plans"),
    natGateways: oneOf(["one-per-az", "single"]),
    flowLogRetentionDays: logRetention,
});

export const databaseSchema = z.strictObject({
    engineVersion: text(/^(1[3-7])(\.\d+)?$/, "a PostgreSQL major (13..17) or major.minor RDS supports, e.g. \"16\""),
    instanceClass: text(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an RDS instance class like db.r6g.large"),
    allocatedStorageGb: int(20, 65536, "RDS PostgreSQL gp3 storage limits"),
    maxAllocatedStorageGb: int(20, 65536, "RDS storage autoscaling ceiling"),
    multiAz: bool(),
    readReplicas: int(0, 15, "RDS PostgreSQL allows up to 15 read replicas per source"),
    backupRetentionDays: int(0, 35, "RDS limit"),
    backupWindow: checked(backupWindowProblem, "hh24:mi-hh24:mi"),
    maintenanceWindow: checked(maintenanceWindowProblem, "ddd:hh24:mi-ddd:hh24:mi"),
    proxy: bool(),
    deletionProtection: bool(),
    iamAuthentication: bool(),
    performanceInsightsRetentionDays: z.number({ error: "must be a number of days" })
        .refine((v) => v === 7 || (Number.isInteger(v / 31) && v >= 31 && v <= 713) || v === 731,
            "must be 7, a multiple of 31 up to 713, or 731 (Performance Insights retention values)"),
    monitoringIntervalSeconds: z.number({ error: "must be a number" })
        .refine((v) => [0, 1, 5, 10, 15, 30, 60].includes(v), "must be one of 0, 1, 5, 10, 15, 30, 60 (RDS enhanced monitoring intervals)"),
});

export const redisSchema = z.strictObject({
    nodeType: checked(cacheNodeTypeProblem, "an ElastiCache node type like cache.r7g.large"),
    engineVersion: text(/^[67]\.\d+$/, "a Redis OSS / Valkey major.minor ElastiCache supports, e.g. \"7.1\""),
    replicas: int(1, 5, "Multi-AZ automatic failover needs at least 1 replica; a group holds up to 5"),
    snapshotRetentionDays: int(0, 35, "ElastiCache limit"),
    snapshotWindow: checked(backupWindowProblem, "hh24:mi-hh24:mi"),
});

export const memcachedSchema = z.strictObject({
    nodeType: checked(cacheNodeTypeProblem, "an ElastiCache node type like cache.r7g.large"),
    engineVersion: text(/^1\.6\.(1[2-9]|[2-9]\d)$/, "Memcached 1.6.12 or later (needed for in-transit encryption)"),
    nodes: int(1, 60, "ElastiCache Memcached nodes per cluster"),
});

export const backupSchema = z.strictObject({
    dailyRetentionDays: int(1, 36500, "AWS Backup lifecycle"),
    weeklyRetentionDays: int(1, 36500, "AWS Backup lifecycle"),
    monthlyRetentionDays: int(1, 36500, "AWS Backup lifecycle"),
    monthlyColdStorageAfterDays: int(1, 36500, "AWS Backup lifecycle").nullable(),
    copyToRegion: awsRegion,
    vaultLock: bool(),
    vaultLockMode: oneOf(["compliance", "governance"]),
    restoreTesting: bool(),
});

export const loadBalancersSchema = z.strictObject({
    domain: text(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS name like tickets.example.com").nullable(),
    hostedZoneId: text(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone id like Z0123456789ABC").nullable(),
    certificateArn: text(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, "an ACM certificate ARN").nullable(),
    orderRateLimitPer5Min: int(10, 2_000_000_000, "WAF rate-based rule limit per 5-minute window"),
    browseRateLimitPer5Min: int(10, 2_000_000_000, "WAF rate-based rule limit per 5-minute window"),
    healthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)], { error: "must be 10 or 30 (Route 53 health-check intervals)" }),
    healthCheckFailureThreshold: int(1, 10, "Route 53 health-check failure threshold"),
    accessLogRetentionDays: int(1, 3650, "days the access-log bucket keeps objects"),
});

const fargateCpu = z.number({ error: "must be Fargate CPU units" })
    .refine((v) => fargateMemoryOptions(v).length > 0, "must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units)");
const taskCount = int(1, 1000, "ECS tasks per service");

const serviceShape = {
    cpu: fargateCpu,
    memory: int(512, 122880, "Fargate memory MiB"),
    minTasks: taskCount,
    maxTasks: taskCount,
    targetCpuPercent: int(10, 90, "target-tracking CPU utilisation"),
    logRetentionDays: logRetention,
};

export const appSchema = z.strictObject({
    ...serviceShape,
    targetRequestsPerTask: int(1, 100000, "requests per task per minute, over both ALBs"),
    healthCheckGracePeriodSeconds: int(0, 2147483647, "ECS limit"),
});

export const workerSchema = z.strictObject({
    ...serviceShape,
    targetBacklogPerTask: int(1, 1000000, "unsent order confirmations per worker task"),
});

const capacity = { appMinTasks: taskCount.optional(), appMaxTasks: taskCount.optional(), workerMinTasks: taskCount.optional(), workerMaxTasks: taskCount.optional() };

export const scheduleSchema = z.strictObject({
    name: text(/^[A-Za-z0-9][A-Za-z0-9-]{0,40}$/, "letters, digits and dashes, at most 41 characters"),
    schedule: checked(scheduleExpressionProblem, "cron(...), rate(...) or at(...)"),
    timezone: timeZone,
    ...capacity,
});

const localDateTime = text(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, "a local date and time yyyy-mm-ddThh:mm:ss")
    .refine((v) => scheduleExpressionProblem(`at(${v})`) === undefined, "must be a real date and time");

export const onSaleSchema = z.strictObject({
    name: text(/^[A-Za-z0-9][A-Za-z0-9-]{0,30}$/, "letters, digits and dashes, at most 31 characters"),
    start: localDateTime,
    end: localDateTime,
    timezone: timeZone,
    leadMinutes: int(0, 1440, "minutes the floor is raised before the sale starts, for Fargate start-up"),
    ...capacity,
});

export const scalingSchema = z.strictObject({
    schedules: z.array(scheduleSchema, { error: "must be a list of schedules" }).max(50, "at most 50 schedules (keeps under the 200 scheduled actions per scalable target)"),
    onSale: onSaleSchema.nullable(),
});

export const alertsSchema = z.strictObject({
    email: text(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an e-mail address").nullable(),
});

export const platformSchema = z.strictObject({
    environment: oneOf(["prod", "staging"]),
    network: networkSchema,
    database: databaseSchema,
    redis: redisSchema,
    memcached: memcachedSchema,
    backup: backupSchema,
    loadBalancers: loadBalancersSchema,
    app: appSchema,
    worker: workerSchema,
    scaling: scalingSchema,
    alerts: alertsSchema,
});

export type PlatformConfig = z.infer<typeof platformSchema>;
export type Environment = PlatformConfig["environment"];
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type OnSaleConfig = z.infer<typeof onSaleSchema>;

/** The `boxoffice:*` keys there are; anything else under the namespace is a mistake. */
export const TOP_LEVEL_KEYS = Object.keys(platformSchema.shape) as (keyof PlatformConfig)[];
