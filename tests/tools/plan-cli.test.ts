import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../tools/offline/stack-files";

/** Runs the plan command as `npm run plan` does, in a separate process. */
function plan(args: string[]) {
    const result = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, "tools/ts-run.js"), path.join(REPO_ROOT, "tools/plan-cli.ts"), ...args],
        {
            cwd: REPO_ROOT,
            encoding: "utf8",
            timeout: 60_000,
        },
    );
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project folder of its own whose `main` is this repository's program (an absolute path). */
function tempProject(stackYaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-plan-"));
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        `name: boxoffice\nruntime: nodejs\nmain: ${path.join(REPO_ROOT, "stacks")}/\n`,
    );
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stackYaml);
    return dir;
}

describe("plan command", function () {
    this.timeout(60_000);

    it("prints only a JSON document with --json, one entry per resource, whole through a pipe", () => {
        const { code, stdout } = plan(["--stack", "prod", "--json"]);
        assert.strictEqual(code, 0);
        // Far larger than a pipe's buffer: the command must not exit before stdout is flushed.
        assert.ok(stdout.length > 100_000, `only ${stdout.length} bytes`);
        const doc = JSON.parse(stdout);
        assert.strictEqual(doc.project, "boxoffice");
        assert.strictEqual(doc.stack, "prod");
        assert.ok(doc.policy.policies.length >= 25);
        assert.deepStrictEqual(
            doc.policy.violations.filter((v: { level: string }) => v.level === "mandatory"),
            [],
        );
        assert.ok(doc.resources.length > 20, `only ${doc.resources.length} resources`);
        for (const r of doc.resources) {
            assert.deepStrictEqual(Object.keys(r).slice(0, 5), ["urn", "type", "name", "parent", "inputs"]);
            assert.ok(
                r.parent === null || doc.resources.some((p: { urn: string }) => p.urn === r.parent),
                `dangling parent ${r.parent}`,
            );
        }
    });

    it("prints a readable tree with the AZ spread and NAT strategy", () => {
        const { code, stdout } = plan(["--stack", "prod"]);
        assert.strictEqual(code, 0);
        assert.match(stdout, /availability zones: eu-west-1a, eu-west-1b, eu-west-1c/);
        assert.match(stdout, /NAT gateways: 3 in eu-west-1a, eu-west-1b, eu-west-1c \(one per AZ\)/);
        assert.match(stdout, /\n[├└]─ boxoffice:network:Network boxoffice-prod\n/);
    });

    it("exits 2 with every config problem named, and registers nothing", () => {
        const dir = tempProject(
            [
                "config:",
                "  aws:region: eu-west-1",
                "  boxoffice:environment: prod",
                "  boxoffice:database: { backupRetentionDays: 40 }",
                "  boxoffice:netwrk: { cidr: 10.0.0.0/16 }",
            ].join("\n"),
        );
        const { code, stdout, stderr } = plan(["--stack", "bad", "--program", dir, "--json"]);
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /boxoffice:database\.backupRetentionDays = 40: must be 0\.\.35 \(RDS limit\)/);
        assert.match(stderr, /boxoffice:netwrk = .*unknown key \(did you mean boxoffice:network\?\)/);
    });

    it("exits 2 on config AWS would refuse, naming key, value and rule, before anything is registered", () => {
        // Six AZs in a three-AZ region used to end in an unhandled rejection with nested serialisation errors.
        // (Every other refused value is checked in-process: tests/config/load.test.ts.)
        const dir = tempProject(
            [
                "config:",
                "  aws:region: eu-west-1",
                "  boxoffice:environment: staging",
                "  boxoffice:network: { availabilityZones: 6 }",
                "  boxoffice:memcached: { nodes: 6 }",
            ].join("\n"),
        );
        const { code, stdout, stderr } = plan(["--stack", "bad", "--dir", dir, "--json"]);
        assert.strictEqual(code, 2, stderr);
        assert.strictEqual(stdout, "");
        assert.match(
            stderr,
            /boxoffice:network\.availabilityZones = 6: must not exceed the 3 Availability Zones of eu-west-1/,
        );
        assert.doesNotMatch(stderr, /serializ|Unhandled|at .*\.ts:/, "one clean message, no stack trace");
    });

    it("exits 2 on an empty stack file, naming the file (every malformed shape: tests/tools/stack-files.test.ts)", () => {
        const { code, stdout, stderr } = plan(["--stack", "bad", "--dir", tempProject("")]);
        assert.strictEqual(code, 2, stderr);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /Pulumi\.bad\.yaml: is empty/);
    });

    it("exits 1 naming the missing stack file", () => {
        const { code, stderr } = plan(["--stack", "nope"]);
        assert.strictEqual(code, 1);
        assert.match(stderr, /Pulumi\.nope\.yaml not found/);
    });
});
