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
export const rateLimit = () =>
    field.int(RATE_LIMIT_MIN, RATE_LIMIT_MAX, "WAF rate-based rule limit per 5-minute window");

/** The rule between the two limits, shared by every contract that carries them. */
export function rateLimitOrderProblem(order: number, browse: number): string | undefined {
    return order <= browse
        ? undefined
        : `must not exceed browseRateLimitPer5Min (${browse}): the order path is the stricter one`;
}

/** The same rule for the queue join: the browse rule counts joins too, so a looser join limit could never act. */
export function rateLimitQueueJoinProblem(queueJoin: number, browse: number): string | undefined {
    return queueJoin <= browse
        ? undefined
        : `must not exceed browseRateLimitPer5Min (${browse}): the queue join is the stricter one`;
}

/** A URL path regex for a scoped rate rule: it must compile, and be anchored (WAF matches anywhere in the path otherwise). */
const pathRegex = () =>
    field.checked((v) => {
        try {
            new RegExp(v);
            return v.startsWith("^")
                ? undefined
                : "must be anchored with ^ (WAF matches anywhere in the path otherwise)";
        } catch {
            return "must be a regular expression";
        }
    }, "a regular expression over the URL path");
const httpMethod = () => field.text(/^[A-Z]+$/, "an HTTP method in capitals, e.g. POST");

