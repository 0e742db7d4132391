import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";
import { accessLogBucketPolicy, hasElbLogAccount } from "./access-log-policy";
import { WebFirewall } from "./web-firewall";

/** TLS 1.3 + 1.2 with forward secrecy only (ELB User Guide, "Security policies for your Application Load Balancer"). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const ROLES = ["primary", "secondary"] as const;
/** A path prefix a listener rule and a WAF regex can both express without escaping surprises. */
const PATH_PREFIX = /^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
/** Rule priorities 1..N on every listener; ALBs allow 100 rules per listener by default. */
const MAX_PRIVATE_PATHS = 10;
const NOT_FOUND = JSON.stringify({ error: "not_found" });
/** Tag naming why a bucket has no S3 server access logging. */
export const ACCESS_LOGGING_EXEMPTION_TAG = "boxoffice:s3-access-logging";

export interface PairedLoadBalancersArgs {
    vpcId: pulumi.Input<string>;
    /** CIDR of the VPC: the ALBs may only send traffic into it, on the app port. */
    vpcCidr: string;
    /** Public subnets, one per AZ; both ALBs span all of them (ALBs need ≥ 2 AZs). */
    publicSubnetIds: pulumi.Input<string>[];
    /** Public DNS name; with `hostedZoneId` it gets failover records and (without `certificateArn`) an ACM certificate. @default undefined */
    domain?: string;
    /** Route 53 hosted zone holding `domain`. @default undefined */
    hostedZoneId?: string;
    /** An existing ACM certificate (in this region) for the HTTPS listeners. @default an ACM certificate for `domain` when a zone is set */
    certificateArn?: string;
    /**
     * Without a certificate there is nothing to terminate TLS with, so HTTP must forward to the app. That is a
     * staging-only opt-out (the policy pack reports it); without it the component refuses to build a plain-HTTP edge.
     * @default false
     */
    allowPlainHttp?: boolean;
    /** Deletion protection on both ALBs; clients and DNS point at their names, so prod keeps it on. @default true */
    deletionProtection?: boolean;
    /** Days the access-log bucket keeps objects. @default 90 */
    accessLogRetentionDays?: number;
    /**
     * Let `pulumi destroy` delete the access-log bucket with its logs. Off, a bucket holding logs blocks the
     * destroy (prod keeps its logs); a stack that is torn down and rebuilt (staging) turns it on. @default false
     */
    accessLogForceDestroy?: boolean;
    /** Route 53 health-check interval (10 = "fast", billed extra). @default 10 */
    healthCheckIntervalSeconds?: 10 | 30;
    /** Consecutive failed checks before Route 53 fails over. @default 3 */
    healthCheckFailureThreshold?: number;
    /** WAF limits per client IP per 5 minutes. @default 300 (orders) / 3000 (browsing) */
    orderRateLimitPer5Min?: number;
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
    tags?: Record<string, string>;
}

/**
 * Two internet-facing Application Load Balancers (primary and secondary), each across every public subnet,
 * each with its own target group for the app, behind one WAF web ACL. With a domain and hosted zone, Route 53
 * health-checks both and serves failover alias records: traffic goes to the primary while it is healthy and
 * to the hot standby when it is not — the ALB pair replaces "switch DNS by hand".
 *
 * HA: each ALB is itself multi-AZ; the pair guards against one ALB being broken (bad listener change, deleted,
 * misconfigured WAF association). Failover takes threshold × interval (30 s by default) plus the 60 s alias TTL.
 * Cost: two ALBs (hourly + LCU), two Route 53 fast health checks, WAF ACL + rules + requests, S3 log storage.
 */
export class PairedLoadBalancers extends pulumi.ComponentResource {
    readonly securityGroupId: pulumi.Output<string>;
    readonly loadBalancerArns: pulumi.Output<string>[];
    readonly loadBalancerArnSuffixes: pulumi.Output<string>[];
    readonly loadBalancerDnsNames: pulumi.Output<string>[];
    readonly targetGroupArns: pulumi.Output<string>[];
    readonly targetGroupArnSuffixes: pulumi.Output<string>[];
    /** Every listener; the app service waits for them (a target group must be attached before ECS uses it). */
    readonly listeners: aws.lb.Listener[];
    /** Route 53 health-check ids (empty without a domain and zone). */
    readonly healthCheckIds: pulumi.Output<string>[];
    readonly webAclArn: pulumi.Output<string>;
    readonly accessLogBucket: pulumi.Output<string>;
    /** Whether the listeners terminate TLS (false only with `allowPlainHttp`). */
    readonly https: boolean;
    /** https://<domain>, else the primary ALB's URL. */
    readonly publicUrl: pulumi.Output<string>;

