/** Violating mutations of the baseline: stack-level rules, S3 and DynamoDB. */
import { TYPES, baseline, mutated, without } from "../fixture";
import { Case } from "./common";

export const STACK_STORAGE_CASES: Case[] = [
    // Stack-level
    [
        "no-single-point-of-failure",
        "cache tier missing",
        () => without("redis", "memcached"),
        /tier cache: no resource/,
    ],
    [
        "no-single-point-of-failure",
        "app with one task",
        () =>
            mutated("app", (p) => {
                p.desiredCount = 1;
            }),
        /desiredCount is 1/,
    ],
    [
        "no-single-point-of-failure",
        "ALB in one AZ",
        () =>
            mutated("alb", (p, s) => {
                p.subnets = ["subnet-pub-a"];
                s.deps!.subnets = ["pub-a"];
            }),
        /tier load-balancer: alb .* 1 AZ/,
    ],
    [
        "no-single-point-of-failure",
        "database not Multi-AZ",
        () =>
            mutated("db", (p) => {
                p.multiAz = false;
            }),
        /multiAz is false/,
    ],
    [
        "no-single-point-of-failure",
        "Redis without failover",
        () =>
            mutated("redis", (p) => {
                p.automaticFailoverEnabled = false;
            }),
        /automatic failover/,
    ],
    ["no-single-point-of-failure", "single NAT", () => without("nat-b"), /tier network spans eu-west-1a only/],
    [
        "no-single-point-of-failure",
        "subnets unknown",
        () =>
            mutated("worker", (p, s) => {
                p.networkConfiguration.subnets = ["subnet-elsewhere"];
                s.deps!.networkConfiguration = [];
            }),
        /cannot tell its AZs/,
    ],
    [
        "az-consistency",
        "app in an AZ the ALB does not serve",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.subnet,
                name: "priv-c",
                props: { availabilityZone: "eu-west-1c", tags: { "boxoffice:tier": "network" } },
            });
            f.find((s) => s.name === "app")!.deps!.networkConfiguration.push("priv-c");
            return f;
        },
        /eu-west-1c, where no load balancer/,
    ],
    [
        "az-consistency",
        "worker in an AZ without NAT",
        () => without("nat-b"),
        /worker: tasks in eu-west-1b have no NAT gateway/,
    ],
    [
        "rto-budget",
        "database without Multi-AZ",
        () =>
            mutated("db", (p) => {
                p.multiAz = false;
            }),
        /database db: recovery unbounded/,
    ],
    [
        "rto-budget",
        "slow DNS failover",
        () =>
            mutated("hc", (p) => {
                p.requestInterval = 30;
                p.failureThreshold = 10;
            }),
        /30 s × 10 failures \+ 60 s alias propagation \(assumption\) = 360 s/,
    ],
    [
        "rto-budget",
        "long TTL",
        () =>
            mutated("primary", (p) => {
                delete p.aliases;
                p.ttl = 300;
                p.records = ["198.51.100.1"];
            }),
        /TTL 300 s = 330 s/,
    ],
    [
        "rto-budget",
        "Redis without failover",
        () =>
            mutated("redis", (p) => {
                p.automaticFailoverEnabled = false;
            }),
        /cache redis: recovery unbounded/,
    ],
    [
        "rto-budget",
        "one-instance Aurora is not credited a 30 s failover",
        () => without("aurora-b"),
        /database cluster aurora: recovery 600 s .*no reader to promote/,
    ],
    ["no-single-point-of-failure", "one-instance Aurora", () => without("aurora-b"), /aurora .*1 cluster instance/],
    // S3 and DynamoDB
    [
        "s3-no-public-acl",
        "public-read bucket",
        () =>
            mutated("logs", (p) => {
                p.acl = "public-read";
            }),
        /public-read/,
    ],
    [
        "s3-no-public-acl",
        "BucketAclV2 grant to AllUsers",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.bucketAcl,
                name: "logs-acl",
                props: {
                    bucket: "logs",
                    accessControlPolicy: {
                        owner: { id: "o" },
                        grants: [
                            {
                                grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
                                permission: "READ",
                            },
                        ],
                    },
                },
            });
            return f;
        },
        /AllUsers/,
    ],
    [
        "s3-no-public-policy",
        "Allow Principal * without condition",
        () =>
            mutated("logs-policy", (p) => {
                const d = JSON.parse(p.policy);
                d.Statement.push({
                    Sid: "Open",
                    Effect: "Allow",
                    Principal: "*",
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::logs/*",
                });
                p.policy = JSON.stringify(d);
            }),
        /"Open" allows "s3:GetObject" to Principal "\*"/,
    ],
    [
        "s3-public-access-block",
        "no public-access block",
        () => without("logs-pab"),
        /logs: no aws.s3.BucketPublicAccessBlock/,
    ],
    [
        "s3-public-access-block",
        "block with restrictPublicBuckets off",
        () =>
            mutated("logs-pab", (p) => {
                p.restrictPublicBuckets = false;
            }),
        /leaves restrictPublicBuckets off/,
    ],
    [
        "s3-tls-only",
        "policy without the TLS deny",
        () =>
            mutated("logs-policy", (p) => {
                const d = JSON.parse(p.policy);
                d.Statement.pop();
                p.policy = JSON.stringify(d);
            }),
        /does not deny s3:\*/,
    ],
    ["s3-tls-only", "no bucket policy", () => without("logs-policy"), /no bucket policy/],
    [
        "dynamodb-pitr",
        "PITR off",
        () =>
            mutated("orders", (p) => {
                p.pointInTimeRecovery = { enabled: false };
            }),
        /pointInTimeRecovery/,
    ],
    [
        "dynamodb-pitr",
        "global-table replica without PITR",
        () =>
            mutated("orders", (p) => {
                p.replicas = [{ regionName: "eu-central-1" }];
            }),
        /replica in eu-central-1/,
    ],
    [
        "backup-coverage",
        "DynamoDB table not selected",
        () =>
            mutated("orders", (p) => {
                delete p.tags["boxoffice:backup"];
            }),
        /orders: tag boxoffice:backup is missing/,
    ],
];
