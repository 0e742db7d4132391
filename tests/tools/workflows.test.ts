/**
 * Users' CI as shipped in .github/workflows: every job that runs `pulumi preview` or `pulumi up` builds the
 * linux/arm64 service image, so it must either run on an arm64 runner or set up arm64 emulation first; and
 * every job runs a supported Node.js LTS.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../../tools/offline/stack-files";

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
}
interface Job {
    "runs-on": string;
    steps: Step[];
}

const dir = path.join(REPO_ROOT, ".github", "workflows");
const workflows = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({
        file: f,
        jobs: (yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as { jobs: Record<string, Job> }).jobs,
    }));

describe("GitHub workflows", () => {
    it("build the arm64 image natively or under QEMU: emulation is set up before any pulumi step on a non-arm runner", () => {
        let pulumiJobs = 0;
        for (const { file, jobs } of workflows) {
            for (const [name, job] of Object.entries(jobs)) {
                const pulumiAt = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
                if (pulumiAt < 0) continue;
                pulumiJobs++;
                const where = `${file}: ${name}`;
                if (/arm/.test(job["runs-on"]) && !/\|\|/.test(job["runs-on"])) continue; // only ever an arm64 runner
                const qemu = job.steps.findIndex((s) => s.uses?.startsWith("docker/setup-qemu-action@"));
                const buildx = job.steps.findIndex((s) => s.uses?.startsWith("docker/setup-buildx-action@"));
                assert.ok(qemu >= 0 && qemu < pulumiAt, `${where}: no QEMU set-up before pulumi`);
                assert.ok(buildx > qemu && buildx < pulumiAt, `${where}: no buildx builder before pulumi`);
                assert.match(String(job.steps[qemu].with?.platforms), /arm64/, where);
                // Skipped only where the runner itself is arm64.
                for (const i of [qemu, buildx])
                    assert.ok(!job.steps[i].if || /runner\.arch != 'ARM64'/.test(job.steps[i].if!), where);
            }
        }
        assert.strictEqual(pulumiJobs, 3, "preview (matrix) + deploy staging + deploy prod");
    });

    it("run a supported Node.js LTS (22 or 24), never the end-of-life 20", () => {
        let seen = 0;
        for (const { file, jobs } of workflows) {
            for (const [name, job] of Object.entries(jobs)) {
                for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/setup-node@"))) {
                    seen++;
                    assert.ok(
                        ["22", "24"].includes(String(step.with?.["node-version"])),
                        `${file}: ${name} uses Node ${step.with?.["node-version"]}`,
                    );
                }
            }
        }
        assert.ok(seen >= 4);
    });
});

describe("declared engines", () => {
    it("the root package's Node range admits no version a direct dependency refuses", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const semver = require("semver") as {
            satisfies(v: string, r: string): boolean;
            minVersion(r: string): { version: string };
        };
        const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        const range: string = root.engines.node;
        // The lowest release of each alternative of the range, e.g. "^20.19.0 || >=22.12.0" → 20.19.0, 22.12.0.
        const lowest = range.split("||").map((r) => semver.minVersion(r.trim()).version);
        for (const dep of Object.keys({ ...root.dependencies, ...root.devDependencies })) {
            const needs = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", dep, "package.json"), "utf8"))
                .engines?.node;
            if (!needs) continue;
            for (const v of lowest)
                assert.ok(
                    semver.satisfies(v, needs),
                    `engines.node "${range}" admits ${v}, which ${dep} refuses ("${needs}")`,
                );
        }
        assert.match(root.engines.npm, /^>=10\.7/, "npm 10.7 moved the script banner to stderr in json mode (.npmrc)");
    });
});
