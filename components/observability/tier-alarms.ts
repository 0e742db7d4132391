/**
 * The alarms of each tier, in the order the component creates them (the plan lists resources in that order).
 * Each takes the component's `alarm` maker, which names, tags and wires the alarm to the topic.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../tiers";
import type { AlarmsArgs } from "./alarms-args";

type In = pulumi.Input<string>;

/** Creates one alarm on the regional topic, recorded under its role and tier. */
export type AlarmMaker = (
    role: string,
    tier: Tier | "dns",
    props: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">,
) => aws.cloudwatch.MetricAlarm;

/** The thresholds of the contract, resolved. */
export interface Thresholds {
    pct5xx: number;
    p99: number;
    cpu: number;
}

/** A one-metric alarm over 60 s periods that fires after `periods` breaching periods in a row. */
export const simple = (
    namespace: string,
    metricName: string,
    dimensions: Record<string, In>,
    statistic: string,
    op: string,
    threshold: number,
    periods = 3,
) => ({
    namespace,
    metricName,
    dimensions,
    statistic,
    comparisonOperator: op,
    threshold,
    period: 60,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
});

/** Per ALB: 5xx rate, unhealthy and no healthy targets, p99 latency; `userImpact` collects the FIS stop conditions. */
export function loadBalancerAlarms(
    args: AlarmsArgs,
    alarm: AlarmMaker,
    { pct5xx, p99 }: Thresholds,
    userImpact: (a: aws.cloudwatch.MetricAlarm) => void,
): void {
    (args.loadBalancers ?? []).forEach((lb, i) => {
        const n = i + 1;
        const stat = (id: string, metric: string) => ({
            id,
            metric: {
                namespace: "AWS/ApplicationELB",
                metricName: metric,
                dimensions: { LoadBalancer: lb.arnSuffix },
                stat: "Sum",
                period: 60,
            },
        });
        userImpact(
            alarm(`alb${n}-5xx-rate`, "load-balancer", {
                alarmDescription: `More than ${pct5xx} % of requests on ALB ${n} answered 5xx`,
                comparisonOperator: "GreaterThanThreshold",
                threshold: pct5xx,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                metricQueries: [
                    stat("elb", "HTTPCode_ELB_5XX_Count"),
                    stat("target", "HTTPCode_Target_5XX_Count"),
                    stat("requests", "RequestCount"),
                    {
                        id: "rate",
                        label: "5xx %",
                        returnData: true,
                        expression: "100 * (FILL(elb, 0) + FILL(target, 0)) / requests",
                    },
                ],
            }),
        );
        alarm(`alb${n}-unhealthy-targets`, "load-balancer", {
            alarmDescription: `Unhealthy app targets behind ALB ${n}`,
            ...simple(
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                { LoadBalancer: lb.arnSuffix, TargetGroup: lb.targetGroupArnSuffix },
                "Maximum",
                "GreaterThanThreshold",
                0,
            ),
        });
        // None healthy means the ALB fails open onto failing tasks. Missing data stays not breaching: ELB
        // publishes metrics only while requests flow, and a standby ALB without traffic must not alarm.
        userImpact(
            alarm(`alb${n}-no-healthy-targets`, "load-balancer", {
                alarmDescription: `No healthy app target behind ALB ${n}`,
                ...simple(
                    "AWS/ApplicationELB",
                    "HealthyHostCount",
                    { LoadBalancer: lb.arnSuffix, TargetGroup: lb.targetGroupArnSuffix },
                    "Minimum",
                    "LessThanThreshold",
                    1,
                    2,
                ),
            }),
        );
        const latency = alarm(`alb${n}-p99-latency`, "load-balancer", {
            alarmDescription: `p99 response time on ALB ${n} above ${p99} s`,
            ...simple(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                { LoadBalancer: lb.arnSuffix },
                "Average",
                "GreaterThanThreshold",
                p99,
                5,
            ),
            statistic: undefined,
            extendedStatistic: "p99",
        });
        if (i === 0) userImpact(latency);
    });
}

