/**
 * Other CrossGuard packs under the offline runner: a pack folder outside the repository (its
 * `new PolicyPack(...)` recorded, not served: this process would otherwise exit), its config layered like the
 * Pulumi CLI does it, and AWSGuard (an installed npm package) on our prod stack with the worked example's
 * config (policies/awsguard/config.json), whose remaining findings are exactly the ones the docs justify.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPack } from "../../tools/policy-packs";
import { evaluateRegistrations } from "../../tools/policy-runner";
import { baseline, registrations } from "../policies/fixture";

const ROOT = path.resolve(__dirname, "..", "..");
const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["tools/ts-run.js", "tools/policy-cli.ts", ...args], { cwd: ROOT, encoding: "utf8" });

/** A pack folder with no node_modules of its own: @pulumi/policy resolves from the repository. */
function tempPack(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-"));
    fs.writeFileSync(
        path.join(dir, "package.json"),
        JSON.stringify({ name: "tmp-pack", version: "1.2.3", main: "index.js" }),
    );
    fs.writeFileSync(
        path.join(dir, "index.js"),
        `
const { PolicyPack, validateResourceOfType } = require("@pulumi/policy");
new PolicyPack("tmp-pack", {
    enforcementLevel: "advisory",
    policies: [
        { name: "no-public-subnets", description: "Subnets never map public IPs.", validateResource: (args, report) => {
            if (args.type === "aws:ec2/subnet:Subnet" && args.props.mapPublicIpOnLaunch !== false) report("maps public IPs");
        } },
        { name: "no-buckets", description: "No S3 buckets in this account.", enforcementLevel: "mandatory", validateResource: (args, report) => {
            if (args.type === "aws:s3/bucket:Bucket") report("buckets are managed elsewhere");
        } },
    ],
}, { "no-public-subnets": "mandatory" });
`,
    );
    return dir;
}

describe("policy packs beyond ours", function () {
    this.timeout(120_000);

    it("records a pack folder's PolicyPack instead of serving it, with its version, levels and initial config", async () => {
        const dir = tempPack();
        const [pack] = loadPack(dir);
        assert.deepStrictEqual(
            [pack.name, pack.version, pack.enforcementLevel, pack.policies.map((p) => p.name)],
            ["tmp-pack", "1.2.3", "advisory", ["no-public-subnets", "no-buckets"]],
        );
        assert.strictEqual(loadPack(dir)[0], pack, "a pack loads once per process");
        const run = {
            project: "boxoffice",
            stack: "test",
            config: { "aws:region": "eu-west-1" },
            resources: registrations(baseline()),
        };
        const report = await evaluateRegistrations(run, { packs: [{ pack }] });
        assert.deepStrictEqual(report.packs, [{ name: "tmp-pack", version: "1.2.3", source: dir, policies: 2 }]);
        const levels = (policy: string) => [
            ...new Set(report.violations.filter((v) => v.policy === policy).map((v) => v.level)),
        ];
        // The initial config raised no-public-subnets to mandatory; no-buckets keeps its own level.
        assert.deepStrictEqual(levels("no-public-subnets"), []); // the baseline's subnets set mapPublicIpOnLaunch: false
        assert.deepStrictEqual(levels("no-buckets"), ["mandatory"]);
        assert.ok(report.violations.every((v) => v.pack === "tmp-pack"));
        // A config file overrides the initial config, as --policy-pack-config does.
        const relaxed = await evaluateRegistrations(run, { packs: [{ pack, config: { all: "advisory" } }] });
        assert.deepStrictEqual([...new Set(relaxed.violations.map((v) => v.level))], ["advisory"]);
        await assert.rejects(
            evaluateRegistrations(run, { packs: [{ pack, config: { "no-such": "mandatory" } }] }),
            /no-such: no such policy in pack tmp-pack/,
        );
    });

    it("--pack DIR --no-default-pack: only that pack judges the stack, through the CLI", () => {
        const r = cli("--stack", "prod", "--pack", tempPack(), "--no-default-pack");
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stdout, /^Program \., stack prod: tmp-pack 2 policies\n/);
        assert.match(
            r.stdout,
            /MANDATORY {2}tmp-pack\/no-buckets\n {4}resource: urn:pulumi:prod::boxoffice::.*aws:s3\/bucket:Bucket::/,
        );
        assert.doesNotMatch(r.stdout, /rds-iam-authentication/);
    });

    it("AWSGuard (npm package) runs offline next to ours on prod; the worked example's findings are the justified ones", () => {
        const r = cli(
            "--stack",
            "prod",
            "--json",
            "--pack",
            "@pulumi/awsguard",
            "--pack-config",
            "policies/awsguard/config.json",
        );
        assert.strictEqual(r.status, 0, r.stderr + r.stdout.slice(0, 2000));
        const report = JSON.parse(r.stdout).policy as {
            packs: { name: string; policies: number }[];
            violations: { pack: string; policy: string; level: string; urn: string }[];
        };
        assert.deepStrictEqual(
            report.packs.map((p) => p.name),
            ["boxoffice", "pulumi-awsguard"],
        );
        const awsguard = report.violations.filter((v) => v.pack === "pulumi-awsguard");
        // Exactly the kinds the docs justify: the two RDS rules on read replicas only, the S3 logging rule on
        // buckets (it cannot see aws.s3.BucketLogging), all advisory; the first three are there today.
        const seen = awsguard.map((v) => `${v.level} ${v.policy} ${v.urn.split("::").pop()}`);
        for (const expected of [
            "advisory rds-instance-backup-enabled boxoffice-prod-db-replica-1",
            "advisory rds-instance-multi-az-enabled boxoffice-prod-db-replica-1",
            "advisory s3-bucket-logging-enabled boxoffice-prod-access-logs",
        ]) {
            assert.ok(seen.includes(expected), `missing ${expected}; got ${seen.join("; ")}`);
        }
        for (const v of awsguard) {
            assert.strictEqual(v.level, "advisory", `${v.policy} ${v.urn}`);
            const ok =
                v.policy === "s3-bucket-logging-enabled"
                    ? /aws:s3\/bucket:Bucket::/.test(v.urn)
                    : /aws:rds\/instance:Instance::.*-replica-\d+$/.test(v.urn) &&
                      /^rds-instance-(backup|multi-az)-enabled$/.test(v.policy);
            assert.ok(ok, `an AWSGuard finding the docs do not justify: ${v.policy} on ${v.urn}`);
        }
    });

    it("a policy that calls an AWS API fails the run naming it, without leaving the machine", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-api-"));
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "api-pack", version: "0.0.1" }));
        fs.writeFileSync(
            path.join(dir, "index.js"),
            `
const https = require("https");
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("api-pack", { policies: [{ name: "certificate-expiry", description: "Asks ACM.", enforcementLevel: "mandatory",
    validateStack: () => new Promise((resolve, reject) => https.get("https://acm.eu-west-1.amazonaws.com/", resolve).on("error", reject)) }] });
`,
        );
        const r = cli("--stack", "prod", "--pack", dir, "--no-default-pack");
        assert.strictEqual(r.status, 2, r.stdout);
        assert.match(r.stderr, /certificate-expiry.*\n?.*network access to acm\.eu-west-1\.amazonaws\.com refused/);
    });
});