export const WEB_FIREWALL_CONTRACT = defineContract({
    component: "WebFirewall",
    fields: {
        orderRateLimitPer5Min: rateLimit(),
        browseRateLimitPer5Min: rateLimit(),
        orderMethod: httpMethod(),
        orderPathRegex: pathRegex(),
        queueJoinRateLimitPer5Min: rateLimit(),
        queueJoinMethod: httpMethod(),
        queueJoinPathRegex: pathRegex(),
        blockedPathPrefixes: z.array(field.text(PATH_PREFIX, "a path prefix like /admin"), {
            error: "must be a list of path prefixes",
        }),
    },
    defaults: {
        orderRateLimitPer5Min: 300,
        browseRateLimitPer5Min: 3000,
        orderMethod: "POST",
        // The ticket service's order endpoint, `POST /events/{id}/orders`: what bots hammer during an on-sale.
        orderPathRegex: "^/events/[^/]+/orders/?$",
        // The waiting room's join, `POST /events/{id}/queue`: each call with a new visitor id takes a new place.
        queueJoinRateLimitPer5Min: 100,
        queueJoinMethod: "POST",
        queueJoinPathRegex: "^/events/[^/]+/queue/?$",
        blockedPathPrefixes: [],
    },
    rules: (v, report) => {
        const order = rateLimitOrderProblem(v.orderRateLimitPer5Min, v.browseRateLimitPer5Min);
        if (order) report("orderRateLimitPer5Min", order);
        const join = rateLimitQueueJoinProblem(v.queueJoinRateLimitPer5Min, v.browseRateLimitPer5Min);
        if (join) report("queueJoinRateLimitPer5Min", join);
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
    /**
     * Requests per client IP per 5 minutes to the waiting room's join (`queueJoinMethod` + `queueJoinPathRegex`)
     * before WAF blocks; at most `browseRateLimitPer5Min`. A visitor joins once per event (joining again with
     * the same visitor id returns its place, and still counts), but every join with a new visitor id takes a new
     * place, so one client could otherwise fill the line. Visitors behind one NAT share the budget: raise it for
     * a sale whose buyers sit behind few addresses (a campus, a carrier-grade NAT). @default 100
     */
    queueJoinRateLimitPer5Min?: number;
    /** Method of the queue join requests. @default "POST" */
    queueJoinMethod?: string;
    /**
     * URL path (URL-decoded) of the queue join, anchored with `^`; the default is the ticket service's
     * `POST /events/{id}/queue` (not its status polls, `GET /events/{id}/queue/{ticket}`). @default "^/events/[^/]+/queue/?$"
     */
    queueJoinPathRegex?: string;
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
function blockedPaths(
    prefixes: string[],
    visibilityConfig: aws.types.input.wafv2.WebAclVisibilityConfig,
): aws.types.input.wafv2.WebAclRule {
    const escaped = prefixes.map((p) => p.replace(/\./g, "\\."));
    return {
        name: "private-paths",
        priority: 5,
        action: { block: {} },
        visibilityConfig,
        statement: {
            regexMatchStatement: {
                regexString: `^(${escaped.join("|")})(/.*)?$`,
                fieldToMatch: { uriPath: {} },
                textTransformations: [
                    { priority: 0, type: "URL_DECODE" },
                    { priority: 1, type: "NORMALIZE_PATH" },
                ],
            },
        },
    };
}

/**
 * A rate-based rule per client IP counting only `method` requests whose URL-decoded path matches `regex`.
 * Shapes chosen from the WAF Developer Guide (rate-based statements and their high-level settings, scope-down
 * statements, match statements;
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html,
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-scope-down-statements.html,
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statements-match.html):
 * - The limit's floor is 10 per window. The evaluation window may be 60, 120, 300 or 600 s; it is left at its
 *   default, 300 s, which the `...Per5Min` names promise and which the browse rule shares.
 * - The scope-down statement makes the rule count (and block) only matching requests; others pass it untouched.
 * - The path is one inline regex match (3 WCUs + 10 for the URL_DECODE transformation). A byte match cannot say
 *   "one segment between /events/ and /queue" (STARTS_WITH and ENDS_WITH together also match deeper paths), and a
 *   regex pattern set is a separate resource costing 25 WCUs, worth it only for many patterns shared by rules.
 */
function scopedRateRule(
    rule: string,
    priority: number,
    limit: number,
    method: string,
    regex: string,
    visibilityConfig: aws.types.input.wafv2.WebAclVisibilityConfig,
): aws.types.input.wafv2.WebAclRule {
    return {
        name: rule,
        priority,
        action: { block: {} },
        visibilityConfig,
        statement: {
            rateBasedStatement: {
                limit,
                aggregateKeyType: "IP",
                scopeDownStatement: {
                    andStatement: {
                        statements: [
                            {
                                byteMatchStatement: {
                                    searchString: method,
                                    positionalConstraint: "EXACTLY",
                                    fieldToMatch: { method: {} },
                                    textTransformations: [{ priority: 0, type: "NONE" }],
                                },
                            },
                            {
                                regexMatchStatement: {
                                    regexString: regex,
                                    fieldToMatch: { uriPath: {} },
                                    textTransformations: [{ priority: 0, type: "URL_DECODE" }],
                                },
                            },
                        ],
                    },
                },
            },
        },
    };
}

/**
 * A regional WAFv2 web ACL associated with every given load balancer: optional blocked path prefixes, the AWS
 * managed common rule set and known-bad-inputs set, then three rate-based rules per client IP — strict ones on
 * the order path (the endpoint bots hammer during an on-sale; `orderMethod` + `orderPathRegex`) and on the
 * waiting room's join (`queueJoinMethod` + `queueJoinPathRegex`), and a looser one for browsing.
 *
 * Cost: a web ACL is billed monthly plus per rule and per million requests; the two managed groups are free
 * of subscription fees (they are AWS's baseline groups) but count towards WCUs (700 + 200; the ACL's own rules
 * add about 60, inside the 1,500 its base price covers; see
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html).
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
        argChecker("WebFirewall", name).that(
            args.loadBalancerArns.length >= 1,
            "loadBalancerArns",
            args.loadBalancerArns.length,
            "must name at least one load balancer",
        );
        super("boxoffice:edge:WebFirewall", name, {}, opts);
        const parent = { parent: this };
        const visibility = (metric: string) => ({
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: `${name}-${metric}`,
        });
        const managed = (priority: number, group: string) => ({
            name: group,
            priority,
            overrideAction: { none: {} },
            visibilityConfig: visibility(group),
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        });
        const t = args.transform ?? {};
        const acl = child(
            aws.wafv2.WebAcl,
            `${name}-acl`,
            {
                scope: "REGIONAL",
                description: `boxoffice ${name}: managed rules and per-IP rate limits`,
                defaultAction: { allow: {} },
                rules: [
                    ...(blocked.length > 0 ? [blockedPaths(blocked, visibility("private-paths"))] : []),
                    managed(10, "AWSManagedRulesCommonRuleSet"),
                    managed(20, "AWSManagedRulesKnownBadInputsRuleSet"),
                    // Both scoped limits come before the browse limit, so a flood of orders or joins is blocked at its own,
                    // lower threshold; with the default paths they count disjoint requests, so their relative order is moot.
                    scopedRateRule("order-rate", 30, order, c.orderMethod, c.orderPathRegex, visibility("order-rate")),
                    scopedRateRule(
                        "queue-join-rate",
                        35,
                        c.queueJoinRateLimitPer5Min,
                        c.queueJoinMethod,
                        c.queueJoinPathRegex,
                        visibility("queue-join-rate"),
                    ),
                    {
                        name: "browse-rate",
                        priority: 40,
                        action: { block: {} },
                        visibilityConfig: visibility("browse-rate"),
                        statement: { rateBasedStatement: { limit: browse, aggregateKeyType: "IP" } },
                    },
                ],
                visibilityConfig: visibility("acl"),
                tags: { ...args.tags, [TIER_TAG]: "load-balancer", Name: `${name}-acl` },
            },
            parent,
            t.webAcl,
        );
        args.loadBalancerArns.forEach((arn, i) =>
            child(
                aws.wafv2.WebAclAssociation,
                `${name}-assoc-${i + 1}`,
                { resourceArn: arn, webAclArn: acl.arn },
                parent,
                t.association,
            ),
        );
        this.webAclArn = acl.arn;
        this.webAclName = acl.name;
        this.resources = { webAcl: acl };
        this.registerOutputs({ webAclArn: this.webAclArn });
    }
}
