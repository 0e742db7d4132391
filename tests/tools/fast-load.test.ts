/**
 * The start-up accelerators of the offline commands (tools/fast-load.js) change nothing but time: the plan
 * document of prod (with its policy report) is byte-identical with and without them, and closure
 * serialization, loaded on demand, still works.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["tools/ts-run.js", ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });

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

    it("closure serialization still works when first needed", () => {
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "closure-")), "serialize.ts");
        fs.writeFileSync(script, `const pulumi = require(${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi"))});
const answer = 42;
pulumi.runtime.serializeFunction(() => answer).then((f: { text: string }) => console.log(f.text.includes("42") ? "serialized" : f.text));
`);
        const r = run([script]);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /serialized/);
    });
});
