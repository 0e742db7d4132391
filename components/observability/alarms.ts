import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG, Tier } from "../tiers";
import { child } from "../transform";
import { ALARMS_CONTRACT, AlarmsArgs } from "./alarms-args";
import { backupFailureAlerts } from "./backup-events";
import { dashboardBody } from "./dashboard-body";
import { dataAlarms, loadBalancerAlarms, serviceAlarms, simple } from "./tier-alarms";

export { ALARMS_CONTRACT } from "./alarms-args";
export type { AlarmsArgs, AlarmsTransform } from "./alarms-args";

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
        const {
            http5xxPercentAbove: pct5xx,
            p99LatencySecondsAbove: p99,
            cpuPercentAbove: cpu,
            backupFailures,
        } = ALARMS_CONTRACT.resolve(name, args);
        const check = argChecker("Alarms", name);
        if (args.redis) check.intRange("redis.nodeCount", args.redis.nodeCount, 1, 6, "primary + up to 5 replicas");
        if (args.memcached) {
            check.intRange(
                "memcached.nodeCount",
                args.memcached.nodeCount,
                1,
                60,
                "ElastiCache Memcached nodes per cluster",
            );
            check.intRange(
                "memcached.connectionsAbove",
                args.memcached.connectionsAbove ?? 1000,
                1,
                65000,
                "connections per node",
            );
        }
        for (const s of args.services ?? [])
            check.intRange("services.minTasks", s.minTasks, 1, 1000, "ECS tasks per service");
        if (args.queueWait)
            check.intRange(
                "queueWait.thresholdSeconds",
                args.queueWait.thresholdSeconds,
                60,
                86400,
                "seconds of waiting",
            );
        if (args.mail)
            check.intRange(
                "mail.stuckMinutes",
                args.mail.stuckMinutes ?? 15,
                2,
                1440,
                "minutes the backlog may stay above 0",
            );
        super("boxoffice:observability:Alarms", name, {}, opts);
        const parent = { parent: this };
        const region = aws.getRegionOutput({}, parent).region;

        const t = args.transform ?? {};
        const topic = this.topic(name, "alarms", args);
        this.topicArn = topic.arn;
        if (backupFailures) {
            const account = aws.getCallerIdentityOutput({}, parent).accountId;
            backupFailureAlerts(
                this,
                name,
                topic,
                aws.getPartitionOutput({}, parent).partition,
                account,
                { ...(args.tags ?? {}) },
                t,
            );
        }
        const alarm = (
            role: string,
            tier: Tier | "dns",
            props: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">,
            topic = this.topicArn,
            provider?: aws.Provider,
        ) => {
            (this.alarmNames[tier] ??= []).push(`${name}-${role}`);
            const created = child(
                aws.cloudwatch.MetricAlarm,
                `${name}-${role}`,
                {
                    treatMissingData: "notBreaching",
                    ...props,
                    alarmActions: [topic],
                    okActions: [topic],
                    tags: {
                        ...args.tags,
                        [TIER_TAG]: tier === "dns" ? "load-balancer" : tier,
                        Name: `${name}-${role}`,
                    },
                },
                { parent: this, provider },
                t.alarm,
            );
            this.alarmArns[role] = created.arn;
            return created;
        };
        const userImpact = (created: aws.cloudwatch.MetricAlarm) => this.userImpactAlarmArns.push(created.arn);

        const thresholds = { pct5xx, p99, cpu };
        loadBalancerAlarms(args, alarm, thresholds, userImpact);
        dataAlarms(args, alarm, thresholds);
        serviceAlarms(args, alarm);

        const checks = args.healthCheckIds ?? [];
        if (checks.length > 0) {
            const useast1 = child(
                aws.Provider,
                `${name}-us-east-1`,
                { region: "us-east-1" },
                parent,
                t.usEast1Provider,
            );
            this.globalTopicArn = this.topic(name, "alarms-us-east-1", args, useast1).arn;
            checks.forEach((id, i) =>
                alarm(
                    `dns-health-check${i + 1}`,
                    "dns",
                    {
                        alarmDescription: `Route 53 health check ${i + 1} failing: DNS has failed over or will`,
                        ...simple(
                            "AWS/Route53",
                            "HealthCheckStatus",
                            { HealthCheckId: id },
                            "Minimum",
                            "LessThanThreshold",
                            1,
                            1,
                        ),
                    },
                    this.globalTopicArn,
                    useast1,
                ),
            );
        }

        const dashboard = child(
            aws.cloudwatch.Dashboard,
            `${name}-dashboard`,
            {
                dashboardName: name,
                dashboardBody: dashboardBody(region, args),
            },
            parent,
            t.dashboard,
        );
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
        const key = child(
            aws.kms.Key,
            `${name}-${role}-key`,
            {
                description: `${name}: ${role} topic`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags,
                policy: pulumi.all([account, partition]).apply(([acct, part]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "Account",
                                Effect: "Allow",
                                Principal: { AWS: `arn:${part}:iam::${acct}:root` },
                                Action: "kms:*",
                                Resource: "*",
                            },
                            {
                                Sid: "CloudWatchAlarms",
                                Effect: "Allow",
                                Principal: { Service: "cloudwatch.amazonaws.com" },
                                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                                Resource: "*",
                            },
                            // EventBridge delivers the AWS Backup failure events to the same topic.
                            {
                                Sid: "EventBridge",
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                                Resource: "*",
                            },
                        ],
                    }),
                ),
            },
            opts,
            t.topicKey,
        );
        const topic = child(aws.sns.Topic, `${name}-${role}`, { kmsMasterKeyId: key.arn, tags }, opts, t.topic);
        if (args.alertEmail) {
            child(
                aws.sns.TopicSubscription,
                `${name}-${role}-email`,
                { topic: topic.arn, protocol: "email", endpoint: args.alertEmail },
                opts,
                t.subscription,
            );
        }
        return topic;
    }
}
