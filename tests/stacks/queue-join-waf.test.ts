/** `boxoffice:loadBalancers.queueJoinRateLimitPer5Min`: its default, its way into the stack's WAF, and bad values (exit 2). */
import * as assert from "assert";
import { ProgramRun, runStack } from "../../tools/offline/engine";
import { inputsOf, ofType } from "../../tools/offline/values";
import { parsePlatformConfig } from "../../stacks/config/load";
import { planStackFile } from "../support/plan-stack-file";
import { WafRule } from "../support/waf-rule";

const ACL = "aws:wafv2/webAcl:WebAcl";

function joinRule(run: ProgramRun): WafRule {
    const acls = ofType(run, ACL);
    assert.strictEqual(acls.length, 1);
    const rule = (inputsOf(acls[0]).rules as WafRule[]).find((r) => r.name === "queue-join-rate");
    assert.ok(rule, "a queue-join-rate rule");
    return rule;
}

/** `npm run plan` on our program with these load balancer settings in a stack file of its own. */
function planWith(loadBalancers: string) {
    return planStackFile([
        "aws:region: eu-west-1",
        "boxoffice:environment: staging",
        `boxoffice:loadBalancers: ${loadBalancers}`,
    ]);
}

describe("the queue-join WAF limit in the stacks", function () {
    this.timeout(60_000);

    it("defaults to 100 per 5 minutes per client IP in both environments", () => {
        const prod = parsePlatformConfig(
            { environment: "prod", loadBalancers: { domain: "tickets.example.org", hostedZoneId: "Z123" } },
            "eu-west-1",
        );
        const staging = parsePlatformConfig({ environment: "staging" }, "eu-west-1");
        assert.deepStrictEqual(
            [prod.loadBalancers.queueJoinRateLimitPer5Min, staging.loadBalancers.queueJoinRateLimitPer5Min],
            [100, 100],
        );
    });

    it("reaches the prod stack's web ACL: shipped value, and an override", async () => {
        const shipped = joinRule(await runStack({ stack: "prod" }));
        assert.strictEqual(shipped.statement.rateBasedStatement.limit, 100);
        assert.strictEqual(shipped.visibilityConfig.metricName, "boxoffice-prod-waf-queue-join-rate");
        const raised = joinRule(
            await runStack({
                stack: "prod",
                configOverrides: { "boxoffice:loadBalancers": { queueJoinRateLimitPer5Min: 250 } },
            }),
        );
        assert.strictEqual(raised.statement.rateBasedStatement.limit, 250);
    });

    it("makes the plan command exit 2 before registering anything, naming key, value and rule", () => {
        const low = planWith("{ queueJoinRateLimitPer5Min: 5 }");
        assert.strictEqual(low.status, 2);
        assert.strictEqual(low.stdout, "");
        assert.match(
            String(low.stderr),
            /boxoffice:loadBalancers\.queueJoinRateLimitPer5Min = 5: must be 10\.\.2000000000 \(WAF rate-based rule limit per 5-minute window\)/,
        );

        const loose = planWith("{ queueJoinRateLimitPer5Min: 5000, browseRateLimitPer5Min: 1000 }");
        assert.strictEqual(loose.status, 2);
        assert.strictEqual(loose.stdout, "");
        assert.match(
            String(loose.stderr),
            /boxoffice:loadBalancers\.queueJoinRateLimitPer5Min = 5000: must not exceed browseRateLimitPer5Min \(1000\): the queue join is the stricter one/,
        );
    });
});
