/** PairedLoadBalancers: private paths (listener rules and the WAF rule before them) and the web ACL's rate rules. */
import * as assert from "assert";
import { byName, inputsOf, ofType, promiseOf } from "../../../tools/offline/values";
import { WafRule } from "../../support/waf-rule";
import { T, base, build } from "./paired-load-balancers-fixture";

describe("PairedLoadBalancers: private paths and the web ACL", () => {
    let shared: Awaited<ReturnType<typeof build>>;
    before(async () => {
        shared = await build(base());
    });

    it("private paths: every listener answers <prefix> and <prefix>/* with a fixed 404 ahead of the forward, and the WAF blocks them first", async () => {
        for (const https of [true, false]) {
            const args = https
                ? base()
                : { ...base(), domain: undefined, hostedZoneId: undefined, allowPlainHttp: true };
            const { run, lb } = await build({ ...args, privatePaths: ["/admin", "/metrics"] });
            const listeners = ofType(run, T.listener);
            assert.strictEqual(listeners.length, https ? 4 : 2);
            const rules = ofType(run, T.rule).map((r) => inputsOf(r));
            for (const l of listeners) {
                const own = rules
                    .filter((r) => r.listenerArn === l.outputs.arn)
                    .sort((a, b) => a.priority - b.priority);
                assert.deepStrictEqual(
                    own.map((r) => [r.priority, r.conditions[0].pathPattern.values]),
                    [
                        [1, ["/admin", "/admin/*"]],
                        [2, ["/metrics", "/metrics/*"]],
                    ],
                    l.name,
                );
                for (const r of own) {
                    assert.deepStrictEqual(r.actions, [
                        {
                            type: "fixed-response",
                            fixedResponse: {
                                statusCode: "404",
                                contentType: "application/json",
                                messageBody: '{"error":"not_found"}',
                            },
                        },
                    ]);
                    // A condition takes at most three values (ELB limits); one rule per prefix keeps each at two.
                    assert.ok(
                        r.conditions.every(
                            (c: { pathPattern: { values: string[] } }) => c.pathPattern.values.length <= 3,
                        ),
                    );
                }
            }
            assert.strictEqual(
                lb.listeners.length,
                listeners.length,
                "the rules are not listeners the service waits for",
            );
            const [first] = inputsOf(ofType(run, T.acl)[0]).rules;
            assert.deepStrictEqual([first.name, first.priority, first.action], ["private-paths", 5, { block: {} }]);
            const regex = first.statement.regexMatchStatement;
            assert.deepStrictEqual(
                regex.textTransformations.map((t: { type: string }) => t.type),
                ["URL_DECODE", "NORMALIZE_PATH"],
            );
            // What WAF sees after its transformations, approximated with the WHATWG URL parser: decode, then normalise.
            const seen = (raw: string) =>
                new URL(decodeURIComponent(raw).replace(/\/{2,}/g, "/"), "https://x").pathname;
            const blocked = (raw: string) => new RegExp(regex.regexString).test(seen(raw));
            for (const p of [
                "/admin",
                "/admin/mode",
                "/%61dmin/mode",
                "//admin/mode",
                "/metrics",
                "/metrics/",
                "/%6detrics",
                "/x/../metrics",
                "/./metrics",
            ])
                assert.ok(blocked(p), p);
            for (const p of ["/healthz", "/events", "/administrator", "/metricsx", "/events/admin"])
                assert.ok(!blocked(p), p);
        }
    });

    it("without private paths: no listener rules and no path rule in the WAF", async () => {
        const { run } = shared;
        assert.strictEqual(ofType(run, T.rule).length, 0);
        assert.ok(inputsOf(ofType(run, T.acl)[0]).rules.every((r: { name: string }) => r.name !== "private-paths"));
    });

    it("puts one WAF ACL on both ALBs, stricter on POST /events/*/orders and on the queue join", async () => {
        const { run, lb } = await build({
            ...base(),
            orderRateLimitPer5Min: 200,
            queueJoinRateLimitPer5Min: 60,
            browseRateLimitPer5Min: 5000,
        });
        const arns = await Promise.all(lb.loadBalancerArns.map(promiseOf));
        assert.deepStrictEqual(
            ["lb-waf-assoc-1", "lb-waf-assoc-2"].map((n) => inputsOf(byName(run, T.assoc, n)).resourceArn),
            arns,
        );
        const acl = inputsOf(ofType(run, T.acl)[0]);
        assert.strictEqual(acl.scope, "REGIONAL");
        const rules = Object.fromEntries(acl.rules.map((r: { name: string }) => [r.name, r]));
        assert.ok(rules.AWSManagedRulesCommonRuleSet && rules.AWSManagedRulesKnownBadInputsRuleSet);
        const order = rules["order-rate"].statement.rateBasedStatement;
        assert.strictEqual(order.limit, 200);
        const [method, path] = order.scopeDownStatement.andStatement.statements;
        assert.strictEqual(method.byteMatchStatement.searchString, "POST");
        assert.ok(new RegExp(path.regexMatchStatement.regexString).test("/events/abc/orders"));
        assert.strictEqual(rules["browse-rate"].statement.rateBasedStatement.limit, 5000);
        assert.ok(rules["order-rate"].priority < rules["browse-rate"].priority);
        const join = rules["queue-join-rate"].statement.rateBasedStatement;
        assert.strictEqual(join.limit, 60);
        assert.ok(
            new RegExp(join.scopeDownStatement.andStatement.statements[1].regexMatchStatement.regexString).test(
                "/events/abc/queue",
            ),
        );
        assert.ok(rules["queue-join-rate"].priority < rules["browse-rate"].priority);
        const defaults = (inputsOf(ofType(shared.run, T.acl)[0]).rules as WafRule[]).find(
            (r) => r.name === "queue-join-rate",
        );
        assert.strictEqual(defaults?.statement.rateBasedStatement.limit, 100);
    });
});