    constructor(name: string, args: PairedLoadBalancersArgs, opts?: pulumi.ComponentResourceOptions) {
        const interval = args.healthCheckIntervalSeconds ?? 10;
        const threshold = args.healthCheckFailureThreshold ?? 3;
        const retention = args.accessLogRetentionDays ?? 90;
        const port = args.appPort ?? 8080;
        const healthPath = args.healthPath ?? "/healthz";
        const privatePaths = args.privatePaths ?? [];
        const dns = Boolean(args.domain && args.hostedZoneId);
        const https = Boolean(args.certificateArn) || dns;
        const check = argChecker("PairedLoadBalancers", name);
        // ALB and target group names are ≤ 32 characters; ours are `${name}-alb1-<7 random>`.
        check.that(name.length <= 19, "name", name, "must be at most 19 characters (ALB and target group names are limited to 32 with the suffix Pulumi adds)");
        check.that(args.publicSubnetIds.length >= 2, "publicSubnetIds", args.publicSubnetIds.length, "must list at least 2 subnets (an ALB needs two AZs)");
        check.that(interval === 10 || interval === 30, "healthCheckIntervalSeconds", interval, "must be 10 or 30 (Route 53 health-check intervals)");
        check.intRange("healthCheckFailureThreshold", threshold, 1, 10, "Route 53 health-check failure threshold");
        check.intRange("accessLogRetentionDays", retention, 1, 3650, "days the access-log bucket keeps objects");
        check.intRange("appPort", port, 1, 65535, "TCP port");
        check.that(/^\/[A-Za-z0-9._~\/-]*$/.test(healthPath), "healthPath", healthPath, "must be an absolute URL path such as /healthz");
        for (const p of privatePaths) {
            check.that(PATH_PREFIX.test(p), "privatePaths", p, "must be a path prefix like /admin: a slash, then letters, digits, . _ ~ - and inner slashes, no trailing slash or wildcard");
            check.that(!healthPath.startsWith(p), "privatePaths", p, `must not cover healthPath ${healthPath}: the Route 53 checks come from the internet`);
        }
        check.that(privatePaths.length <= MAX_PRIVATE_PATHS, "privatePaths", privatePaths.length, `must list at most ${MAX_PRIVATE_PATHS} prefixes (one listener rule each)`);
        check.that(!args.hostedZoneId || Boolean(args.domain), "hostedZoneId", args.hostedZoneId, "needs domain as well");
        check.that(!args.domain || Boolean(args.hostedZoneId || args.certificateArn), "domain", args.domain, "needs hostedZoneId (to validate a certificate) or certificateArn");
        check.that(https || args.allowPlainHttp === true, "certificateArn", args.certificateArn ?? null,
            "is required (or domain + hostedZoneId) unless allowPlainHttp is true; plain HTTP is a staging-only opt-out");
        super("boxoffice:edge:PairedLoadBalancers", name, {}, opts);
        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: "load-balancer", Name: `${name}-${role}` });

        const sg = new aws.ec2.SecurityGroup(`${name}-alb-sg`, {
            vpcId: args.vpcId, description: "Internet-facing ALBs: 80/443 in, app port out to the VPC", tags: tags("alb-sg"),
        }, parent);
        // The only world-open ingress of the platform. Rules as separate resources so others can be added without drift.
        for (const p of [80, 443]) {
            for (const [family, cidr] of [["v4", "0.0.0.0/0"], ["v6", "::/0"]] as const) {
                new aws.vpc.SecurityGroupIngressRule(`${name}-alb-in-${p}-${family}`, {
                    securityGroupId: sg.id, ipProtocol: "tcp", fromPort: p, toPort: p,
                    ...(family === "v4" ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
                    description: `HTTP${p === 443 ? "S" : ""} from the internet`, tags: tags(`alb-in-${p}-${family}`),
                }, parent);
            }
        }
        new aws.vpc.SecurityGroupEgressRule(`${name}-alb-out-app`, {
            securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: args.vpcCidr,
            description: "To app tasks", tags: tags("alb-out-app"),
        }, parent);

        const logs = this.accessLogBucket_(name, retention, args.accessLogForceDestroy ?? false, tags);
        const certificateArn = args.certificateArn ?? (dns ? this.certificate(name, args.domain!, args.hostedZoneId!, tags) : undefined);

        const albs = ROLES.map((role, i) => new aws.lb.LoadBalancer(`${name}-alb${i + 1}`, {
            loadBalancerType: "application",
            internal: false,
            securityGroups: [sg.id],
            subnets: args.publicSubnetIds,
            dropInvalidHeaderFields: true,
            desyncMitigationMode: "defensive",
            enableDeletionProtection: args.deletionProtection ?? true,
            accessLogs: { bucket: logs.bucket.bucket, prefix: role, enabled: true },
            tags: { ...tags(`alb${i + 1}`), "boxoffice:role": role },
        }, { parent: this, dependsOn: [logs.policy] }));

        const targetGroups = ROLES.map((role, i) => new aws.lb.TargetGroup(`${name}-tg${i + 1}`, {
            vpcId: args.vpcId, targetType: "ip", protocol: "HTTP", port,
            // ECS deregisters a task and waits this long before SIGTERM, so requests in flight finish; the app then
            // drains ~5 s more. The 300 s default only slows deployments.
            deregistrationDelay: 20,
            // Can this task serve? Never a dependency check: the ALB fails open when every target is unhealthy, but
            // ECS replaces each task that fails this check, so a database-pinging path would restart the whole fleet
            // during a 60-120 s RDS failover.
            healthCheck: {
                path: healthPath, protocol: "HTTP", matcher: "200", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3,
            },
            tags: { ...tags(`tg${i + 1}`), "boxoffice:role": role },
        }, parent));

        // Private paths are answered 404 by rules, which ALBs evaluate by priority before the default action, on every
        // listener (a redirecting one too: a plain-HTTP request is refused, not pointed at the HTTPS URL). A condition
        // takes at most three values, hence one rule per prefix: `<prefix>` and `<prefix>/*` (ELB User Guide,
        // "Listener rules for your Application Load Balancer", conditions).
        const listener = (role: string, listenerArgs: Omit<aws.lb.ListenerArgs, "tags">) => {
            const l = new aws.lb.Listener(`${name}-${role}`, { ...listenerArgs, tags: tags(role) }, parent);
            privatePaths.forEach((prefix, j) => new aws.lb.ListenerRule(`${name}-${role}-private-${j + 1}`, {
                listenerArn: l.arn,
                priority: j + 1,
                conditions: [{ pathPattern: { values: [prefix, `${prefix}/*`] } }],
                actions: [{ type: "fixed-response", fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: NOT_FOUND } }],
                tags: tags(`${role}-private-${j + 1}`),
            }, parent));
            return l;
        };
        this.listeners = albs.flatMap((alb, i) => {
            const forward = [{ type: "forward", targetGroupArn: targetGroups[i].arn }];
            if (!https) {
                // Staging opt-out: nothing to terminate TLS with.
                return [listener(`http${i + 1}`, { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: forward })];
            }
            return [
                listener(`https${i + 1}`, { loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", sslPolicy: TLS_POLICY, certificateArn, defaultActions: forward }),
                listener(`http${i + 1}`, {
                    loadBalancerArn: alb.arn, port: 80, protocol: "HTTP",
                    defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                }),
            ];
        });

        const waf = new WebFirewall(`${name}-waf`, {
            loadBalancerArns: albs.map((a) => a.arn), blockedPathPrefixes: privatePaths,
            orderRateLimitPer5Min: args.orderRateLimitPer5Min, browseRateLimitPer5Min: args.browseRateLimitPer5Min, tags: args.tags,
        }, parent);

        const healthChecks = dns ? ROLES.map((role, i) => new aws.route53.HealthCheck(`${name}-${role}-hc`, {
            // Checks the ALB itself, not the domain, so each record's health is its own ALB's: listener, certificate,
            // WAF and at least one task answering. Not the database: both ALBs share it, so failing DNS over for it
            // cannot help (and with both records unhealthy Route 53 answers as if both were healthy).
            type: "HTTPS", fqdn: albs[i].dnsName, port: 443, resourcePath: healthPath,
            requestInterval: interval, failureThreshold: threshold, measureLatency: true, tags: tags(`${role}-hc`),
        }, parent)) : [];
        healthChecks.forEach((hc, i) => new aws.route53.Record(`${name}-${ROLES[i]}-record`, {
            zoneId: args.hostedZoneId!, name: args.domain!, type: "A",
            setIdentifier: ROLES[i], failoverRoutingPolicies: [{ type: ROLES[i].toUpperCase() }], healthCheckId: hc.id,
            // evaluateTargetHealth also fails over when the ALB has no healthy targets (health check aside).
            aliases: [{ name: albs[i].dnsName, zoneId: albs[i].zoneId, evaluateTargetHealth: true }],
        }, parent));

        this.securityGroupId = sg.id;
        this.loadBalancerArns = albs.map((a) => a.arn);
        this.loadBalancerArnSuffixes = albs.map((a) => a.arnSuffix);
        this.loadBalancerDnsNames = albs.map((a) => a.dnsName);
        this.targetGroupArns = targetGroups.map((t) => t.arn);
        this.targetGroupArnSuffixes = targetGroups.map((t) => t.arnSuffix);
        this.healthCheckIds = healthChecks.map((h) => h.id);
        this.webAclArn = waf.webAclArn;
        this.accessLogBucket = logs.bucket.bucket;
        this.https = https;
        this.publicUrl = args.domain && https ? pulumi.output(`https://${args.domain}`) : pulumi.interpolate`${https ? "https" : "http"}://${albs[0].dnsName}`;
        this.registerOutputs({
            securityGroupId: this.securityGroupId, loadBalancerDnsNames: this.loadBalancerDnsNames, targetGroupArns: this.targetGroupArns,
            healthCheckIds: this.healthCheckIds, webAclArn: this.webAclArn, publicUrl: this.publicUrl,
        });
    }

    /** ACM certificate validated by DNS in the hosted zone; listeners wait for validation. */
    private certificate(name: string, domain: string, zoneId: string, tags: (r: string) => Record<string, string>): pulumi.Output<string> {
        const parent = { parent: this };
        const cert = new aws.acm.Certificate(`${name}-cert`, { domainName: domain, validationMethod: "DNS", tags: tags("cert") }, parent);
        // One domain, so exactly one validation record; only its values (not the count) come from the certificate.
        const option = cert.domainValidationOptions.apply((o) => o[0]);
        const record = new aws.route53.Record(`${name}-cert-validation`, {
            zoneId, name: option.resourceRecordName, type: option.resourceRecordType, records: [option.resourceRecordValue], ttl: 60, allowOverwrite: true,
        }, parent);
        return new aws.acm.CertificateValidation(`${name}-cert-ready`, { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] }, parent).certificateArn;
    }

    /**
     * ALB access logs. SSE-S3 because ALB log delivery does not support SSE-KMS (ELB User Guide, "Enable access
     * logs"); the bucket policy admits ELB log delivery only (the region's ELB account where there is one, and the
     * `logdelivery.elasticloadbalancing.amazonaws.com` service), under this account's prefix (see access-log-policy.ts).
     */
    private accessLogBucket_(name: string, days: number, forceDestroy: boolean, tags: (r: string) => Record<string, string>) {
        const parent = { parent: this };
        // No S3 server access logging on this bucket, deliberately and visibly: it is itself a log destination, written
        // only by ELB log delivery; logging it would need another bucket, which would then need the same exemption.
        // Scanners that flag it (cdk-nag AwsSolutions-S1, AWS Config s3-bucket-logging-enabled) accept a documented
        // exemption for log buckets; the tag states it where the bucket is (components/edge/README.md says why).
        const bucket = new aws.s3.Bucket(`${name}-access-logs`, {
            forceDestroy, tags: { ...tags("access-logs"), [ACCESS_LOGGING_EXEMPTION_TAG]: "exempt: this bucket is a log destination" },
        }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-access-logs-sse`, {
            bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, parent);
        new aws.s3.BucketPublicAccessBlock(`${name}-access-logs-pab`, {
            bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, parent);
        new aws.s3.BucketOwnershipControls(`${name}-access-logs-owner`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-access-logs-lifecycle`, {
            bucket: bucket.id,
            rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        }, parent);
        // Only regions from before August 2022 have an ELB log-delivery account; getServiceAccount fails elsewhere,
        // so it is asked only where the table says it will answer. The service principal covers every region.
        const region = aws.getRegionOutput({}, parent).region;
        const elbArn = region.apply((r) => hasElbLogAccount(r) ? aws.elb.getServiceAccountOutput({}, parent).arn : pulumi.output(undefined));
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const policy = new aws.s3.BucketPolicy(`${name}-access-logs-policy`, {
            bucket: bucket.id,
            policy: pulumi.all([bucket.arn, elbArn, account]).apply(([bucketArn, elbAccountArn, accountId]) =>
                JSON.stringify(accessLogBucketPolicy({ bucketArn, accountId, elbAccountArn }))),
        }, parent);
        return { bucket, policy };
    }
}
