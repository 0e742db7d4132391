/**
 * End to end: the real boxoffice program under the offline engine, judged by the pack with the shipped
 * policy configs. The stacks as shipped pass every mandatory rule; each risky prod config change is blocked,
 * by the policy named (or, where the typed config already refuses the value, by the config loader first:
 * either way `pulumi up` never runs).
 */
import * as assert from "assert";
import { runStack } from "../../tools/offline/engine";
import { PolicyReport, Violation, evaluatePolicies, hasMandatoryViolations } from "../../tools/policy-runner";
import { policies } from "../../policies/rules";

// Each run of the real program takes about a second, so the shipped stacks are run once and shared, and
// the mutations are the ones the issue lists (every rule has its own mutation tests on the fixture).

const mandatory = (r: PolicyReport): Violation[] => r.violations.filter((v) => v.level === "mandatory");
const show = (vs: Violation[]) =>
    vs.map((v) => `${v.policy} ${v.urn.split("::").pop()}: ${v.message.split("\n").pop()}`).join("\n  ");

type Mutation = [what: string, overrides: Record<string, unknown>, policies: string[]];

const PROD_MUTATIONS: Mutation[] = [
    [
        "Multi-AZ off",
        { "boxoffice:database": { multiAz: false } },
        ["rds-multi-az", "no-single-point-of-failure", "rto-budget"],
    ],
    ["PITR 1 day", { "boxoffice:database": { backupRetentionDays: 1 } }, ["rds-backup-retention"]],
    [
        "single NAT",
        { "boxoffice:network": { natGateways: "single" } },
        ["nat-gateway-per-az", "no-single-point-of-failure", "az-consistency"],
    ],
    ["one app task", { "boxoffice:app": { minTasks: 1 } }, ["ecs-service-min-tasks", "ecs-autoscaling-min-capacity"]],
    ["one Memcached node", { "boxoffice:memcached": { nodes: 1 } }, ["memcached-cross-az"]],
    ["no cross-region copy", { "boxoffice:backup": { copyToRegion: "eu-west-1" } }, ["backup-cross-region-copy"]],
    [
        "a schedule that drops to one task",
        {
            "boxoffice:scaling": {
                schedules: [
                    {
                        name: "night",
                        schedule: "cron(0 1 * * ? *)",
                        timezone: "Europe/Dublin",
                        appMinTasks: 1,
                        appMaxTasks: 1,
                    },
                ],
            },
        },
        ["ecs-scheduled-scaling-floor"],
    ],
];

describe("policy pack on the real stacks (offline engine)", function () {
    this.timeout(60_000);

    const shipped: Record<string, PolicyReport> = {};
    before(async () => {
        for (const stack of ["prod", "staging"]) {
            const run = await runStack({ stack });
            assert.ok(
                run.resources.length > 100,
                `the ${stack} program registered only ${run.resources.length} resources`,
            );
            shipped[stack] = await evaluatePolicies(run);
        }
    });

    for (const stack of ["prod", "staging"]) {
        it(`${stack} as shipped passes every mandatory rule`, () => {
            const report = shipped[stack];
            assert.strictEqual(report.policies.length, policies.length);
            assert.deepStrictEqual(
                mandatory(report),
                [],
                `mandatory violations in ${stack}:\n  ${show(mandatory(report))}`,
            );
        });
    }

    it("staging's single NAT gateway is reported, not blocked", () => {
        const report = shipped.staging;
        const nat = report.violations.filter((v) => v.policy === "nat-gateway-per-az");
        assert.deepStrictEqual(
            nat.map((v) => v.level),
            ["advisory"],
        );
        assert.strictEqual(hasMandatoryViolations(report), false);
    });

    for (const [what, overrides, expected] of PROD_MUTATIONS) {
        it(`prod: ${what} is blocked`, async () => {
            let run;
            try {
                run = await runStack({ stack: "prod", configOverrides: overrides });
            } catch (e) {
                // The typed config refuses some values outright; the message names the key.
                const key = Object.keys(overrides)[0];
                assert.match(
                    (e as Error).message,
                    new RegExp(`${key}\\.`),
                    `runStack failed for another reason: ${(e as Error).message}`,
                );
                return;
            }
            const report = await evaluatePolicies(run);
            const blocking = mandatory(report);
            const hit = blocking.filter((v) => expected.includes(v.policy));
            assert.ok(
                hit.length > 0,
                `expected a mandatory ${expected.join(" or ")} violation; got:\n  ${show(blocking) || "none"}`,
            );
        });
    }
});
