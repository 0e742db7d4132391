import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";

/** WAF rate-based rule limits (WAF Developer Guide, "Rate-based rule statement"): 10 .. 2,000,000,000 per window. */
const RATE_LIMIT_MIN = 10;
const RATE_LIMIT_MAX = 2_000_000_000;

export interface WebFirewallArgs {
    /** ARNs of the load balancers the web ACL protects; a plain list because one association exists per ARN. */
    loadBalancerArns: pulumi.Input<string>[];
    /** Requests per client IP per 5 minutes to `POST /events/{id}/orders` before WAF blocks. @default 300 */
    orderRateLimitPer5Min?: number;
    /** Requests per client IP per 5 minutes to anything before WAF blocks. @default 3000 */
    browseRateLimitPer5Min?: number;
    /**
     * Path prefixes blocked for every client (`<prefix>` and anything below it), matched after URL-decoding and
     * path normalisation so `/%61dmin` or `//admin/./x` cannot slip past. @default []
     * @example ["/admin", "/metrics"]
     */
    blockedPathPrefixes?: string[];
    /** Tags for every child. */
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
 * endpoint bots hammer during an on-sale) and a looser one for browsing.
 *
 * Cost: a web ACL is billed monthly plus per rule and per million requests; the two managed groups are free
 * of subscription fees (they are AWS's baseline groups) but count towards WCUs (700 + 200 of 5,000).
 */
export class WebFirewall extends pulumi.ComponentResource {
    readonly webAclArn: pulumi.Output<string>;
    readonly webAclName: pulumi.Output<string>;

    constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
        const order = args.orderRateLimitPer5Min ?? 300;
        const browse = args.browseRateLimitPer5Min ?? 3000;
        const check = argChecker("WebFirewall", name);
        check.intRange("orderRateLimitPer5Min", order, RATE_LIMIT_MIN, RATE_LIMIT_MAX, "WAF rate-based rule limit");
        check.intRange("browseRateLimitPer5Min", browse, RATE_LIMIT_MIN, RATE_LIMIT_MAX, "WAF rate-based rule limit");
        check.that(order <= browse, "orderRateLimitPer5Min", order, `must not exceed browseRateLimitPer5Min (${browse}): the order path is the stricter one`);
        check.that(args.loadBalancerArns.length >= 1, "loadBalancerArns", args.loadBalancerArns.length, "must name at least one load balancer");
        const blocked = args.blockedPathPrefixes ?? [];
        for (const p of blocked) check.that(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(p), "blockedPathPrefixes", p, "must be a path prefix like /admin");
        super("boxoffice:edge:WebFirewall", name, {}, opts);
        const parent = { parent: this };
        const visibility = (metric: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${name}-${metric}` });
        const managed = (priority: number, group: string) => ({
            name: group, priority, overrideAction: { none: {} }, visibilityConfig: visibility(group),
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        });
        const acl = new aws.wafv2.WebAcl(`${name}-acl`, {
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
                                        { byteMatchStatement: { searchString: "POST", positionalConstraint: "EXACTLY", fieldToMatch: { method: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } },
                                        { regexMatchStatement: { regexString: "^/events/[^/]+/orders/?$", fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "URL_DECODE" }] } },
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
        }, parent);
        args.loadBalancerArns.forEach((arn, i) => new aws.wafv2.WebAclAssociation(`${name}-assoc-${i + 1}`, { resourceArn: arn, webAclArn: acl.arn }, parent));
        this.webAclArn = acl.arn;
        this.webAclName = acl.name;
        this.registerOutputs({ webAclArn: this.webAclArn });
    }
}
