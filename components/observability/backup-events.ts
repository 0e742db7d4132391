/**
 * Failed AWS Backup jobs reach the alert topic through EventBridge. AWS Backup emits a state-change event for
 * every backup, copy and restore job (best effort, within about 5 minutes); its SNS notification API knows no
 * copy-job states and cannot filter out successes, so a rule on EventBridge is what sees a failed cross-region
 * copy (AWS Backup Developer Guide, "Monitoring AWS Backup events using Amazon EventBridge").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { child } from "../transform";
import type { AlarmsTransform } from "./alarms";

/**
 * Backup jobs that did not produce a recovery point (FAILED, ABORTED, EXPIRED: not started within the start
 * window, PARTIAL), failed or partial copies, and failed restores (the weekly restore test). Restore-job events
 * report `status` rather than `state`, so both spellings are matched.
 */
export const BACKUP_FAILURE_PATTERN = {
    source: ["aws.backup"],
    $or: [
        { "detail-type": ["Backup Job State Change"], detail: { state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] } },
        { "detail-type": ["Copy Job State Change"], detail: { state: ["FAILED", "PARTIAL"] } },
        { "detail-type": ["Restore Job State Change"], detail: { status: ["FAILED"] } },
        { "detail-type": ["Restore Job State Change"], detail: { state: ["FAILED"] } },
    ],
};

/**
 * The rule, its target (the topic) and the topic's policy: AWS's default statement for the account plus
 * `sns:Publish` for EventBridge, only from this rule. The topic's KMS key must also let EventBridge use it.
 */
export function backupFailureAlerts(
    parent: pulumi.Resource,
    name: string,
    topic: aws.sns.Topic,
    partition: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
    tags: Record<string, string>,
    t: AlarmsTransform = {},
): aws.cloudwatch.EventRule {
    const opts = { parent };
    const rule = child(
        aws.cloudwatch.EventRule,
        `${name}-backup-failures`,
        {
            description: `${name}: failed AWS Backup backup, copy and restore jobs in this account and region`,
            eventPattern: JSON.stringify(BACKUP_FAILURE_PATTERN),
            tags: { ...tags, Name: `${name}-backup-failures` },
        },
        opts,
        t.backupFailureRule,
    );
    const policy = child(
        aws.sns.TopicPolicy,
        `${name}-alarms-policy`,
        {
            arn: topic.arn,
            policy: pulumi
                .all([topic.arn, rule.arn, partition, accountId])
                .apply(([topicArn, ruleArn, part, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                // The statement SNS gives every new topic; a topic policy replaces it, so it is restated.
                                Sid: "AccountOwner",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: [
                                    "SNS:GetTopicAttributes",
                                    "SNS:SetTopicAttributes",
                                    "SNS:AddPermission",
                                    "SNS:RemovePermission",
                                    "SNS:DeleteTopic",
                                    "SNS:Subscribe",
                                    "SNS:ListSubscriptionsByTopic",
                                    "SNS:Publish",
                                ],
                                Resource: topicArn,
                                Condition: { StringEquals: { "AWS:SourceOwner": account } },
                            },
                            {
                                Sid: "CloudWatchAlarms",
                                Effect: "Allow",
                                Principal: { Service: "cloudwatch.amazonaws.com" },
                                Action: "sns:Publish",
                                Resource: topicArn,
                                Condition: {
                                    ArnLike: { "aws:SourceArn": `arn:${part}:cloudwatch:*:${account}:alarm:*` },
                                },
                            },
                            {
                                Sid: "BackupFailureEvents",
                                Effect: "Allow",
                                Principal: { Service: "events.amazonaws.com" },
                                Action: "sns:Publish",
                                Resource: topicArn,
                                Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
                            },
                        ],
                    }),
                ),
        },
        opts,
        t.topicPolicy,
    );
    child(
        aws.cloudwatch.EventTarget,
        `${name}-backup-failures-to-topic`,
        { rule: rule.name, arn: topic.arn },
        { parent, dependsOn: [policy] },
        t.backupFailureTarget,
    );
    return rule;
}
