/**
 * The ticket service's waiting room in the platform: its settings as the app's WAITING_ROOM_* variables, the
 * alarms whose ALARM state holds admissions (the app reads them with DescribeAlarms), and the queue metrics it
 * publishes for the queue-wait alarm and the dashboard.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { TaskPolicyStatement } from "@boxoffice/components";
import type { PlatformConfig } from "./config/schema";

/** CloudWatch metrics the app publishes every minute (app/src/waiting-room/metrics.ts), dimension Stack. */
export const QUEUE_WAIT_METRIC = "QueueWaitSeconds";
export const QUEUE_LENGTH_METRIC = "QueueLength";

/**
 * Alarm roles (see components/observability/alarms.ts) that mean "the platform cannot take more buyers now":
 * the load balancers answering 5xx or slowly, the database writer saturated. Unhealthy targets are left out:
 * a deployment replaces tasks and must not stop an on-sale.
 */
const PAUSE_ALARM_ROLES = [
    "alb1-5xx-rate",
    "alb2-5xx-rate",
    "alb1-p99-latency",
    "alb2-p99-latency",
    "db-writer-cpu",
    "db-writer-connections",
];

/**
 * Name prefixes of those alarms. Pulumi auto-names a resource `<logical name>-<7 random characters>`, and the
 * Alarms component names each alarm `<stack>-<role>`, so the prefix `<stack>-<role>-` matches exactly one.
 */
export function pauseAlarmPrefixes(stack: string): string[] {
    return PAUSE_ALARM_ROLES.map((role) => `${stack}-${role}-`);
}

/**
 * Lets the app read exactly those alarms. DescribeAlarms takes alarm ARNs as resources (Service Authorization
 * Reference, "Actions, resources, and condition keys for Amazon CloudWatch":
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
 */
export function pauseAlarmReadStatement(stack: string): TaskPolicyStatement {
    const partition = aws.getPartitionOutput({}).partition;
    const region = aws.getRegionOutput({}).region;
    const account = aws.getCallerIdentityOutput({}).accountId;
    return {
        actions: ["cloudwatch:DescribeAlarms"],
        resources: pauseAlarmPrefixes(stack).map(
            (prefix) => pulumi.interpolate`arn:${partition}:cloudwatch:${region}:${account}:alarm:${prefix}*`,
        ),
    };
}

export function waitingRoomEnvironment(
    stack: string,
    config: PlatformConfig,
    metricNamespace: string,
): Record<string, string> {
    const room = config.waitingRoom;
    return {
        WAITING_ROOM_TOKEN_TTL_SECONDS: String(room.tokenTtlSeconds),
        WAITING_ROOM_COLLECT_SECONDS: String(room.collectSeconds),
        WAITING_ROOM_PAUSE_ERROR_PERCENT: String(room.pauseErrorPercent),
        WAITING_ROOM_METRIC_NAMESPACE: metricNamespace,
        ...(room.pauseOnAlarms ? { WAITING_ROOM_PAUSE_ALARM_PREFIXES: pauseAlarmPrefixes(stack).join(",") } : {}),
    };
}
