import * as assert from "assert";
import { WebFirewall, WebFirewallArgs } from "../../../components/edge/web-firewall";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType } from "../../../tools/offline/values";
import { WafRule } from "../../support/waf-rule";

type Run = Awaited<ReturnType<typeof runProgram>>;
const ACL = "aws:wafv2/webAcl:WebAcl";

async function rules(args: Partial<WebFirewallArgs> = {}, name = "waf"): Promise<Record<string, WafRule>> {
    const run: Run = await runProgram(() => {
        new WebFirewall(name, { loadBalancerArns: ["arn:alb"], ...args });
    });
    const acls = ofType(run, ACL);
    assert.strictEqual(acls.length, 1);
    return Object.fromEntries((inputsOf(acls[0]).rules as WafRule[]).map((r) => [r.name, r]));
}

/** The method and path regex a scoped rate rule counts, read from its scope-down statement. */
function scope(rule: WafRule): { method: string; regex: RegExp } {
    const [method, path] = rule.statement.rateBasedStatement.scopeDownStatement.andStatement.statements;
    return { method: method.byteMatchStatement.searchString, regex: new RegExp(path.regexMatchStatement.regexString) };
}

describe("WebFirewall: the waiting room's queue join", () => {
    it("limits POST /events/{id}/queue per client IP, blocking, before the browse limit", async () => {
        const all = await rules();
        const join = all["queue-join-rate"];
        assert.ok(join, "a queue-join-rate rule");
        assert.deepStrictEqual(join.action, { block: {} });
        assert.deepStrictEqual(join.visibilityConfig, {
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: "waf-queue-join-rate",
        });
        const rate = join.statement.rateBasedStatement;
        assert.deepStrictEqual([rate.limit, rate.aggregateKeyType], [100, "IP"]);
        // AWS's default window (300 s) is what the Per5Min name promises; the rule must not set another.
        assert.strictEqual(rate.evaluationWindowSec, undefined);
        const [method, path] = rate.scopeDownStatement.andStatement.statements;
        assert.deepStrictEqual(method.byteMatchStatement, {
            searchString: "POST",
            positionalConstraint: "EXACTLY",
            fieldToMatch: { method: {} },
            textTransformations: [{ priority: 0, type: "NONE" }],
        });
        // Decoded first, so `/events/e1/%71ueue` is counted like `/events/e1/queue`.
        assert.deepStrictEqual(path.regexMatchStatement.textTransformations, [{ priority: 0, type: "URL_DECODE" }]);
        assert.deepStrictEqual(path.regexMatchStatement.fieldToMatch, { uriPath: {} });
        assert.ok(all["order-rate"].priority < join.priority && join.priority < all["browse-rate"].priority);
        assert.strictEqual(
            new Set(Object.values(all).map((r) => r.priority)).size,
            Object.keys(all).length,
            "priorities are unique",
        );
    });

    it("counts the join only: not the status polls, the page, orders or other paths", async () => {
        const { regex } = scope((await rules())["queue-join-rate"]);
        for (const joins of ["/events/e1/queue", "/events/3f2a-9c/queue/"]) assert.ok(regex.test(joins), joins);
        for (const other of [
            "/events/e1/queue/AbC.123",
            "/events/e1/orders",
            "/events/e1/b/queue",
            "/xevents/e1/queue",
            "/events//queue",
            "/events/e1/queue/x/y",
            "/events/e1/queued",
        ]) {
            assert.ok(!regex.test(other), other);
        }
        const order = scope((await rules())["order-rate"]).regex;
        assert.ok(
            !order.test("/events/e1/queue") && !regex.test("/events/e1/orders"),
            "the two scoped rules count disjoint paths",
        );
    });

    it("takes the limit, method and path as arguments", async () => {
        const join = (
            await rules({ queueJoinRateLimitPer5Min: 40, queueJoinMethod: "PUT", queueJoinPathRegex: "^/line/join$" })
        )["queue-join-rate"];
        assert.strictEqual(join.statement.rateBasedStatement.limit, 40);
        const { method, regex } = scope(join);
        assert.deepStrictEqual([method, regex.source], ["PUT", "^\\/line\\/join$"]);
    });

    it("refuses bad arguments before any child exists, naming argument, value and rule", async () => {
        const cases: [Partial<WebFirewallArgs>, string][] = [
            [
                { queueJoinRateLimitPer5Min: 9 },
                'WebFirewall "waf": queueJoinRateLimitPer5Min = 9: must be 10..2000000000 (WAF rate-based rule limit per 5-minute window)',
            ],
            [
                { queueJoinRateLimitPer5Min: 2.5 },
                'WebFirewall "waf": queueJoinRateLimitPer5Min = 2.5: must be a whole number 10..2000000000 (WAF rate-based rule limit per 5-minute window)',
            ],
            [
                { queueJoinRateLimitPer5Min: 4000 },
                'WebFirewall "waf": queueJoinRateLimitPer5Min = 4000: must not exceed browseRateLimitPer5Min (3000): the queue join is the stricter one',
            ],
            [
                { queueJoinMethod: "post" },
                'WebFirewall "waf": queueJoinMethod = "post": must be an HTTP method in capitals, e.g. POST',
            ],
            [
                { queueJoinPathRegex: "/events/[^/]+/queue" },
                'WebFirewall "waf": queueJoinPathRegex = "/events/[^/]+/queue": must be anchored with ^ (WAF matches anywhere in the path otherwise)',
            ],
            [
                { queueJoinPathRegex: "^/events/(" },
                'WebFirewall "waf": queueJoinPathRegex = "^/events/(": must be a regular expression',
            ],
        ];
        for (const [over, message] of cases) {
            let thrown: Error | undefined;
            const run = await runProgram(() => {
                try {
                    new WebFirewall("waf", { loadBalancerArns: ["arn:alb"], ...over });
                } catch (e) {
                    thrown = e as Error;
                }
            });
            assert.strictEqual(thrown?.message, message);
            assert.deepStrictEqual(
                run.resources.map((r) => r.type).filter((t) => t !== "pulumi:pulumi:Stack"),
                [],
                `nothing registered for ${JSON.stringify(over)}`,
            );
        }
    });
});
