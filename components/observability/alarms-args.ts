/** The `Alarms` component's arguments and their contract (schema, defaults): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { defineContract, field } from "../contract";
import type { Transform } from "../transform";

export const ALARMS_CONTRACT = defineContract({
    component: "Alarms",
    fields: {
        alertEmail: field.text(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an e-mail address").optional(),
        backupFailures: field.bool(),
        http5xxPercentAbove: field.checkedNumber(
            (v) => (v > 0 && v <= 100 ? undefined : "must be a percentage above 0"),
            "percent",
        ),
        p99LatencySecondsAbove: field.checkedNumber((v) => (v > 0 ? undefined : "must be positive"), "seconds"),
        cpuPercentAbove: field.int(1, 100, "CPU percent"),
    },
    defaults: { backupFailures: false, http5xxPercentAbove: 5, p99LatencySecondsAbove: 2, cpuPercentAbove: 80 },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface AlarmsTransform {
    /** The topics' keys (regional, and us-east-1 with health checks). */
    topicKey?: Transform<aws.kms.KeyArgs>;
    topic?: Transform<aws.sns.TopicArgs>;
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    /** The us-east-1 provider (Route 53 health-check metrics live there). */
    usEast1Provider?: Transform<aws.ProviderArgs>;
    /** Every alarm (`<name>-alb1-5xx-rate`, `<name>-db-writer-cpu`, …). */
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
    backupFailureRule?: Transform<aws.cloudwatch.EventRuleArgs>;
    backupFailureTarget?: Transform<aws.cloudwatch.EventTargetArgs>;
    topicPolicy?: Transform<aws.sns.TopicPolicyArgs>;
}

type In = pulumi.Input<string>;

export interface AlarmsArgs {
    /** E-mail subscribed to the alarm topics (AWS sends a confirmation mail first). @default undefined (no subscription) */
    alertEmail?: string;
    /** One entry per ALB, each with its app target group. @default [] */
    loadBalancers?: { arnSuffix: In; targetGroupArnSuffix: In }[];
    /** Database instances. @default undefined */
    database?: {
        writerIdentifier: In;
        replicaIdentifiers: In[];
        freeStorageBytesBelow?: number;
        connectionsAbove?: number;
    };
    /**
     * Memcached nodes (ids `0001`…): the count is plain because it decides how many alarms exist; connections above
     * `connectionsAbove` mean leaking or reconnect-storming clients. @default undefined
     */
    memcached?: { clusterId: In; nodeCount: number; connectionsAbove?: number };
    /** Send failed AWS Backup backup, copy and restore jobs of this account and region to the topic. @default false */
    backupFailures?: boolean;
    /** Redis nodes: the count is plain (replicas + 1) because it decides how many alarms exist. @default undefined */
    redis?: { memberClusterIds: pulumi.Input<string[]>; nodeCount: number };
    /** ECS services and the floor their running tasks must not fall below. @default [] */
    services?: { role: "app" | "worker"; clusterName: In; serviceName: In; minTasks: number }[];
    /**
     * Order confirmations: the worker's unsent-backlog metric (alarm when it has not reached 0 for `stuckMinutes`)
     * and, when SES sends, the account's SES bounce and complaint rates. @default undefined
     */
    mail?: {
        backlog: { namespace: string; metricName: string; dimensions: Record<string, In> };
        /** @default 15 */
        stuckMinutes?: number;
        sesReputation: boolean;
    };
    /** Route 53 health checks; their metrics exist only in us-east-1. @default [] */
    healthCheckIds?: In[];
    /**
     * A waiting room's published wait (seconds a visitor joining now can expect, Maximum over the publishers) and,
     * optionally, its line length: an alarm when the wait stays above the threshold, and a dashboard graph.
     * @default undefined (none)
     * @example { namespace: "Boxoffice", waitMetricName: "QueueWaitSeconds", lengthMetricName: "QueueLength", dimensions: { Stack: "prod" }, thresholdSeconds: 1800 }
     */
    queueWait?: {
        namespace: string;
        waitMetricName: string;
        lengthMetricName?: string;
        dimensions: Record<string, In>;
        thresholdSeconds: number;
    };
    /** Percent of an ALB's requests answered 5xx above which its alarm fires. @default 5 */
    http5xxPercentAbove?: number;
    /** Seconds of p99 target response time above which an ALB's latency alarm fires. @default 2 */
    p99LatencySecondsAbove?: number;
    /** CPU alarm threshold for database and cache nodes. @default 80 */
    cpuPercentAbove?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: AlarmsTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
