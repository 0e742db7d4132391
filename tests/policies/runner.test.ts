/**
 * The runner behaves like the engine: enforcement levels from the policy config (`all` and per policy),
 * schema defaults and validation as the CLI does them, unknown values downgraded to advisory "can't run
 * during preview", secrets unwrapped, resource references replaced by id/URN, `notApplicable` silent,
 * `disabled` policies not run, explicit providers handed to the rules.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../../policies/rules";
import { readPackConfigFile, reconcilePackConfig } from "../../tools/policy-config";
import {
    defaultPolicyConfigFile,
    evaluatePolicies,
    evaluateRegistrations,
    hasMandatoryViolations,
} from "../../tools/policy-runner";
import {
    PROD,
    STAGING,
    UNKNOWN,
    baseline,
    evaluate,
    mutated,
    registrations,
    resourceRef,
    secret,
    urnOf,
    without,
    PROJECT,
    STACK,
} from "./fixture";

describe("policy runner (engine fidelity)", () => {
    it("staging config: the same violation is advisory, so nothing blocks", async () => {
        const report = await evaluate(without("nat-b"), STAGING);
        const nat = report.violations.filter((v) => v.policy === "nat-gateway-per-az");
        assert.deepStrictEqual(
            nat.map((v) => v.level),
            ["advisory"],
        );
        assert.ok(report.violations.every((v) => v.level === "advisory"));
        assert.strictEqual(hasMandatoryViolations(report), false);
        const prod = await evaluate(without("nat-b"), PROD);
        assert.strictEqual(hasMandatoryViolations(prod), true);
    });

    it("no config file: every rule at its own level (mandatory, IAM auth advisory)", async () => {
        const report = await evaluate(
            mutated("db", (p) => {
                p.multiAz = false;
                p.iamDatabaseAuthenticationEnabled = false;
            }),
            {},
        );
        const level = (name: string) => report.violations.find((v) => v.policy === name)?.level;
        assert.strictEqual(level("rds-multi-az"), "mandatory");
        assert.strictEqual(level("rds-iam-authentication"), "advisory");
    });

    it("per-policy entries override `all`, and `disabled` removes a policy from the run", async () => {
        const fixture = mutated("db", (p) => {
            p.multiAz = false;
            p.deletionProtection = false;
        });
        const report = await evaluate(fixture, {
            all: "advisory",
            "rds-multi-az": "mandatory",
            "rds-deletion-protection": { enforcementLevel: "disabled" },
        });
        assert.strictEqual(report.violations.find((v) => v.policy === "rds-multi-az")?.level, "mandatory");
        assert.ok(!report.violations.some((v) => v.policy === "rds-deletion-protection"));
        assert.ok(!report.policies.includes("rds-deletion-protection"));
        assert.strictEqual(report.policies.length, policies.length - 1);
    });

    it("config properties reach the rules through getConfig, over the schema defaults", async () => {
        const fixture = mutated("db", (p) => {
            p.backupRetentionPeriod = 10;
        });
        const strict = await evaluate(fixture, { all: "mandatory", "rds-backup-retention": { minimumDays: 14 } });
        assert.match(
            strict.violations.find((v) => v.policy === "rds-backup-retention")?.message ?? "",
            /10 day\(s\); at least 14/,
        );
        const defaults = reconcilePackConfig(policies, {});
        assert.deepStrictEqual(defaults["rds-backup-retention"].properties, { minimumDays: 7 });
        assert.deepStrictEqual(defaults["rto-budget"].properties, { sloSeconds: 300, redisFailoverSeconds: 60 });
        const slo = await evaluate(baseline(), { all: "mandatory", "rto-budget": { sloSeconds: 60 } });
        assert.match(
            slo.violations.find((v) => v.policy === "rto-budget")?.message ?? "",
            /database db: recovery 81.6 s exceeds the 60 s RTO SLO \(Multi-AZ instance failover 120 s − 32 % behind RDS Proxy = 81.6 s\)/,
        );
    });

    it("rejects config the CLI would reject: bad level, wrong type, out of range, unknown policy", () => {
        assert.throws(
            () => reconcilePackConfig(policies, { all: "blocking" as never }),
            /not a valid enforcement level/,
        );
        assert.throws(
            () => reconcilePackConfig(policies, { "rds-backup-retention": { minimumDays: "7" } }),
            /rds-backup-retention: minimumDays: Invalid type. Expected: integer/,
        );
        assert.throws(
            () => reconcilePackConfig(policies, { "rds-backup-retention": { minimumDays: 40 } }),
            /Must be less than or equal to 35/,
        );
        assert.throws(
            () => reconcilePackConfig(policies, { "no-such-rule": "mandatory" }),
            /no-such-rule: no such policy/,
        );
        assert.throws(
            () => reconcilePackConfig(policies, { "no-single-point-of-failure": { requiredTiers: ["dns"] } }),
            /requiredTiers.0: must be one of/,
        );
    });

    it("the shipped prod and staging configs are valid and prod is mandatory, staging advisory", () => {
        const prod = reconcilePackConfig(policies, PROD);
        const staging = reconcilePackConfig(policies, STAGING);
        for (const p of policies) {
            assert.strictEqual(
                prod[p.name].enforcementLevel,
                p.name === "rds-iam-authentication" ? "advisory" : "mandatory",
                p.name,
            );
            assert.strictEqual(staging[p.name].enforcementLevel, "advisory", p.name);
        }
        assert.strictEqual(prod["backup-vault-lock"].properties.required, true);
        assert.strictEqual(staging["backup-vault-lock"].properties.required, false);
    });

    it("an unknown value (preview) makes the rule advisory 'can't run during preview', never a false pass or block", async () => {
        const report = await evaluate(
            mutated("db", (p) => {
                p.multiAz = UNKNOWN;
            }),
        );
        const hit = report.violations.find((v) => v.policy === "rds-multi-az");
        assert.strictEqual(hit?.level, "advisory");
        assert.match(
            hit?.message ?? "",
            /can't run policy 'rds-multi-az' from policy pack 'boxoffice@v0.1.0' during preview: string value at .multiAz can't be known during preview/,
        );
    });

    it("secrets are unwrapped for the rules (a secret AUTH token counts as set)", async () => {
        const report = await evaluate(
            mutated("redis", (p) => {
                p.authToken = secret("x".repeat(32));
            }),
        );
        assert.ok(!report.violations.some((v) => v.policy === "redis-auth"));
    });

    it("resource references become the id (custom) or URN (component), as the engine sends them", async () => {
        // The subnet group names the subnets by reference; the proxy's subnets are references with ids.
        const fixture = mutated("proxy", (p) => {
            p.vpcSubnetIds = [
                resourceRef(urnOf("aws:ec2/subnet:Subnet", "iso-a"), "subnet-iso-a"),
                resourceRef("urn:pulumi:test::boxoffice::boxoffice:x:Y::c"),
            ];
        });
        const report = await evaluate(fixture);
        assert.ok(!report.violations.some((v) => v.policy === "rds-proxy-tls"), JSON.stringify(report.violations));
        const single = await evaluate(
            mutated("proxy", (p) => {
                p.vpcSubnetIds = [resourceRef(urnOf("aws:ec2/subnet:Subnet", "iso-a"), "subnet-iso-a")];
            }),
        );
        assert.ok(single.violations.some((v) => v.policy === "rds-proxy-tls"));
    });

    it("an explicit provider's region is what the backup copy rule compares against", async () => {
        const fixture = baseline();
        fixture.push({ type: "pulumi:providers:aws", name: "dr", props: { region: "eu-central-1" } });
        const plan = fixture.find((s) => s.name === "plan")!;
        plan.provider = `${urnOf("pulumi:providers:aws", "dr")}::dr-id`;
        const report = await evaluate(fixture);
        const hits = report.violations.filter((v) => v.policy === "backup-cross-region-copy");
        assert.strictEqual(hits.length, 3, JSON.stringify(hits));
        assert.match(hits[0].message, /copies only within eu-central-1/);
    });

    it("stack violations without a resource are attributed to the root stack", async () => {
        const report = await evaluate(without("redis", "memcached"));
        const hit = report.violations.find(
            (v) => v.policy === "no-single-point-of-failure" && /tier cache/.test(v.message),
        );
        assert.strictEqual(hit?.urn, urnOf("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`));
    });

    it("not-applicable rules stay silent (no RDS in the stack)", async () => {
        const fixture = without(
            "db",
            "db-replica",
            "proxy-target",
            "proxy",
            "pg",
            "db-subnets",
            "aurora",
            "aurora-a",
            "aurora-b",
            "orders",
        );
        const report = await evaluate(fixture);
        assert.ok(!report.violations.some((v) => v.policy.startsWith("rds-")), JSON.stringify(report.violations));
        assert.ok(
            report.violations.some((v) => v.policy === "no-single-point-of-failure" && /tier database/.test(v.message)),
        );
    });

    it("concurrent evaluations with different configs do not leak config into each other", async () => {
        const fixture = without("nat-b");
        const [a, b] = await Promise.all([evaluate(fixture, PROD), evaluate(fixture, STAGING)]);
        assert.ok(a.violations.every((v) => v.policy === "rds-iam-authentication" || v.level === "mandatory"));
        assert.ok(b.violations.every((v) => v.level === "advisory"));
    });

    it("evaluatePolicies reads policies/config/<environment>.json by default, or the given file", async () => {
        const run = {
            project: PROJECT,
            stack: "anything",
            config: { "aws:region": "eu-west-1", "boxoffice:environment": "staging" },
            resources: registrations(without("nat-b")),
            stackOutputs: {},
            secretConfigKeys: [],
        };
        assert.strictEqual(path.basename(defaultPolicyConfigFile(run)), "staging.json");
        const staging = await evaluatePolicies(run as never);
        assert.strictEqual(hasMandatoryViolations(staging), false);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "strict.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory" }));
        const strict = await evaluatePolicies(run as never, file);
        assert.strictEqual(hasMandatoryViolations(strict), true);
        assert.deepStrictEqual(readPackConfigFile(file), { all: "mandatory" });
    });

    it("evaluates a whole stack through one Analyze per resource and one AnalyzeStack", async () => {
        const report = await evaluateRegistrations(
            { project: PROJECT, stack: STACK, config: {}, resources: registrations(baseline()) },
            { config: PROD },
        );
        assert.deepStrictEqual(report.violations, []);
    });
});
