/**
 * Application Load Balancer rules: the public entry point speaks only modern TLS, never serves plain HTTP
 * (it only redirects), rejects malformed headers (request smuggling), keeps access logs for incident
 * review, cannot be deleted by accident and sits behind a WAF web ACL (rate limits for on-sale surges).
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    LOAD_BALANCER_TYPES,
    StackFinding,
    Verdict,
    bool,
    isSet,
    known,
    list,
    ofType,
    references,
    resourceRule,
    stackRule,
    T,
} from "./common";

// Every rule judges both module names of the same resources: aws.lb.* and aws.alb.* (type tokens aws:lb/*
// and aws:alb/*); a program using either is held to the same rules.
const LISTENERS = [aws.lb.Listener, aws.alb.Listener];
const LOAD_BALANCERS = [aws.lb.LoadBalancer, aws.alb.LoadBalancer];

/** TLS 1.2+/1.3 policies with forward secrecy only (ELB User Guide, "Security policies for your ALB"). */
export const DEFAULT_ALLOWED_SSL_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

function isApplication(lb: { loadBalancerType?: unknown }): boolean {
    return lb.loadBalancerType === undefined || lb.loadBalancerType === "application";
}

interface TlsConfig {
    allowedSslPolicies: string[];
}

export const albListenerTls = resourceRule<aws.lb.Listener, aws.lb.ListenerArgs, TlsConfig>(
    {
        name: "alb-listener-tls",
        description:
            "Every HTTPS/TLS listener presents a certificate and uses one of the allowed TLS security policies.",
        severity: "high",
        remediationSteps:
            "1. Set `sslPolicy` to an allowed policy (default ELBSecurityPolicy-TLS13-1-2-2021-06). 2. Set `certificateArn` to a validated ACM certificate.",
        configSchema: {
            properties: {
                allowedSslPolicies: {
                    type: "array",
                    items: { type: "string" },
                    minItems: 1,
                    default: DEFAULT_ALLOWED_SSL_POLICIES,
                },
            },
        },
    },
    LISTENERS,
    (l, cfg): Verdict => {
        if (l.protocol !== "HTTPS" && l.protocol !== "TLS") return { notApplicable: "not a TLS listener" };
        const out: string[] = [];
        if (!isSet(l.sslPolicy))
            out.push("`sslPolicy` is not set: the ELB default allows TLS 1.0 in older accounts' defaults.");
        else if (!cfg.allowedSslPolicies.includes(String(l.sslPolicy)))
            out.push(`\`sslPolicy\` ${l.sslPolicy} is not one of ${cfg.allowedSslPolicies.join(", ")}.`);
        if (!isSet(l.certificateArn)) out.push("`certificateArn` is not set.");
        return out;
    },
);

export const albHttpRedirectsOnly = resourceRule<aws.lb.Listener, aws.lb.ListenerArgs>(
    {
        name: "alb-http-redirects-only",
        description: "Every plain-HTTP listener only redirects to HTTPS and never forwards traffic.",
        severity: "high",
        remediationSteps:
            '1. Give the HTTP listener a single default action `{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }`. 2. Serve the application on the HTTPS listener only.',
    },
    LISTENERS,
    (l): Verdict => {
        if (l.protocol !== "HTTP") return { notApplicable: "not a plain-HTTP listener" };
        const actions = list<{ type?: string; redirect?: { protocol?: string } }>(l.defaultActions);
        if (actions.length === 0) return ["the listener has no default action."];
        return actions.every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS")
            ? []
            : [`default actions are ${actions.map((a) => a.type).join(", ")}: plain HTTP must only redirect to HTTPS.`];
    },
);

export const albDropInvalidHeaders = resourceRule<aws.lb.LoadBalancer, aws.lb.LoadBalancerArgs>(
    {
        name: "alb-drop-invalid-headers",
        description:
            "Every Application Load Balancer drops HTTP headers with invalid names instead of passing them to targets.",
        severity: "medium",
        remediationSteps:
            "1. Set `dropInvalidHeaderFields: true` on the load balancer. 2. Keep `desyncMitigationMode` at defensive or strictest.",
    },
    LOAD_BALANCERS,
    (lb): Verdict => {
        if (!isApplication(lb)) return { notApplicable: "only Application Load Balancers parse HTTP headers" };
        return lb.dropInvalidHeaderFields === true
            ? []
            : ["`dropInvalidHeaderFields` is not true (request-smuggling defence)."];
    },
);

export const albAccessLogs = resourceRule<aws.lb.LoadBalancer, aws.lb.LoadBalancerArgs>(
    {
        name: "alb-access-logs",
        description: "Every load balancer writes access logs to S3.",
        severity: "medium",
        remediationSteps:
            "1. Set `accessLogs: { bucket, enabled: true }` with a bucket whose policy allows the region's ELB log-delivery account. 2. Give the bucket a lifecycle expiry.",
    },
    LOAD_BALANCERS,
    (lb): Verdict =>
        lb.accessLogs?.enabled === true && isSet(lb.accessLogs.bucket)
            ? []
            : ["`accessLogs` is not enabled with a bucket."],
);

