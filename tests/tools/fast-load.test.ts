/**
 * The start-up accelerators of the offline commands (tools/fast-load.js) change nothing but time: the plan
 * document of prod (with its policy report) is byte-identical with and without them, closure
 * serialization, loaded on demand, still works, and so do AWS namespaces loaded on first use.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["tools/ts-run.js", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...env },
    });

describe("offline start-up accelerators", function () {
    this.timeout(120_000);

    it("plan --json of prod is byte-identical with and without them", () => {
        const fast = run(["tools/plan-cli.ts", "--stack", "prod", "--json"]);
        const plain = run(["tools/plan-cli.ts", "--stack", "prod", "--json"], { BOXOFFICE_NO_FAST_LOAD: "1" });
        assert.strictEqual(fast.status, 0, fast.stderr);
        assert.strictEqual(plain.status, 0, plain.stderr);
        assert.ok(fast.stdout.length > 100_000);
        assert.strictEqual(fast.stdout, plain.stdout);
    });

    it("AWS namespaces load on first use and answer as the real ones", () => {
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aws-ns-")), "namespaces.ts");
        const sdk = (p: string) => JSON.stringify(path.join(ROOT, "node_modules", p));
        fs.writeFileSync(
            script,
            `const aws = require(${sdk("@pulumi/aws")});
const rpc = require(${sdk("@pulumi/pulumi/runtime/rpc")});
const loaded = (ns: string) => Object.keys(require.cache).some((f) => f.endsWith(\`/@pulumi/aws/\${ns}/index.js\`));
const facts: Record<string, unknown> = { sqsBefore: loaded("sqs"), s3Before: loaded("s3") };
facts.sameClass = aws.s3.BucketV2 === require(${sdk("@pulumi/aws/s3")}).BucketV2;
facts.keys = Object.keys(aws.s3).includes("BucketV2") && "BucketV2" in aws.s3;
facts.s3After = loaded("s3");
// Deserializing a reference to a resource of a namespace nobody named yet must find its module.
facts.module = typeof rpc.getResourceModule("aws", "sqs/queue")?.construct;
facts.sqsAfter = loaded("sqs");
facts.namespaces = Object.keys(aws).length;
console.log(JSON.stringify(facts));
`,
        );
        const facts = JSON.parse(run([script]).stdout);
        assert.deepStrictEqual(facts, {
            sqsBefore: false,
            s3Before: false,
            sameClass: true,
            keys: true,
            s3After: true,
            module: "function",
            sqsAfter: true,
            namespaces: facts.namespaces,
        });
        const eager = JSON.parse(run([script], { BOXOFFICE_EAGER_AWS: "1" }).stdout);
        assert.deepStrictEqual(
            { ...eager, sqsBefore: false, s3Before: false },
            facts,
            "eager loading answers differently",
        );
        assert.strictEqual(eager.sqsBefore, true);
        assert.ok(facts.namespaces > 200);
    });

    it("closure serialization still works when first needed", () => {
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "closure-")), "serialize.ts");
        fs.writeFileSync(
            script,
            `const pulumi = require(${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi"))});
const answer = 42;
pulumi.runtime.serializeFunction(() => answer).then((f: { text: string }) => console.log(f.text.includes("42") ? "serialized" : f.text));
`,
        );
        const r = run([script]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /serialized/);
    });
});
