/** The part of the compliant baseline beyond the ECS/RDS core (see `baseline()` in fixture.ts). */
import { AZ, Spec, T, tier } from "./fixture-shapes";

const ALB2_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb2/4567";
const BACKUP = { "boxoffice:backup": "daily-weekly-monthly" };

/**
 * The rest of a compliant platform, one of each type the rules cover beyond the ECS/RDS core: the paired
 * entry point's second ALB (under the aws:alb/* module name) and SECONDARY record, an Aurora cluster with
 * two pinned instances, a DynamoDB table, an S3 bucket with its public-access block and TLS-only policy, a
 * classic ELB, an Auto Scaling group (worker tier) and two EC2 instances (app tier) in two AZs.
 */
export function coverage(): Spec[] {
    return [
        {
            type: T.alb,
            name: "alb2",
            props: {
                loadBalancerType: "application",
                internal: false,
                subnets: ["subnet-pub-a", "subnet-pub-b"],
                securityGroups: ["sg-alb"],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: true,
                accessLogs: { bucket: "logs", enabled: true },
                ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"], securityGroups: ["sg-alb"] },
            outputs: { arn: ALB2_ARN, dnsName: "alb2-1.eu-west-1.elb.amazonaws.com" },
        },
        {
            type: T.albListener,
            name: "https2",
            props: {
                loadBalancerArn: ALB2_ARN,
                protocol: "HTTPS",
                port: 443,
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1",
                defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
            },
            deps: { loadBalancerArn: ["alb2"] },
        },
        {
            type: T.albListener,
            name: "http2",
            props: {
                loadBalancerArn: ALB2_ARN,
                protocol: "HTTP",
                port: 80,
                defaultActions: [
                    { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
                ],
            },
            deps: { loadBalancerArn: ["alb2"] },
        },
        {
            type: T.waf,
            name: "waf2",
            props: { resourceArn: ALB2_ARN, webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1" },
            deps: { resourceArn: ["alb2"] },
        },
        {
            type: T.hc,
            name: "hc2",
            props: {
                type: "HTTPS",
                fqdn: "alb2-1.eu-west-1.elb.amazonaws.com",
                resourcePath: "/healthz",
                requestInterval: 10,
                failureThreshold: 3,
            },
        },
        {
            type: T.record,
            name: "secondary",
            props: {
                zoneId: "Z1",
                name: "tickets.example.com",
                type: "A",
                setIdentifier: "secondary",
                failoverRoutingPolicies: [{ type: "SECONDARY" }],
                healthCheckId: "hc-2",
                aliases: [
                    {
                        name: "alb2-1.eu-west-1.elb.amazonaws.com",
                        zoneId: "Z32O12XQLNTSW2",
                        evaluateTargetHealth: true,
                    },
                ],
            },
            deps: { healthCheckId: ["hc2"], aliases: ["alb2"] },
        },
        {
            type: T.cluster,
            name: "aurora",
            props: {
                clusterIdentifier: "aurora",
                engine: "aurora-postgresql",
                engineVersion: "16.4",
                storageEncrypted: true,
                kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1",
                deletionProtection: true,
                finalSnapshotIdentifier: "aurora-final",
                backupRetentionPeriod: 7,
                manageMasterUserPassword: true,
                masterUsername: "boxoffice",
                dbSubnetGroupName: "db-subnets",
                ...tier("database", BACKUP),
            },
            deps: { dbSubnetGroupName: ["db-subnets"] },
            outputs: { arn: "arn:aws:rds:eu-west-1:123456789012:cluster:aurora" },
        },
        ...AZ.map((az, i): Spec => ({
            type: T.clusterInstance,
            name: `aurora-${"ab"[i]}`,
            props: {
                clusterIdentifier: "aurora",
                instanceClass: "db.r6g.large",
                engine: "aurora-postgresql",
                availabilityZone: az,
                publiclyAccessible: false,
            },
            deps: { clusterIdentifier: ["aurora"] },
        })),
        {
            type: T.table,
            name: "orders",
            props: {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "id",
                attributes: [{ name: "id", type: "S" }],
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: true,
                ...tier("database", BACKUP),
            },
            outputs: { arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" },
        },
        {
            type: T.bucket,
            name: "logs",
            props: { bucket: "logs", ...tier("load-balancer") },
            outputs: { arn: "arn:aws:s3:::logs" },
        },
        {
            type: T.pab,
            name: "logs-pab",
            props: {
                bucket: "logs",
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            deps: { bucket: ["logs"] },
        },
        {
            type: T.bucketPolicy,
            name: "logs-policy",
            props: {
                bucket: "logs",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "Delivery",
                            Effect: "Allow",
                            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: "arn:aws:s3:::logs/*",
                        },
                        {
                            Sid: "TlsOnly",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            deps: { bucket: ["logs"] },
        },
        {
            type: T.elb,
            name: "classic",
            props: {
                subnets: ["subnet-pub-a", "subnet-pub-b"],
                crossZoneLoadBalancing: true,
                accessLogs: { bucket: "logs", enabled: true },
                listeners: [
                    {
                        lbPort: 443,
                        lbProtocol: "https",
                        instancePort: 8080,
                        instanceProtocol: "http",
                        sslCertificateId: "arn:aws:acm:eu-west-1:123456789012:certificate/1",
                    },
                ],
                ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"] },
        },
        {
            type: T.asg,
            name: "asg",
            props: {
                minSize: 2,
                maxSize: 6,
                desiredCapacity: 2,
                vpcZoneIdentifiers: ["subnet-priv-a", "subnet-priv-b"],
                tags: [{ key: "boxoffice:tier", value: "worker", propagateAtLaunch: true }],
            },
            deps: { vpcZoneIdentifiers: ["priv-a", "priv-b"] },
        },
        ...AZ.map((_az, i): Spec => ({
            type: T.instance,
            name: `app-vm-${"ab"[i]}`,
            props: { ami: "ami-0123", instanceType: "m7g.large", subnetId: `subnet-priv-${"ab"[i]}`, ...tier("app") },
            deps: { subnetId: [`priv-${"ab"[i]}`] },
        })),
    ];
}