export const albDeletionProtection = resourceRule<aws.lb.LoadBalancer, aws.lb.LoadBalancerArgs>(
    {
        name: "alb-deletion-protection",
        description:
            "Every load balancer has deletion protection on, so its DNS name (which clients and records point to) survives mistakes.",
        severity: "medium",
        remediationSteps:
            "1. Set `enableDeletionProtection: true`. 2. Turn it off in a reviewed change before a deliberate delete.",
    },
    LOAD_BALANCERS,
    (lb): Verdict => (bool(lb.enableDeletionProtection) === true ? [] : ["`enableDeletionProtection` is not true."]),
);

function isPublicAlb(lb: PolicyResource): boolean {
    return (
        isApplication({ loadBalancerType: known(lb.props, "loadBalancerType") }) && known(lb.props, "internal") !== true
    );
}

export const albWafAssociated = stackRule(
    {
        name: "alb-waf-associated",
        description: "Every internet-facing Application Load Balancer has a WAFv2 web ACL associated.",
        severity: "high",
        remediationSteps:
            "1. Create an `aws.wafv2.WebAcl` (scope REGIONAL) with the AWS managed common rule set and a rate-based rule. 2. Associate it with `aws.wafv2.WebAclAssociation { resourceArn: alb.arn, webAclArn: acl.arn }`.",
    },
    (args) => {
        const albs = ofType(args, LOAD_BALANCER_TYPES).filter(isPublicAlb);
        if (albs.length === 0) return { notApplicable: "no internet-facing Application Load Balancers" };
        const associations = ofType(args, T.wafAssociation);
        const findings: StackFinding[] = [];
        for (const alb of albs) {
            if (!associations.some((a) => references(a, "resourceArn", alb))) {
                findings.push({
                    urn: alb.urn,
                    message: `${alb.name}: no aws.wafv2.WebAclAssociation points at this load balancer.`,
                });
            }
        }
        return findings;
    },
);

const PLAIN_PROTOCOLS = ["http", "tcp"];

export const elbClassicHardened = resourceRule<aws.elb.LoadBalancer, aws.elb.LoadBalancerArgs>(
    {
        name: "elb-classic-hardened",
        description:
            "Every Classic Load Balancer spans at least two subnets or AZs with cross-zone load balancing, listens only with TLS and a certificate, and writes access logs.",
        severity: "high",
        remediationSteps:
            "1. Prefer an Application Load Balancer (`aws.lb.LoadBalancer`): it redirects HTTP to HTTPS, takes a WAF web ACL and modern TLS policies. 2. Otherwise give the ELB `subnets` (or `availabilityZones`) in at least two AZs and keep `crossZoneLoadBalancing: true`. 3. Use only HTTPS/SSL listeners with `sslCertificateId`: a Classic Load Balancer cannot redirect plain HTTP. 4. Set `accessLogs: { bucket, enabled: true }`.",
    },
    aws.elb.LoadBalancer,
    (lb): Verdict => {
        const out: string[] = [];
        const subnets = new Set(list<string>(lb.subnets)).size;
        const azs = new Set(list<string>(lb.availabilityZones)).size;
        if (Math.max(subnets, azs) < 2)
            out.push(
                `it has ${subnets ? `${subnets} subnet` : `${azs} availability zone`}(s): one AZ's outage takes the entry point down.`,
            );
        if (bool(lb.crossZoneLoadBalancing) === false)
            out.push("`crossZoneLoadBalancing` is false: each AZ's nodes only reach that AZ's instances.");
        for (const l of list<{ lbPort?: number; lbProtocol?: string; sslCertificateId?: string }>(lb.listeners)) {
            const protocol = String(l.lbProtocol ?? "").toLowerCase();
            if (PLAIN_PROTOCOLS.includes(protocol))
                out.push(
                    `listener on port ${l.lbPort} speaks plain ${protocol.toUpperCase()}: a Classic Load Balancer cannot redirect it to HTTPS.`,
                );
            else if (!isSet(l.sslCertificateId))
                out.push(`listener on port ${l.lbPort} (${protocol.toUpperCase()}) has no \`sslCertificateId\`.`);
        }
        if (!(bool(lb.accessLogs?.enabled) !== false && isSet(lb.accessLogs?.bucket)))
            out.push("`accessLogs` is not enabled with a bucket.");
        return out;
    },
);

export const loadBalancerPolicies = [
    albListenerTls,
    albHttpRedirectsOnly,
    albDropInvalidHeaders,
    albAccessLogs,
    albDeletionProtection,
    albWafAssociated,
    elbClassicHardened,
];