/** Per RDS instance, Redis node and Memcached node: load, storage or memory, connections and lag. */
export function dataAlarms(args: AlarmsArgs, alarm: AlarmMaker, { cpu }: Thresholds): void {
    if (args.database) {
        const db = args.database;
        const instances: [string, In][] = [
            ["writer", db.writerIdentifier],
            ...db.replicaIdentifiers.map((r, i): [string, In] => [`replica${i + 1}`, r]),
        ];
        for (const [role, id] of instances) {
            const dims = { DBInstanceIdentifier: id };
            alarm(`db-${role}-cpu`, "database", {
                alarmDescription: `Database ${role} CPU above ${cpu} %`,
                ...simple("AWS/RDS", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5),
            });
            alarm(`db-${role}-free-storage`, "database", {
                alarmDescription: `Database ${role} free storage low (autoscaling may be at its ceiling)`,
                ...simple(
                    "AWS/RDS",
                    "FreeStorageSpace",
                    dims,
                    "Minimum",
                    "LessThanThreshold",
                    db.freeStorageBytesBelow ?? 10 * 1024 ** 3,
                ),
            });
            alarm(`db-${role}-connections`, "database", {
                alarmDescription: `Database ${role} connections high`,
                ...simple(
                    "AWS/RDS",
                    "DatabaseConnections",
                    dims,
                    "Maximum",
                    "GreaterThanThreshold",
                    db.connectionsAbove ?? 400,
                ),
            });
            if (role !== "writer") {
                alarm(`db-${role}-lag`, "database", {
                    alarmDescription: `Replica ${role} more than 60 s behind`,
                    ...simple("AWS/RDS", "ReplicaLag", dims, "Maximum", "GreaterThanThreshold", 60),
                });
            }
        }
    }

    if (args.redis) {
        const ids = pulumi.output(args.redis.memberClusterIds);
        for (let i = 0; i < args.redis.nodeCount; i++) {
            const dims = { CacheClusterId: ids.apply((all) => all[i]) };
            const node = `redis${i + 1}`;
            alarm(`${node}-cpu`, "cache", {
                alarmDescription: `Redis node ${i + 1} host CPU above ${cpu} %`,
                ...simple("AWS/ElastiCache", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5),
            });
            alarm(`${node}-engine-cpu`, "cache", {
                alarmDescription: `Redis node ${i + 1} engine thread above ${cpu} %`,
                ...simple("AWS/ElastiCache", "EngineCPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5),
            });
            // Redis holds reservations and idempotency keys: an eviction loses state, not just a cache entry.
            alarm(`${node}-evictions`, "cache", {
                alarmDescription: `Redis node ${i + 1} evicting keys`,
                ...simple("AWS/ElastiCache", "Evictions", dims, "Sum", "GreaterThanThreshold", 0, 1),
            });
            // Only replicas report lag; the primary's missing data is not breaching.
            alarm(`${node}-replication-lag`, "cache", {
                alarmDescription: `Redis node ${i + 1} replication lag above 5 s`,
                ...simple("AWS/ElastiCache", "ReplicationLag", dims, "Maximum", "GreaterThanThreshold", 5),
            });
        }
    }

    if (args.memcached) {
        const mc = args.memcached;
        for (let i = 0; i < mc.nodeCount; i++) {
            // Node-level metrics carry the cluster and the node id, which ElastiCache numbers 0001, 0002, …
            const dims = { CacheClusterId: mc.clusterId, CacheNodeId: String(i + 1).padStart(4, "0") };
            const node = `memcached${i + 1}`;
            alarm(`${node}-cpu`, "cache", {
                alarmDescription: `Memcached node ${i + 1} CPU above ${cpu} %`,
                ...simple("AWS/ElastiCache", "CPUUtilization", dims, "Average", "GreaterThanThreshold", cpu, 5),
            });
            // Evicting for five minutes running: the working set no longer fits, and every eviction is a miss the database answers.
            alarm(`${node}-evictions`, "cache", {
                alarmDescription: `Memcached node ${i + 1} evicting for 5 minutes: too small for the working set`,
                ...simple("AWS/ElastiCache", "Evictions", dims, "Sum", "GreaterThanThreshold", 0, 5),
            });
            alarm(`${node}-connections`, "cache", {
                alarmDescription: `Memcached node ${i + 1} above ${mc.connectionsAbove ?? 1000} connections: clients leak or reconnect in a storm`,
                ...simple(
                    "AWS/ElastiCache",
                    "CurrConnections",
                    dims,
                    "Maximum",
                    "GreaterThanThreshold",
                    mc.connectionsAbove ?? 1000,
                ),
            });
            // ElastiCache's guidance for Memcached: swap above 50 MB means memory is short (raise the node size or memcached_connections_overhead).
            alarm(`${node}-swap`, "cache", {
                alarmDescription: `Memcached node ${i + 1} swapping more than 50 MB`,
                ...simple("AWS/ElastiCache", "SwapUsage", dims, "Maximum", "GreaterThanThreshold", 50 * 1024 * 1024, 5),
            });
        }
    }
}

/** The services' task floors, the waiting room's wait and the order-mail backlog and SES reputation. */
export function serviceAlarms(args: AlarmsArgs, alarm: AlarmMaker): void {
    for (const s of args.services ?? []) {
        alarm(`${s.role}-running-tasks`, s.role, {
            alarmDescription: `${s.role} runs fewer than ${s.minTasks} tasks (its floor)`,
            ...simple(
                "ECS/ContainerInsights",
                "RunningTaskCount",
                { ClusterName: s.clusterName, ServiceName: s.serviceName },
                "Minimum",
                "LessThanThreshold",
                s.minTasks,
            ),
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
            ...simple(
                q.namespace,
                q.waitMetricName,
                q.dimensions,
                "Maximum",
                "GreaterThanThreshold",
                q.thresholdSeconds,
            ),
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
            ...simple(
                m.backlog.namespace,
                m.backlog.metricName,
                m.backlog.dimensions,
                "Minimum",
                "GreaterThanThreshold",
                0,
                minutes,
            ),
        });
        if (m.sesReputation) {
            // Account-wide rates SES publishes itself (0..1). SES reviews an account at a 5 % bounce or 0.1 %
            // complaint rate and may pause sending beyond; these fire at half of that, while there is time to act.
            const rate = (metric: string, threshold: number, what: string) =>
                alarm(`ses-${what}-rate`, "worker", {
                    alarmDescription: `SES ${what} rate above ${threshold * 100} %: SES reviews the account at twice that and may pause sending`,
                    namespace: "AWS/SES",
                    metricName: metric,
                    statistic: "Maximum",
                    comparisonOperator: "GreaterThanThreshold",
                    threshold,
                    period: 900,
                    evaluationPeriods: 1,
                    datapointsToAlarm: 1,
                });
            rate("Reputation.BounceRate", 0.025, "bounce");
            rate("Reputation.ComplaintRate", 0.0005, "complaint");
        }
    }
}
