/** The `PairedLoadBalancers` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { defineContract, field } from "../contract";
import type { NetworkIds } from "../network/network-ids";
import type { Transform } from "../transform";
import {
    PATH_PREFIX,
    rateLimit,
    rateLimitOrderProblem,
    rateLimitQueueJoinProblem,
    WebFirewallTransform,
} from "./web-firewall";

/** Rule priorities 1..N on every listener; ALBs allow 100 rules per listener by default. */
export const MAX_PRIVATE_PATHS = 10;
/** The DNS name, hosted zone and certificate fields; a stack's config makes them nullable. */
export const DOMAIN_NAME = field.text(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "a lower-case DNS name like tickets.example.com",
);
export const HOSTED_ZONE_ID = field.text(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone id like Z0123456789ABC");
export const CERTIFICATE_ARN = field.text(
    /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
    "an ACM certificate ARN",
);

export const PAIRED_LOAD_BALANCERS_CONTRACT = defineContract({
    component: "PairedLoadBalancers",
    fields: {
        domain: DOMAIN_NAME.optional(),
        hostedZoneId: HOSTED_ZONE_ID.optional(),
        certificateArn: CERTIFICATE_ARN.optional(),
        allowPlainHttp: field.bool(),
        deletionProtection: field.bool(),
        accessLogRetentionDays: field.int(1, 3650, "days the access-log bucket keeps objects"),
        accessLogForceDestroy: field.bool(),
        healthCheckIntervalSeconds: z.union([z.literal(10), z.literal(30)], {
            error: "must be 10 or 30 (Route 53 health-check intervals)",
        }),
        healthCheckFailureThreshold: field.int(1, 10, "Route 53 health-check failure threshold"),
        orderRateLimitPer5Min: rateLimit(),
        queueJoinRateLimitPer5Min: rateLimit(),
        browseRateLimitPer5Min: rateLimit(),
        privatePaths: z
            .array(
                field.text(
                    PATH_PREFIX,
                    "a path prefix like /admin: a slash, then letters, digits, . _ ~ - and inner slashes, no trailing slash or wildcard",
                ),
                { error: "must be a list of path prefixes" },
            )
            .max(MAX_PRIVATE_PATHS, `must list at most ${MAX_PRIVATE_PATHS} prefixes (one listener rule each)`),
        appPort: field.int(1, 65535, "TCP port"),
        healthPath: field.text(/^\/[A-Za-z0-9._~/-]*$/, "an absolute URL path such as /healthz"),
        deregistrationDelaySeconds: field.int(0, 3600, "ELB target group deregistration delay"),
    },
    defaults: {
        allowPlainHttp: false,
        deletionProtection: true,
        accessLogRetentionDays: 90,
        accessLogForceDestroy: false,
        healthCheckIntervalSeconds: 10,
        healthCheckFailureThreshold: 3,
        orderRateLimitPer5Min: 300,
        browseRateLimitPer5Min: 3000,
        queueJoinRateLimitPer5Min: 100,
        privatePaths: [],
        appPort: 8080,
        healthPath: "/healthz",
        deregistrationDelaySeconds: 20,
    },
    rules: (v, report) => {
        const order = rateLimitOrderProblem(v.orderRateLimitPer5Min, v.browseRateLimitPer5Min);
        if (order) report("orderRateLimitPer5Min", order);
        const join = rateLimitQueueJoinProblem(v.queueJoinRateLimitPer5Min, v.browseRateLimitPer5Min);
        if (join) report("queueJoinRateLimitPer5Min", join);
        const covered = v.privatePaths.find((p) => v.healthPath.startsWith(p));
        if (covered)
            report(
                "privatePaths",
                `must not cover healthPath ${v.healthPath}: the Route 53 checks come from the internet`,
                covered,
            );
        if (v.hostedZoneId && !v.domain) report("hostedZoneId", "needs domain as well");
        if (v.domain && !(v.hostedZoneId || v.certificateArn))
            report("domain", "needs hostedZoneId (to validate a certificate) or certificateArn");
        if (!(v.certificateArn || (v.domain && v.hostedZoneId)) && !v.allowPlainHttp) {
            report(
                "certificateArn",
                "is required (or domain + hostedZoneId) unless allowPlainHttp is true; plain HTTP is a staging-only opt-out",
                null,
            );
        }
    },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface PairedLoadBalancersTransform {
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** The four world-open ingress rules (80/443, IPv4/IPv6). */
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
    accessLogBucket?: Transform<aws.s3.BucketArgs>;
    accessLogEncryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
    accessLogPublicAccessBlock?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
    accessLogOwnership?: Transform<aws.s3.BucketOwnershipControlsArgs>;
    accessLogLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
    accessLogPolicy?: Transform<aws.s3.BucketPolicyArgs>;
    certificate?: Transform<aws.acm.CertificateArgs>;
    certificateValidation?: Transform<aws.acm.CertificateValidationArgs>;
    /** Both ALBs. */
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    /** Both target groups. */
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    /** Every listener. */
    listener?: Transform<aws.lb.ListenerArgs>;
    /** Every private-path rule. */
    listenerRule?: Transform<aws.lb.ListenerRuleArgs>;
    /** Both Route 53 health checks. */
    healthCheck?: Transform<aws.route53.HealthCheckArgs>;
    /** The certificate-validation record and both failover records. */
    record?: Transform<aws.route53.RecordArgs>;
    /** The web ACL and its associations (a `WebFirewall` child component). */
    webFirewall?: WebFirewallTransform;
}

export interface PairedLoadBalancersArgs {
    /** The network whose public subnets the ALBs span (ours or an existing VPC's ids, with `vpcCidr`); or the three ids below. @default undefined */
    network?: NetworkIds;
    /** VPC of the ALBs (when `network` is not given). @default undefined */
    vpcId?: pulumi.Input<string>;
    /** CIDR of the VPC: the ALBs may only send traffic into it, on the app port (when `network` is not given). @default undefined */
    vpcCidr?: string;
    /** Public subnets, one per AZ; both ALBs span all of them (ALBs need ≥ 2 AZs) (when `network` is not given). @default undefined */
    publicSubnetIds?: pulumi.Input<string>[];
    /** Public DNS name; with `hostedZoneId` it gets failover records and (without `certificateArn`) an ACM certificate. @default undefined */
    domain?: string;
    /** Route 53 hosted zone holding `domain`. @default undefined */
    hostedZoneId?: string;
    /** An existing ACM certificate (in this region) for the HTTPS listeners. @default undefined (an ACM certificate for `domain` when a zone is set) */
    certificateArn?: string;
    /**
     * Without a certificate there is nothing to terminate TLS with, so HTTP must forward to the app. That is a
     * staging-only opt-out (the policy pack reports it); without it the component refuses to build a plain-HTTP edge.
     * @default false
     */
    allowPlainHttp?: boolean;
    /** Deletion protection on both ALBs; clients and DNS point at their names, so prod keeps it on. @default true */
    deletionProtection?: boolean;
    /** Days the access-log bucket keeps objects, 1..3650. @default 90 */
    accessLogRetentionDays?: number;
    /**
     * Let `pulumi destroy` delete the access-log bucket with its logs. Off, a bucket holding logs blocks the
     * destroy (prod keeps its logs); a stack that is torn down and rebuilt (staging) turns it on. @default false
     */
    accessLogForceDestroy?: boolean;
    /** Route 53 health-check interval (10 = "fast", billed extra). @default 10 */
    healthCheckIntervalSeconds?: 10 | 30;
    /** Consecutive failed checks before Route 53 fails over, 1..10. @default 3 */
    healthCheckFailureThreshold?: number;
    /** WAF limit per client IP per 5 minutes on the order path; at most `browseRateLimitPer5Min`. @default 300 */
    orderRateLimitPer5Min?: number;
    /**
     * WAF limit per client IP per 5 minutes on the waiting room's join, `POST /events/{id}/queue` (each join with a new
     * visitor id takes a place in line); at most `browseRateLimitPer5Min`. @default 100
     */
    queueJoinRateLimitPer5Min?: number;
    /** WAF limit per client IP per 5 minutes on everything. @default 3000 */
    browseRateLimitPer5Min?: number;
    /**
     * Path prefixes the internet must never reach through either ALB (an admin API, a metrics endpoint). Every
     * listener answers `<prefix>` and `<prefix>/*` with a fixed 404 before anything is forwarded, and the WAF blocks
     * the same prefixes after URL-decoding and path normalisation, which listener rules cannot do (`/%61dmin`
     * reaches a router that decodes paths). Inside the VPC the tasks stay reachable on the app port.
     * @default []
     * @example ["/admin", "/metrics"]
     */
    privatePaths?: string[];
    /** Container port of the app. @default 8080 */
    appPort?: number;
    /**
     * Path the target groups and the Route 53 health checks request. It must answer "can this task serve"
     * without touching a shared dependency: a check that pings the database fails every target at once during
     * a database failover, and ECS replaces every task that fails its load balancer's check. @default "/healthz"
     */
    healthPath?: string;
    /**
     * Seconds a target group waits for requests in flight after ECS deregisters a task and before SIGTERM. The
     * ELB default of 300 s only slows deployments. @default 20
     */
    deregistrationDelaySeconds?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: PairedLoadBalancersTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
