import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argChecker } from "../arg-check";
import { defineContract, field } from "../contract";
import { TIER_TAG } from "../tiers";
import { child, Transform } from "../transform";

/** WAF rate-based rule limits (WAF Developer Guide, "Rate-based rule statement"): 10 .. 2,000,000,000 per window. */
const RATE_LIMIT_MIN = 10;
const RATE_LIMIT_MAX = 2_000_000_000;

/** A path prefix a listener rule and a WAF regex can both express without escaping surprises. */
export const PATH_PREFIX = /^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;
export const rateLimit = () => field.int(RATE_LIMIT_MIN, RATE_LIMIT_MAX, "WAF rate-based rule limit per 5-minute window");

/** The rule between the two limits, shared by every contract that carries them. */
export function rateLimitOrderProblem(order: number, browse: number): string | undefined {
    return order <= browse ? undefined : `must not exceed browseRateLimitPer5Min (${browse}): the order path is the stricter one`;
}

export const WEB_FIREWALL_CONTRACT = defineContract({
    component: "WebFirewall",
    fields: {
        orderRateLimitPer5Min: rateLimit(),
        browseRateLimitPer5Min: rateLimit(),
        orderMethod: field.text(/^[A-Z]+$/, "an HTTP method in capitals, e.g. POST"),
        orderPathRegex: field.checked((v) => {
            try {
                new RegExp(v);
                return v.startsWith("^") ? undefined : "must be anchored with ^ (WAF matches anywhere in the path otherwise)";
            } catch {
                return "must be a regular expression";
            }
        }, "a regular expression over the URL path"),
        blockedPathPrefixes: z.array(field.text(PATH_PREFIX, "a path prefix like /admin"), { error: "must be a list of path prefixes" }),
    },
    defaults: {
        orderRateLimitPer5Min: 300, browseRateLimitPer5Min: 3000, orderMethod: "POST",
        // The ticket service's order endpoint, `POST /events/{id}/orders`: what bots hammer during an on-sale.
        orderPathRegex: "^/events/[^/]+/orders/?$",
        blockedPathPrefixes: [],
    },
    rules: (v, report) => {
        const order = rateLimitOrderProblem(v.orderRateLimitPer5Min, v.browseRateLimitPer5Min);
        if (order) report("orderRateLimitPer5Min", order);
    },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface WebFirewallTransform {
    webAcl?: Transform<aws.wafv2.WebAclArgs>;
    /** Every association with a load balancer. */
    association?: Transform<aws.wafv2.WebAclAssociationArgs>;
}

export interface WebFirewallArgs {
    /** ARNs of the load balancers the web ACL protects; a plain list because one association exists per ARN. */
    loadBalancerArns: pulumi.Input<string>[];
    /** Requests per client IP per 5 minutes to the order path (`orderMethod` + `orderPathRegex`) before WAF blocks. @default 300 */
    orderRateLimitPer5Min?: number;
    /** Method of the strictly limited order requests. @default "POST" */
    orderMethod?: string;
    /**
     * URL path (URL-decoded) of the strictly limited order requests, anchored with `^`; the default is the ticket
     * service's `POST /events/{id}/orders`. @default "^/events/[^/]+/orders/?$"
     */
    orderPathRegex?: string;
    /** Requests per client IP per 5 minutes to anything before WAF blocks. @default 3000 */
    browseRateLimitPer5Min?: number;
    /**
     * Path prefixes blocked for every client (`<prefix>` and anything below it), matched after URL-decoding and
     * path normalisation so `/%61dmin` or `//admin/./x` cannot slip past. @default []
     * @example ["/admin", "/metrics"]
     */
    blockedPathPrefixes?: string[];
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: WebFirewallTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}

/**
 * First rule of the ACL: block the given prefixes for every client. The path is URL-decoded, then normalised
 * (duplicate slashes, `./` and `../` removed), as the app's router decodes percent-escapes before it matches a route;
 * the regex then anchors the prefix at a segment boundary, so `/admin` blocks `/admin` and `/admin/...` only.
 */
function blockedPaths(prefixes: string[], visibilityConfig: aws.types.input.wafv2.WebAclVisibilityConfig): aws.types.input.wafv2.WebAclRule {
    const escaped = prefixes.map((p) => p.replace(/\./g, "\\."));
    return {
        name: "private-paths", priority: 5, action: { block: {} }, visibilityConfig,
        statement: {
            regexMatchStatement: {
                regexString: `^(${escaped.join("|")})(/.*)?$`,
                fieldToMatch: { uriPath: {} },
                textTransformations: [{ priority: 0, type: "URL_DECODE" }, { priority: 1, type: "NORMALIZE_PATH" }],
            },
        },
    };
}

/**
 * A regional WAFv2 web ACL associated with every given load balancer: optional blocked path prefixes, the AWS
 * managed common rule set and
 * known-bad-inputs set, then two rate-based rules per client IP — a strict one on the order path (the
 * endpoint bots hammer during an on-sale; `orderMethod` + `orderPathRegex`) and a looser one for browsing.
 *
 * Cost: a web ACL is billed monthly plus per rule and per million requests; the two managed groups are free
 * of subscription fees (they are AWS's baseline groups) but count towards WCUs (700 + 200 of 5,000).
 */
export class WebFirewall extends pulumi.ComponentResource {
    /** The web ACL's ARN, to associate with load balancers. */
    readonly webAclArn: pulumi.Output<string>;
    /** The web ACL's name (the `WebACL` dimension of its CloudWatch metrics). */
    readonly webAclName: pulumi.Output<string>;

    /** The raw web ACL. */
    readonly resources: { webAcl: aws.wafv2.WebAcl };

    constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        const c = WEB_FIREWALL_CONTRACT.resolve(name, args);
        const order = c.orderRateLimitPer5Min;
        const browse = c.browseRateLimitPer5Min;
        const blocked = c.blockedPathPrefixes;
        argChecker("WebFirewall", name).that(args.loadBalancerArns.length >= 1, "loadBalancerArns", args.loadBalancerArns.length, "must name at least one load balancer");
        super("boxoffice:edge:WebFirewall", name, {}, opts);
        const parent = { parent: this };
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${name}-${metric}` });
        const managed = (priority: number, group: string) => ({
            name: group, priority, overrideAction: { none: {} }, visibilityConfig: visibility(group),
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        });
        const t = args.transform ?? {};
        const acl = child(aws.wafv2.WebAcl, `${name}-acl`, {
            scope: "REGIONAL",
            description: `boxoffice ${name}: managed rules and per-IP rate limits`,
            defaultAction: { allow: {} },
            rules: [
                ...(blocked.length > 0 ? [blockedPaths(blocked, visibility("private-paths"))] : []),
                managed(10, "AWSManagedRulesCommonRuleSet"),
                managed(20, "AWSManagedRulesKnownBadInputsRuleSet"),
                {
                    // Evaluated before the browse limit so an order flood is blocked at the lower threshold.
                    name: "order-rate", priority: 30, action: { block: {} }, visibilityConfig: visibility("order-rate"),
                    statement: {
                        rateBasedStatement: {
                            limit: order, aggregateKeyType: "IP",
                            scopeDownStatement: {
                                andStatement: {
                                    statements: [
                                        { byteMatchStatement: { searchString: c.orderMethod, positionalConstraint: "EXACTLY", fieldToMatch: { method: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } },
                                        { regexMatchStatement: { regexString: c.orderPathRegex, fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "URL_DECODE" }] } },
                                    ],
                                },
                            },
                        },
                    },
                },
                {
                    name: "browse-rate", priority: 40, action: { block: {} }, visibilityConfig: visibility("browse-rate"),
                    statement: { rateBasedStatement: { limit: browse, aggregateKeyType: "IP" } },
                },
            ],
            visibilityConfig: visibility("acl"),
            tags: { ...args.tags, [TIER_TAG]: "load-balancer", Name: `${name}-acl` },
        }, parent, t.webAcl);
        args.loadBalancerArns.forEach((arn, i) => child(aws.wafv2.WebAclAssociation, `${name}-assoc-${i + 1}`, { resourceArn: arn, webAclArn: acl.arn }, parent, t.association));
        this.webAclArn = acl.arn;
        this.webAclName = acl.name;
        this.resources = { webAcl: acl };
        this.registerOutputs({ webAclArn: this.webAclArn });
    }
}
