/**
 * The published packages work outside this repository: build them, `npm pack` them, install the tarballs into a
 * fresh project under the OS temp directory (with TypeScript and the Pulumi SDKs, from the npm cache `npm ci`
 * filled), type-check a program there that imports `@boxoffice/components` and uses a `transform`, plan it
 * offline, and judge it with the installed `@boxoffice/policies`.
 *
 * It takes a few minutes (build, install, five offline runs), so it is not part of `npm test`: `.ci/run` runs it as
 * `npm run test:packages`.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildPackages } from "../../tools/packages/build";
import { REPO_ROOT } from "../../tools/packages/manifest";

const EXAMPLES = path.join(REPO_ROOT, "examples");

/** The fields of `npm run plan -- --json` (and of the policy report in it) these tests read. */
interface PlanResource {
    name: string;
    type: string;
    inputs: {
        storageThroughput?: number;
        multiAz?: boolean;
        tags: Record<string, string | undefined>;
        vpcSecurityGroupIds?: string[];
    };
}
interface PlanJson {
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    policy: {
        packs: Array<{ name: string; version: string; source: string }>;
        policies: unknown[];
        violations: Array<{ policy: string; level: string; urn: string }>;
    };
}
const PEERS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "@pulumi/random"];

/** The versions this repository is tested with: the temporary project installs exactly these. */
function pinned(names: string[]): string[] {
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const all = { ...root.dependencies, ...root.devDependencies };
    return names.map((n) => `${n}@${all[n]}`);
}

