import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { defineContract, field } from "../contract";
import { TIER_TAG, Tier } from "../tiers";
import { child, Transform } from "../transform";
import { backupFailureAlerts } from "./backup-events";
import { dashboardBody } from "./dashboard-body";

export const ALARMS_CONTRACT = defineContract({
    component: "Alarms",
    fields: {
        alertEmail: field.text(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an e-mail address").optional(),
        backupFailures: field.bool(),
        http5xxPercentAbove: field.checkedNumber((v) => (v > 0 && v <= 100 ? undefined : "must be a percentage above 0"), "percent"),
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
    database?: { writerIdentifier: In; replicaIdentifiers: In[]; freeStorageBytesBelow?: number; connectionsAbove?: number };
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
    queueWait?: { namespace: string; waitMetricName: string; lengthMetricName?: string; dimensions: Record<string, In>; thresholdSeconds: number };
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

/**
 * Alarms for every tier, an SNS topic for them (KMS-encrypted with a key CloudWatch and EventBridge may use —
 * alarms cannot publish to topics under the AWS managed SNS key), failed AWS Backup jobs routed to the same topic,
 * an optional e-mail subscription and a dashboard.
 *
 * Route 53 publishes health-check metrics only in us-east-1, and an alarm can only notify a topic in its own
 * region, so those alarms and a second topic (same subscription) live in us-east-1 via an explicit provider.
 * Cost: per alarm-month (a few dozen here), the dashboard, two topics and two KMS keys.
 */
export class Alarms extends pulumi.ComponentResource {
    /** The regional SNS topic every regional alarm notifies (subscribe on-call here). */
    readonly topicArn: pulumi.Output<string>;
    /** The us-east-1 topic for Route 53 alarms (undefined without health checks). */
    readonly globalTopicArn?: pulumi.Output<string>;
    /** The CloudWatch dashboard's name. */
    readonly dashboardName: pulumi.Output<string>;
    /** The console URL of the dashboard. */
    readonly dashboardUrl: pulumi.Output<string>;
    /** Alarm logical names, by tier. */
    readonly alarmNames: Partial<Record<Tier | "dns", string[]>> = {};
    /** Alarm ARNs by role (`alb1-5xx-rate`, `db-writer-cpu`, …). */
    readonly alarmArns: Record<string, pulumi.Output<string>> = {};
    /**
     * The regional alarms that mean users are hurting, for stop conditions (AWS FIS allows 5 per template): each
     * ALB's 5xx rate and "no healthy targets", and the serving (primary) ALB's p99 latency. None of them is an
     * expected effect of a single failover drill, unlike the task floor, unhealthy targets (> 0), replica lag or
     * connection counts, which a drill trips by design. The Route 53 alarms live in us-east-1, not here.
     */
    readonly userImpactAlarmArns: pulumi.Output<string>[] = [];

    /** The raw regional topic and dashboard. */
    readonly resources: { topic: aws.sns.Topic; dashboard: aws.cloudwatch.Dashboard };

    constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        const { http5xxPercentAbove: pct5xx, p99LatencySecondsAbove: p99, cpuPercentAbove: cpu, backupFailures } = ALARMS_CONTRACT.resolve(name, args);
        const check = argChecker("Alarms", name);
        if (args.redis) check.intRange("redis.nodeCount", args.redis.nodeCount, 1, 6, "primary + up to 5 replicas");
        if (args.memcached) {
            check.intRange("memcached.nodeCount", args.memcached.nodeCount, 1, 60, "ElastiCache Memcached nodes per cluster");
            check.intRange("memcached.connectionsAbove", args.memcached.connectionsAbove ?? 1000, 1, 65000, "connections per node");
        }
        for (const s of args.services ?? []) check.intRange("services.minTasks", s.minTasks, 1, 1000, "ECS tasks per service");
        if (args.queueWait) check.intRange("queueWait.thresholdSeconds", args.queueWait.thresholdSeconds, 60, 86400, "seconds of waiting");
        if (args.mail) check.intRange("mail.stuckMinutes", args.mail.stuckMinutes ?? 15, 2, 1440, "minutes the backlog may stay above 0");
        super("boxoffice:observability:Alarms", name, {}, opts);
        const parent = { parent: this };
        const region = aws.getRegionOutput({}, parent).region;

        const t = args.transform ?? {};
        const topic = this.topic(name, "alarms", args);
        this.topicArn = topic.arn;
        if (backupFailures) {
            const account = aws.getCallerIdentityOutput({}, parent).accountId;
            backupFailureAlerts(this, name, topic, aws.getPartitionOutput({}, parent).partition, account, { ...args.tags ?? {} }, t);
        }
        const alarm = (role: string, tier: Tier | "dns", props: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">, topic = this.topicArn, provider?: aws.Provider) => {
            (this.alarmNames[tier] ??= []).push(`${name}-${role}`);
            const created = child(aws.cloudwatch.MetricAlarm, `${name}-${role}`, {
                treatMissingData: "notBreaching", ...props,
                alarmActions: [topic], okActions: [topic],
                tags: { ...args.tags, [TIER_TAG]: tier === "dns" ? "load-balancer" : tier, Name: `${name}-${role}` },
            }, { parent: this, provider }, t.alarm);
            this.alarmArns[role] = created.arn;
            return created;
        };
        const userImpact = (created: aws.cloudwatch.MetricAlarm) => this.userImpactAlarmArns.push(created.arn);
        const simple = (namespace: string, metricName: string, dimensions: Record<string, In>, statistic: string, op: string, threshold: number, periods = 3) =>
            ({ namespace, metricName, dimensions, statistic, comparisonOperator: op, threshold, period: 60, evaluationPeriods: periods, datapointsToAlarm: periods });

        (args.loadBalancers ?? []).forEach((lb, i) => {
            const n = i + 1;
            const stat = (id: string, metric: string) => ({ id, metric: { namespace: "AWS/ApplicationELB", metricName: metric, dimensions: { LoadBalancer: lb.arnSuffix }, stat: "Sum", period: 60 } });
            userImpact(alarm(`alb${n}-5xx-rate`, "load-balancer", {
                alarmDescription: `More than ${pct5xx} % of requests on ALB ${n} answered 5xx`,
                comparisonOperator: "GreaterThanThreshold", threshold: pct5xx, evaluationPeriods: 3, datapointsToAlarm: 3,
                metricQueries: [stat("elb", "HTTPCode_ELB_5XX_Count"), stat("target", "HTTPCode_Target_5XX_Count"), stat("requests", "RequestCount"),
                    { id: "rate", label: "5xx %", returnData: true, expression: "100 * (FILL(elb, 0) + FILL(target, 0)) / requests" }],
            }));
            alarm(`alb${n}-unhealthy-targets`, "load-balancer", {
                alarmDescription: `Unhealthy app targets behind ALB ${n}`,
                ...simple("AWS/ApplicationELB", "UnHealthyHostCount", { LoadBalancer: lb.arnSuffix, TargetGroup: lb.targetGroupArnSuffix }, "Maximum", "GreaterThanThreshold", 0),
            });
            // None healthy means the ALB fails open onto failing tasks. Missing data stays not breaching: ELB
            // publishes metrics only while requests flow, and a standby ALB without traffic must not alarm.
            userImpact(alarm(`alb${n}-no-healthy-targets`, "load-balancer", {
                alarmDescription: `No healthy app target behind ALB ${n}`,
                ...simple("AWS/ApplicationELB", "HealthyHostCount", { LoadBalancer: lb.arnSuffix, TargetGroup: lb.targetGroupArnSuffix }, "Minimum", "LessThanThreshold", 1, 2),
            }));
            const latency = alarm(`alb${n}-p99-latency`, "load-balancer", {
                alarmDescription: `p99 response time on ALB ${n} above ${p99} s`,
                ...simple("AWS/ApplicationELB", "TargetResponseTime", { LoadBalancer: lb.arnSuffix }, "Average", "GreaterThanThreshold", p99, 5),
                statistic: undefined, extendedStatistic: "p99",
            });
            if (i === 0) userImpact(latency);
        });

        if (args.database) {
            const db = args.database;
            const instances: [string, In][] = [["writer", db.writerIdentifier], ...db.replicaIdentifiers.map((r, i): [string, In] => [`replica${i + 1}`, r])];
            for (const [role, id] of instances) {
                const dims = { DBInstanceIdentifier: id };
                alarm(`db-${role}-cpu`, "database", { alarmDescription: `Database ${role} CPU above ${cpu} %`, ...simple("AWS/RDS", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5) });
                alarm(`db-${role}-free-storage`, "database", {
                    alarmDescription: `Database ${role} free storage low (autoscaling may be at its ceiling)`,
                    ...simple("AWS/RDS", "FreeStorageSpace", dims, "Minimum", "LessThanThreshold", db.freeStorageBytesBelow ?? 10 * 1024 ** 3),
                });
                alarm(`db-${role}-connections`, "database", {
                    alarmDescription: `Database ${role} connections high`,
                    ...simple("AWS/RDS", "DatabaseConnections", dims, "Maximum", "GreaterThanThreshold", db.connectionsAbove ?? 400),
                });
                if (role !== "writer") {
                    alarm(`db-${role}-lag`, "database", { alarmDescription: `Replica ${role} more than 60 s behind`, ...simple("AWS/RDS", "ReplicaLag", dims, "Maximum", "GreaterThanThreshold", 60) });
                }
            }
        }

        if (args.redis) {
            const ids = pulumi.output(args.redis.memberClusterIds);
            for (let i = 0; i < args.redis.nodeCount; i++) {
                const dims = { CacheClusterId: ids.apply((all) => all[i]) };
                const node = `redis${i + 1}`;
                alarm(`${node}-cpu`, "cache", { alarmDescription: `Redis node ${i + 1} host CPU above ${cpu} %`, ...simple("AWS/ElastiCache", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5) });
                alarm(`${node}-engine-cpu`, "cache", { alarmDescription: `Redis node ${i + 1} engine thread above ${cpu} %`, ...simple("AWS/ElastiCache", "EngineCPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5) });
                // Redis holds reservations and idempotency keys: an eviction loses state, not just a cache entry.
                alarm(`${node}-evictions`, "cache", { alarmDescription: `Redis node ${i + 1} evicting keys`, ...simple("AWS/ElastiCache", "Evictions", dims, "Sum", "GreaterThanThreshold", 0, 1) });
                // Only replicas report lag; the primary's missing data is not breaching.
                alarm(`${node}-replication-lag`, "cache", { alarmDescription: `Redis node ${i + 1} replication lag above 5 s`, ...simple("AWS/ElastiCache", "ReplicationLag", dims, "Maximum", "GreaterThanThreshold", 5) });
            }
        }

        if (args.memcached) {
            const mc = args.memcached;
            for (let i = 0; i < mc.nodeCount; i++) {
                // Node-level metrics carry the cluster and the node id, which ElastiCache numbers 0001, 0002, …
                const dims = { CacheClusterId: mc.clusterId, CacheNodeId: String(i + 1).padStart(4, "0") };
                const node = `memcached${i + 1}`;
                alarm(`${node}-cpu`, "cache", { alarmDescription: `Memcached node ${i + 1} CPU above ${cpu} %`, ...simple("AWS/ElastiCache", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5) });
                // Evicting for five minutes running: the working set no longer fits, and every eviction is a miss the database answers.
                alarm(`${node}-evictions`, "cache", { alarmDescription: `Memcached node ${i + 1} evicting for 5 minutes: too small for the working set`, ...simple("AWS/ElastiCache", "Evictions", dims, "Sum", "GreaterThanThreshold", 0, 5) });
                alarm(`${node}-connections`, "cache", {
                    alarmDescription: `Memcached node ${i + 1} above ${mc.connectionsAbove ?? 1000} connections: clients leak or reconnect in a storm`,
                    ...simple("AWS/ElastiCache", "CurrConnections", dims, "Maximum", "GreaterThanThreshold", mc.connectionsAbove ?? 1000),
                });
                // ElastiCache's guidance for Memcached: swap above 50 MB means memory is short (raise the node size or memcached_connections_overhead).
                alarm(`${node}-swap`, "cache", { alarmDescription: `Memcached node ${i + 1} swapping more than 50 MB`, ...simple("AWS/ElastiCache", "SwapUsage", dims, "Maximum", "GreaterThanThreshold", 50 * 1024 * 1024, 5) });
            }
        }

        for (const s of args.services ?? []) {
            alarm(`${s.role}-running-tasks`, s.role, {
                alarmDescription: `${s.role} runs fewer than ${s.minTasks} tasks (its floor)`,
                ...simple("ECS/ContainerInsights", "RunningTaskCount", { ClusterName: s.clusterName, ServiceName: s.serviceName }, "Minimum", "LessThanThreshold", s.minTasks),
                // No data means no tasks report at all: that is the outage this alarm exists for.
                treatMissingData: "breaching",
            });
        }

        if (args.queueWait) {
            const q = args.queueWait;
            // The buyers' experience: a line that keeps growing means the inlet or the fleet needs raising. Missing data
            // is no room open, not a problem.
            alarm("queue-wait", "app", {
                alarmDescription: `Waiting-room visitors joining now would wait more than ${q.thresholdSeconds} s`,
                ...simple(q.namespace, q.waitMetricName, q.dimensions, "Maximum", "GreaterThanThreshold", q.thresholdSeconds),
            });
        }

        if (args.mail) {
            const m = args.mail;
            const minutes = m.stuckMinutes ?? 15;
            // A failed send leaves the confirmation in the outbox, whatever the cause (SES refusing: sandbox, identity
            // not verified yet, throttling, a missing permission), so a backlog that never drains is the app's own
            // measure of failed sends. A healthy worker empties it between waves; during a surge it may lag a little.
            alarm("mail-backlog-stuck", "worker", {
                alarmDescription: `Order confirmations have waited ${minutes} minutes without the outbox ever emptying: sends are failing or the worker cannot keep up`,
                ...simple(m.backlog.namespace, m.backlog.metricName, m.backlog.dimensions, "Minimum", "GreaterThanThreshold", 0, minutes),
            });
            if (m.sesReputation) {
                // Account-wide rates SES publishes itself (0..1). SES reviews an account at a 5 % bounce or 0.1 %
                // complaint rate and may pause sending beyond; these fire at half of that, while there is time to act.
                const rate = (metric: string, threshold: number, what: string) => alarm(`ses-${what}-rate`, "worker", {
                    alarmDescription: `SES ${what} rate above ${threshold * 100} %: SES reviews the account at twice that and may pause sending`,
                    namespace: "AWS/SES", metricName: metric, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold,
                    period: 900, evaluationPeriods: 1, datapointsToAlarm: 1,
                });
                rate("Reputation.BounceRate", 0.025, "bounce");
                rate("Reputation.ComplaintRate", 0.0005, "complaint");
            }
        }

        const checks = args.healthCheckIds ?? [];
        if (checks.length > 0) {
            const useast1 = child(aws.Provider, `${name}-us-east-1`, { region: "us-east-1" }, parent, t.usEast1Provider);
            this.globalTopicArn = this.topic(name, "alarms-us-east-1", args, useast1).arn;
            checks.forEach((id, i) => alarm(`dns-health-check${i + 1}`, "dns", {
                alarmDescription: `Route 53 health check ${i + 1} failing: DNS has failed over or will`,
                ...simple("AWS/Route53", "HealthCheckStatus", { HealthCheckId: id }, "Minimum", "LessThanThreshold", 1, 1),
            }, this.globalTopicArn, useast1));
        }

        const dashboard = child(aws.cloudwatch.Dashboard, `${name}-dashboard`, {
            dashboardName: name,
            dashboardBody: dashboardBody(region, args),
        }, parent, t.dashboard);
        this.resources = { topic, dashboard };
        this.dashboardName = dashboard.dashboardName;
        this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${dashboard.dashboardName}`;
        this.registerOutputs({ topicArn: this.topicArn, dashboardUrl: this.dashboardUrl });
    }

    /** A KMS-encrypted topic whose key lets CloudWatch publish, plus the optional e-mail subscription. */
    private topic(name: string, role: string, args: AlarmsArgs, provider?: aws.Provider): aws.sns.Topic {
        const opts = { parent: this, provider };
        const tags = { ...args.tags, Name: `${name}-${role}` };
        const account = aws.getCallerIdentityOutput({}, opts).accountId;
        // The account root's ARN carries the partition (aws-cn, aws-us-gov): a literal `arn:aws:` is refused there.
        const partition = aws.getPartitionOutput({}, { parent: this, provider }).partition;
        const t = args.transform ?? {};
        const key = child(aws.kms.Key, `${name}-${role}-key`, {
            description: `${name}: ${role} topic`, enableKeyRotation: true, deletionWindowInDays: 30, tags,
            policy: pulumi.all([account, partition]).apply(([acct, part]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${acct}:root` }, Action: "kms:*", Resource: "*" },
                    { Sid: "CloudWatchAlarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
                    // EventBridge delivers the AWS Backup failure events to the same topic.
                    { Sid: "EventBridge", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
                ],
            })),
        }, opts, t.topicKey);
        const topic = child(aws.sns.Topic, `${name}-${role}`, { kmsMasterKeyId: key.arn, tags }, opts, t.topic);
        if (args.alertEmail) {
            child(aws.sns.TopicSubscription, `${name}-${role}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, opts, t.subscription);
        }
        return topic;
    }
}
