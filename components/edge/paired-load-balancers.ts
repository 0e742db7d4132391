import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { requireVpc } from "../network/network-ids";
import { TIER_TAG } from "../tiers";
import { child } from "../transform";
import { accessLogBucket, dnsValidatedCertificate } from "./load-balancer-parts";
import { PAIRED_LOAD_BALANCERS_CONTRACT, PairedLoadBalancersArgs } from "./paired-load-balancers-args";
import { WebFirewall } from "./web-firewall";

export type { PairedLoadBalancersArgs, PairedLoadBalancersTransform } from "./paired-load-balancers-args";

/** TLS 1.3 + 1.2 with forward secrecy only (ELB User Guide, "Security policies for your Application Load Balancer"). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const ROLES = ["primary", "secondary"] as const;
const NOT_FOUND = JSON.stringify({ error: "not_found" });
export { ACCESS_LOGGING_EXEMPTION_TAG } from "./load-balancer-parts";

/** The raw children, for what the arguments do not cover. */
export interface PairedLoadBalancersResources {
    /** Primary, then secondary. */
    loadBalancers: aws.lb.LoadBalancer[];
    targetGroups: aws.lb.TargetGroup[];
    listeners: aws.lb.Listener[];
    securityGroup: aws.ec2.SecurityGroup;
    accessLogBucket: aws.s3.Bucket;
    webFirewall: WebFirewall;
    /** Empty without a domain and hosted zone. */
    healthChecks: aws.route53.HealthCheck[];
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
    /** The ALBs' security group: the app's security group admits traffic from it. */
    readonly securityGroupId: pulumi.Output<string>;
    /** ARNs of the two ALBs, primary first. */
    readonly loadBalancerArns: pulumi.Output<string>[];
    /** ARN suffixes of the two ALBs (`app/<name>/<id>`), the CloudWatch `LoadBalancer` dimension, primary first. */
    readonly loadBalancerArnSuffixes: pulumi.Output<string>[];
    /** DNS names of the two ALBs, primary first. */
    readonly loadBalancerDnsNames: pulumi.Output<string>[];
    /** ARNs of the target groups, one per ALB in the same order; the app service registers in all. */
    readonly targetGroupArns: pulumi.Output<string>[];
    /** ARN suffixes of the target groups, the CloudWatch `TargetGroup` dimension, in the same order. */
    readonly targetGroupArnSuffixes: pulumi.Output<string>[];
    /** Every listener; the app service waits for them (a target group must be attached before ECS uses it). */
    readonly listeners: aws.lb.Listener[];
    /** Route 53 health-check ids (empty without a domain and zone). */
    readonly healthCheckIds: pulumi.Output<string>[];
    /** The WAF web ACL associated with both ALBs. */
    readonly webAclArn: pulumi.Output<string>;
    /** The S3 bucket receiving both ALBs' access logs. */
    readonly accessLogBucket: pulumi.Output<string>;
    /** Whether the listeners terminate TLS (false only with `allowPlainHttp`). */
    readonly https: boolean;
    /** https://<domain>, else the primary ALB's URL. */
    readonly publicUrl: pulumi.Output<string>;

    /** The raw children (ALBs, target groups, listeners, security group, access-log bucket, WAF, health checks). */
    readonly resources: PairedLoadBalancersResources;

    constructor(name: string, args: PairedLoadBalancersArgs, opts?: pulumi.ComponentResourceOptions) {
        const check = argChecker("PairedLoadBalancers", name);
        // ALB and target group names are ≤ 32 characters; ours are `${name}-alb1-<7 random>`.
        check.that(
            name.length <= 19,
            "name",
            name,
            "must be at most 19 characters (ALB and target group names are limited to 32 with the suffix Pulumi adds)",
        );
        const { vpcId, vpcCidr } = requireVpc(check, args, "the ALBs send traffic only into the VPC", {
            publicSubnetIds: args.publicSubnetIds,
        });
        const publicSubnetIds = args.network?.publicSubnetIds ?? args.publicSubnetIds;
        check.that(
            publicSubnetIds !== undefined,
            args.network ? "network.publicSubnetIds" : "publicSubnetIds",
            undefined,
            "must list the public subnets, one per AZ",
        );
        check.that(
            publicSubnetIds!.length >= 2,
            "publicSubnetIds",
            publicSubnetIds!.length,
            "must list at least 2 subnets (an ALB needs two AZs)",
        );
        const c = PAIRED_LOAD_BALANCERS_CONTRACT.resolve(name, args);
        const port = c.appPort;
        const healthPath = c.healthPath;
        const privatePaths = c.privatePaths;
        const dns = Boolean(c.domain && c.hostedZoneId);
        const https = Boolean(c.certificateArn) || dns;
        super("boxoffice:edge:PairedLoadBalancers", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: "load-balancer", Name: `${name}-${role}` });