/** Copies the examples' program files into `<project>/examples/`, where they resolve the installed packages. */
function copyExamples(project: string): string[] {
    const names = fs
        .readdirSync(EXAMPLES, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    for (const name of names) {
        const to = path.join(project, "examples", name);
        fs.mkdirSync(to, { recursive: true });
        for (const file of ["index.ts", "Pulumi.yaml", "Pulumi.example.yaml", "policy-config.json"]) {
            if (fs.existsSync(path.join(EXAMPLES, name, file)))
                fs.copyFileSync(path.join(EXAMPLES, name, file), path.join(to, file));
        }
    }
    return names;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(cmd, args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return r;
}

function ok(r: ReturnType<typeof run>, what: string): string {
    assert.equal(r.status, 0, `${what} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { Database, DatabaseTransform, TIER_TAG } from "@boxoffice/components";

// An existing VPC's ids (bring your own network) and one transform on the writer only.
const transform: DatabaseTransform = {
    writer: (args) => {
        args.storageThroughput = 500;
        args.tags = { ...args.tags, team: "payments" };
    },
};
const db = new Database("orders", {
    vpcId: "vpc-0123456789abcdef0",
    subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    allowedSecurityGroupIds: ["sg-0123456789abcdef0"],
    transform,
});
export const writerAddress: pulumi.Output<string> = db.writerAddress;
export const tierTag: string = TIER_TAG;
`;

const FILES: Record<string, string> = {
    "Pulumi.yaml": "name: packed-components\nruntime: nodejs\n",
    "Pulumi.test.yaml": "config:\n  aws:region: eu-west-1\n",
    "tsconfig.json": JSON.stringify(
        {
            compilerOptions: {
                strict: true,
                target: "ES2022",
                module: "commonjs",
                moduleResolution: "node",
                esModuleInterop: true,
                skipLibCheck: true,
                noEmit: true,
                types: ["node"],
            },
            files: ["index.ts"],
        },
        null,
        2,
    ),
    "index.ts": PROGRAM,
};

describe("published packages, installed from their tarballs into a fresh project", function () {
    this.timeout(15 * 60 * 1000);
    let tmp: string;
    let project: string;
    let policiesVersion: string;
    const offline = { BOXOFFICE_NO_FAST_LOAD: "1" };

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-pack-"));
        project = path.join(tmp, "project");
        const tarballs = path.join(tmp, "tarballs");
        fs.mkdirSync(project);
        fs.mkdirSync(tarballs);
        const built = buildPackages(path.join(tmp, "dist"));
        assert.deepEqual(
            built.map((b) => b.name),
            ["@boxoffice/tags", "@boxoffice/components", "@boxoffice/policies"],
        );
        policiesVersion = built[2].version;
        const files = built.map((b) => {
            const out = JSON.parse(
                ok(run("npm", ["pack", b.dir, "--pack-destination", tarballs, "--json"], tmp), `npm pack ${b.name}`),
            );
            return path.join(tarballs, out[0].filename);
        });
        fs.writeFileSync(
            path.join(project, "package.json"),
            JSON.stringify({ name: "packed-components", private: true }),
        );
        for (const [file, text] of Object.entries(FILES)) fs.writeFileSync(path.join(project, file), text);
        ok(
            run(
                "npm",
                [
                    "install",
                    "--prefer-offline",
                    "--no-audit",
                    "--no-fund",
                    "--save-exact",
                    ...files,
                    ...pinned([...PEERS, "typescript", "@types/node"]),
                ],
                project,
            ),
            "npm install",
        );
    });

    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("installs real copies, not links back into the repository", () => {
        const manifest = fs.readFileSync(path.join(project, "package.json"), "utf8");
        const lock = fs.readFileSync(path.join(project, "package-lock.json"), "utf8");
        assert.ok(!manifest.includes(REPO_ROOT) && !lock.includes(REPO_ROOT), "the project refers to the repository");
        for (const name of ["@boxoffice/components", "@boxoffice/tags", "@boxoffice/policies", "@pulumi/pulumi"]) {
            const resolved = ok(
                run(process.execPath, ["-p", `require.resolve(${JSON.stringify(name)})`], project),
                `resolve ${name}`,
            ).trim();
            assert.ok(resolved.startsWith(fs.realpathSync(project) + path.sep), `${name} resolves to ${resolved}`);
            assert.ok(!fs.lstatSync(path.join(project, "node_modules", name)).isSymbolicLink(), `${name} is a link`);
        }
        // Only the public index is exported: an internal file is out of reach.
        const deep = run(process.execPath, ["-e", "require('@boxoffice/components/data/database')"], project);
        assert.notEqual(deep.status, 0);
        assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    });

    it("type-checks a program that imports @boxoffice/components and uses a transform, and every example", () => {
        // One tsc run for all (loading the @pulumi/aws declarations dominates), with the examples' own options.
        const examples = copyExamples(project);
        const options = JSON.parse(
            fs.readFileSync(path.join(EXAMPLES, examples[0], "tsconfig.json"), "utf8"),
        ).compilerOptions;
        for (const name of examples) {
            assert.deepEqual(
                JSON.parse(fs.readFileSync(path.join(EXAMPLES, name, "tsconfig.json"), "utf8")).compilerOptions,
                options,
                name,
            );
        }
        const files = ["index.ts", ...examples.map((name) => `examples/${name}/index.ts`)];
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files }));
        ok(
            run(
                process.execPath,
                [path.join(project, "node_modules", "typescript", "bin", "tsc"), "-p", project],
                project,
            ),
            "tsc",
        );
        // The check can fail: a wrong transform field is a type error against the published declarations.
        fs.writeFileSync(
            path.join(project, "bad.ts"),
            `import { DatabaseTransform } from "@boxoffice/components";\nexport const t: DatabaseTransform = { writer: { storageThroughput: "fast" } };\n`,
        );
        const bad = run(
            process.execPath,
            [
                path.join(project, "node_modules", "typescript", "bin", "tsc"),
                "--noEmit",
                "--strict",
                "--skipLibCheck",
                "bad.ts",
            ],
            project,
        );
        fs.rmSync(path.join(project, "bad.ts"));
        assert.notEqual(bad.status, 0);
        assert.match(bad.stdout, /bad\.ts.*storageThroughput|bad\.ts.*TS2322/s);
    });

    it("plans offline with the transform applied to the writer alone", () => {
        // No code cache for these runs: their files live in a temporary folder that no later run will load.
        const plan: PlanJson = JSON.parse(
            ok(
                run(
                    "npm",
                    ["run", "-s", "plan", "--", "--program", project, "--stack", "test", "--json"],
                    REPO_ROOT,
                    offline,
                ),
                "plan",
            ),
        );
        const byName = (name: string): PlanResource => {
            const found = plan.resources.find((r) => r.name === name);
            assert.ok(found, `${name} is in the plan`);
            return found;
        };
        assert.ok(byName("orders"), "the Database component was registered");
        assert.equal(byName("orders").type, "boxoffice:data:Database");
        const writer = byName("orders-writer");
        const replica = byName("orders-replica-1");
        assert.equal(writer.inputs.storageThroughput, 500);
        assert.equal(writer.inputs.tags.team, "payments");
        assert.equal(writer.inputs.tags["boxoffice:tier"], "database");
        assert.equal(writer.inputs.multiAz, true);
        assert.equal(replica.inputs.storageThroughput, undefined);
        assert.equal(replica.inputs.tags.team, undefined);
        assert.equal(
            plan.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc").length,
            0,
            "no VPC: the program brought its own",
        );
        assert.deepEqual(writer.inputs.vpcSecurityGroupIds?.length, 1);
        assert.equal(plan.outputs.tierTag, "boxoffice:tier");
        assert.match(String(plan.outputs.writerAddress), /^orders-writer-.*\.rds\.amazonaws\.com$/);
    });

    it("plans every example against the installed package", () => {
        for (const name of copyExamples(project)) {
            const dir = path.join(project, "examples", name);
            // Judged as its README says: with its own pack config when it has one, else the prod config.
            const config = fs.existsSync(path.join(dir, "policy-config.json"))
                ? ["--pack-config", path.join(dir, "policy-config.json")]
                : [];
            const args = ["run", "-s", "plan", "--", "--program", dir, "--stack", "example", "--json", ...config];
            const plan: PlanJson = JSON.parse(ok(run("npm", args, REPO_ROOT, offline), `plan ${name}`));
            assert.ok(
                plan.resources.some((r) => r.type.startsWith("boxoffice:")),
                `${name} registered no component`,
            );
            assert.deepEqual(
                plan.policy.violations.filter((v) => v.level === "mandatory"),
                [],
                name,
            );
        }
    });

    it("the installed @boxoffice/policies pack loads and judges the program on its own", () => {
        const pack = path.join(project, "node_modules", "@boxoffice", "policies");
        assert.ok(fs.existsSync(path.join(pack, "PulumiPolicy.yaml")), "PulumiPolicy.yaml is shipped");
        const r = run(
            "npm",
            [
                "run",
                "-s",
                "policy",
                "--",
                "--program",
                project,
                "--stack",
                "test",
                "--pack",
                pack,
                "--pack-config",
                path.join(pack, "config", "staging.json"),
                "--no-default-pack",
                "--json",
            ],
            REPO_ROOT,
            offline,
        );
        assert.equal(r.status, 0, `staging config is advisory only\n${r.stderr}`);
        const report = (JSON.parse(r.stdout) as PlanJson).policy;
        assert.deepEqual(
            report.packs.map((p) => [p.name, p.version, p.source]),
            [["boxoffice", policiesVersion, pack]],
        );
        assert.ok(report.policies.length > 50, `${report.policies.length} policies ran`);
        // A database no AWS Backup selection picks is what this program is, and what the pack must say.
        assert.ok(
            report.violations.some((v) => v.policy === "backup-coverage" && v.urn.endsWith("::orders-writer")),
            JSON.stringify(report.violations.map((v) => v.policy)),
        );
    });
});
