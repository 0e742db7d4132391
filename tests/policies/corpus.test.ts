/**
 * The corpus of sins, through the public CLI: small raw @pulumi/aws programs (tests/policies/corpus/<name>,
 * no boxoffice components), each with one sin, judged by `npm run policy -- --program <dir> --stack prod`.
 * Every sin is blocked in prod enforcement by the rules named here (and by no rule outside them), and the
 * clean baselines pass. The corpus runs in one CLI process (one --program per program) to keep the suite fast.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const CORPUS = path.join(__dirname, "corpus");
const policyCli = (...args: string[]) =>
    spawnSync(process.execPath, ["tools/ts-run.js", "tools/policy-cli.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });

/** Each sin and the mandatory rules that must block it (the first one is the rule the sin is about). */
const SINS: Record<string, string[]> = {
    "aurora-one-instance": ["aurora-multi-az", "no-single-point-of-failure", "rto-budget"],
    "aurora-unencrypted": ["rds-storage-encrypted"],
    "aurora-public": ["rds-not-public"],
    "aurora-skip-final-snapshot": ["rds-final-snapshot"],
    "aurora-no-deletion-protection": ["rds-deletion-protection"],
    "aurora-short-backups": ["rds-backup-retention"],
    "alb-module-invalid-headers": ["alb-drop-invalid-headers"],
    "alb-module-http-forward": ["alb-http-redirects-only"],
    "classic-elb-plain-http": ["elb-classic-hardened"],
    "single-ec2-instance": ["ec2-instance-redundancy"],
    "asg-one-az": ["autoscaling-group-ha", "no-single-point-of-failure"],
    "asg-min-one": ["autoscaling-group-ha", "no-single-point-of-failure"],
    "s3-public-acl": ["s3-no-public-acl"],
    "s3-public-policy": ["s3-no-public-policy"],
    "s3-no-public-access-block": ["s3-public-access-block"],
    "s3-no-tls-policy": ["s3-tls-only"],
    "dynamodb-no-pitr": ["dynamodb-pitr"],
    "rpo-no-region-copy": ["rpo-budget", "backup-cross-region-copy"],
    "rpo-single-az-database": ["rpo-budget", "rds-multi-az", "no-single-point-of-failure", "rto-budget"],
    "replicas-same-az": ["rds-replica-az-spread"],
    "single-entry-point": ["paired-entry-point"],
    "entry-point-unchecked": ["paired-entry-point"],
};
const BASELINES = ["baseline-rds", "baseline-aurora", "baseline-ec2"];

interface Outcome {
    program: string;
    error?: string;
    policy?: { violations: { policy: string; level: string; message: string }[] };
}

describe("corpus of sins (raw @pulumi/aws programs, public CLI, prod enforcement)", function () {
    this.timeout(180_000);
    let outcomes: Map<string, Outcome>;
    let status: number | null;

    before(() => {
        const dirs = [...Object.keys(SINS), ...BASELINES];
        const r = policyCli("--stack", "prod", "--json", ...dirs.flatMap((d) => ["--program", path.join(CORPUS, d)]));
        status = r.status;
        assert.ok(r.stdout.startsWith("{"), `no JSON report (exit ${r.status}): ${r.stderr}`);
        const doc = JSON.parse(r.stdout) as { programs: Outcome[] };
        outcomes = new Map(doc.programs.map((o) => [path.basename(o.program), o]));
    });

    it("covers every program folder of the corpus", () => {
        const folders = fs
            .readdirSync(CORPUS)
            .filter((f) => fs.statSync(path.join(CORPUS, f)).isDirectory())
            .sort();
        assert.deepStrictEqual(folders, [...Object.keys(SINS), ...BASELINES].sort());
        assert.strictEqual(status, 1, "the CLI exits 1 when any program is blocked");
    });

    for (const base of BASELINES) {
        it(`${base} passes with no violation at all`, () => {
            const o = outcomes.get(base)!;
            assert.strictEqual(o.error, undefined, o.error);
            assert.deepStrictEqual(
                o.policy!.violations.map((v) => `${v.level} ${v.policy}: ${v.message}`),
                [],
            );
        });
    }

    for (const [sin, rules] of Object.entries(SINS)) {
        it(`${sin} is blocked by ${rules.join(", ")}`, () => {
            const o = outcomes.get(sin)!;
            assert.strictEqual(o.error, undefined, o.error);
            const blocking = [
                ...new Set(o.policy!.violations.filter((v) => v.level === "mandatory").map((v) => v.policy)),
            ].sort();
            assert.deepStrictEqual(
                blocking,
                [...rules].sort(),
                `mandatory violations: ${JSON.stringify(o.policy!.violations.filter((v) => v.level === "mandatory"))}`,
            );
        });
    }

    it("one program alone: a baseline exits 0 and a sin exits 1 with its rule in the text report", () => {
        const clean = policyCli("--program", path.join(CORPUS, "baseline-rds"), "--stack", "prod");
        assert.strictEqual(clean.status, 0, clean.stdout + clean.stderr);
        assert.match(clean.stdout, /0 mandatory, 0 advisory violation\(s\): passes/);
        const sin = policyCli("--program", path.join(CORPUS, "aurora-one-instance"), "--stack", "prod");
        assert.strictEqual(sin.status, 1, sin.stderr);
        assert.match(
            sin.stdout,
            /MANDATORY {2}aurora-multi-az \(critical\)\n {4}resource: urn:pulumi:prod::corpus-aurora-one-instance::aws:rds\/cluster:Cluster::aurora\n {4}aurora: 1 cluster instance/,
        );
    });
});