        const sg = child(
            aws.ec2.SecurityGroup,
            `${name}-alb-sg`,
            {
                vpcId,
                description: "Internet-facing ALBs: 80/443 in, app port out to the VPC",
                tags: tags("alb-sg"),
            },
            parent,
            t.securityGroup,
        );
        // The only world-open ingress of the platform. Rules as separate resources so others can be added without drift.
        for (const p of [80, 443]) {
            for (const [family, cidr] of [
                ["v4", "0.0.0.0/0"],
                ["v6", "::/0"],
            ] as const) {
                child(
                    aws.vpc.SecurityGroupIngressRule,
                    `${name}-alb-in-${p}-${family}`,
                    {
                        securityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: p,
                        toPort: p,
                        ...(family === "v4" ? { cidrIpv4: cidr } : { cidrIpv6: cidr }),
                        description: `HTTP${p === 443 ? "S" : ""} from the internet`,
                        tags: tags(`alb-in-${p}-${family}`),
                    },
                    parent,
                    t.ingressRule,
                );
            }
        }
        child(
            aws.vpc.SecurityGroupEgressRule,
            `${name}-alb-out-app`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                cidrIpv4: vpcCidr,
                description: "To app tasks",
                tags: tags("alb-out-app"),
            },
            parent,
            t.egressRule,
        );

        const logs = accessLogBucket(this, name, c.accessLogRetentionDays, c.accessLogForceDestroy, tags, t);
        const certificateArn =
            c.certificateArn ??
            (dns ? dnsValidatedCertificate(this, name, c.domain!, c.hostedZoneId!, tags, t) : undefined);

        const albs = ROLES.map((role, i) =>
            child(
                aws.lb.LoadBalancer,
                `${name}-alb${i + 1}`,
                {
                    loadBalancerType: "application",
                    internal: false,
                    securityGroups: [sg.id],
                    subnets: publicSubnetIds!,
                    dropInvalidHeaderFields: true,
                    desyncMitigationMode: "defensive",
                    enableDeletionProtection: c.deletionProtection,
                    accessLogs: { bucket: logs.bucket.bucket, prefix: role, enabled: true },
                    tags: { ...tags(`alb${i + 1}`), "boxoffice:role": role },
                },
                { parent: this, dependsOn: [logs.policy] },
                t.loadBalancer,
            ),
        );

        const targetGroups = ROLES.map((role, i) =>
            child(
                aws.lb.TargetGroup,
                `${name}-tg${i + 1}`,
                {
                    vpcId,
                    targetType: "ip",
                    protocol: "HTTP",
                    port,
                    // ECS deregisters a task and waits this long before SIGTERM, so requests in flight finish; the app then
                    // drains ~5 s more. The 300 s default only slows deployments.
                    deregistrationDelay: c.deregistrationDelaySeconds,
                    // Can this task serve? Never a dependency check: the ALB fails open when every target is unhealthy, but
                    // ECS replaces each task that fails this check, so a database-pinging path would restart the whole fleet
                    // during a 60-120 s RDS failover.
                    healthCheck: {
                        path: healthPath,
                        protocol: "HTTP",
                        matcher: "200",
                        interval: 10,
                        timeout: 5,
                        healthyThreshold: 2,
                        unhealthyThreshold: 3,
                    },
                    tags: { ...tags(`tg${i + 1}`), "boxoffice:role": role },
                },
                parent,
                t.targetGroup,
            ),
        );

        // Private paths are answered 404 by rules, which ALBs evaluate by priority before the default action, on every
        // listener (a redirecting one too: a plain-HTTP request is refused, not pointed at the HTTPS URL). A condition
        // takes at most three values, hence one rule per prefix: `<prefix>` and `<prefix>/*` (ELB User Guide,
        // "Listener rules for your Application Load Balancer", conditions).
        const listener = (role: string, listenerArgs: Omit<aws.lb.ListenerArgs, "tags">) => {
            const l = child(
                aws.lb.Listener,
                `${name}-${role}`,
                { ...listenerArgs, tags: tags(role) },
                parent,
                t.listener,
            );
            privatePaths.forEach((prefix, j) =>
                child(
                    aws.lb.ListenerRule,
                    `${name}-${role}-private-${j + 1}`,
                    {
                        listenerArn: l.arn,
                        priority: j + 1,
                        conditions: [{ pathPattern: { values: [prefix, `${prefix}/*`] } }],
                        actions: [
                            {
                                type: "fixed-response",
                                fixedResponse: {
                                    statusCode: "404",
                                    contentType: "application/json",
                                    messageBody: NOT_FOUND,
                                },
                            },
                        ],
                        tags: tags(`${role}-private-${j + 1}`),
                    },
                    parent,
                    t.listenerRule,
                ),
            );
            return l;
        };
        this.listeners = albs.flatMap((alb, i) => {
            const forward = [{ type: "forward", targetGroupArn: targetGroups[i].arn }];
            if (!https) {
                // Staging opt-out: nothing to terminate TLS with.
                return [
                    listener(`http${i + 1}`, {
                        loadBalancerArn: alb.arn,
                        port: 80,
                        protocol: "HTTP",
                        defaultActions: forward,
                    }),
                ];
            }
            return [
                listener(`https${i + 1}`, {
                    loadBalancerArn: alb.arn,
                    port: 443,
                    protocol: "HTTPS",
                    sslPolicy: TLS_POLICY,
                    certificateArn,
                    defaultActions: forward,
                }),
                listener(`http${i + 1}`, {
                    loadBalancerArn: alb.arn,
                    port: 80,
                    protocol: "HTTP",
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
                    ],
                }),
            ];
        });

        const waf = new WebFirewall(
            `${name}-waf`,
            {
                loadBalancerArns: albs.map((a) => a.arn),
                blockedPathPrefixes: privatePaths,
                orderRateLimitPer5Min: c.orderRateLimitPer5Min,
                browseRateLimitPer5Min: c.browseRateLimitPer5Min,
                queueJoinRateLimitPer5Min: c.queueJoinRateLimitPer5Min,
                transform: t.webFirewall,
                tags: args.tags,
            },
            parent,
        );

        const healthChecks = dns
            ? ROLES.map((role, i) =>
                  child(
                      aws.route53.HealthCheck,
                      `${name}-${role}-hc`,
                      {
                          // Checks the ALB itself, not the domain, so each record's health is its own ALB's: listener, certificate,
                          // WAF and at least one task answering. Not the database: both ALBs share it, so failing DNS over for it
                          // cannot help (and with both records unhealthy Route 53 answers as if both were healthy).
                          type: "HTTPS",
                          fqdn: albs[i].dnsName,
                          port: 443,
                          resourcePath: healthPath,
                          requestInterval: c.healthCheckIntervalSeconds,
                          failureThreshold: c.healthCheckFailureThreshold,
                          measureLatency: true,
                          tags: tags(`${role}-hc`),
                      },
                      parent,
                      t.healthCheck,
                  ),
              )
            : [];
        healthChecks.forEach((hc, i) =>
            child(
                aws.route53.Record,
                `${name}-${ROLES[i]}-record`,
                {
                    zoneId: c.hostedZoneId!,
                    name: c.domain!,
                    type: "A",
                    setIdentifier: ROLES[i],
                    failoverRoutingPolicies: [{ type: ROLES[i].toUpperCase() }],
                    healthCheckId: hc.id,
                    // evaluateTargetHealth also fails over when the ALB has no healthy targets (health check aside).
                    aliases: [{ name: albs[i].dnsName, zoneId: albs[i].zoneId, evaluateTargetHealth: true }],
                },
                parent,
                t.record,
            ),
        );

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
        this.resources = {
            loadBalancers: albs,
            targetGroups,
            listeners: this.listeners,
            securityGroup: sg,
            accessLogBucket: logs.bucket,
            webFirewall: waf,
            healthChecks,
        };
        this.publicUrl =
            c.domain && https
                ? pulumi.output(`https://${c.domain}`)
                : pulumi.interpolate`${https ? "https" : "http"}://${albs[0].dnsName}`;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            loadBalancerDnsNames: this.loadBalancerDnsNames,
            targetGroupArns: this.targetGroupArns,
            healthCheckIds: this.healthCheckIds,
            webAclArn: this.webAclArn,
            publicUrl: this.publicUrl,
        });
    }
}
