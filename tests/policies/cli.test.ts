/**
 * `npm run policy` as a process: prints each violation (level, policy, resource, message) and exits 1 when
 * any is mandatory, 0 otherwise, 2 on usage errors. One real run (staging with an all-mandatory config).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["tools/ts-run.js", "tools/policy-cli.ts", ...args], { cwd: ROOT, encoding: "utf8" });

describe("policy CLI", function () {
    this.timeout(60_000);

    it("exits 2 with the usage when --stack is missing", () => {
        const r = cli();
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /--stack is required\nusage: npm run policy -- --stack <name>/);
    });

    it("staging judged by an all-mandatory config: prints every violation and exits 1", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-")), "all.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory" }));
        const r = cli("--stack", "staging", "--config", file);
        assert.strictEqual(r.status, 1, r.stderr);
        assert.match(r.stdout, /^Program \., stack staging: boxoffice \d+ policies \(config .*all\.json\)/);
        assert.match(
            r.stdout,
            / {2}MANDATORY {2}nat-gateway-per-az \(high\)\n {4}resource: urn:pulumi:staging::boxoffice::pulumi:pulumi:Stack::boxoffice-staging\n {4}1 NAT gateway\(s\) in eu-west-1a; no NAT gateway in eu-west-1b/,
        );
        assert.match(r.stdout, /\d+ mandatory, 0 advisory violation\(s\): BLOCKED/);
    });
});
