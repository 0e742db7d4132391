import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../stacks/config/load";
import { REPO_ROOT, loadStackFiles } from "../../tools/offline/stack-files";

function project(stackYaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-stackfile-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stackYaml);
    return dir;
}

describe("stack files", () => {
    it("an empty or malformed stack file is a config error (exit 2) naming the file and what is wrong", () => {
        const cases: [string, RegExp][] = [
            ["", /^Pulumi\.bad\.yaml: is empty$/],
            ["# only a comment\n", /^Pulumi\.bad\.yaml: is empty$/],
            [
                "config:\n  aws:region: eu-west-1\n   boxoffice:environment: staging\n",
                /^Pulumi\.bad\.yaml: is not valid YAML: .* at line 3, column \d+$/,
            ],
            [
                "boxoffice:environment: staging\naws:region: eu-west-1\n",
                /^Pulumi\.bad\.yaml: unknown top-level keys "boxoffice:environment", "aws:region": a stack file holds config, .*, and stack config goes under config:$/,
            ],
            [
                "config:\n  - aws:region\n",
                /^Pulumi\.bad\.yaml: config: must be a mapping of keys to values, not a list$/,
            ],
            [
                "encryptionsalt: abc\n",
                /^Pulumi\.bad\.yaml: has no config: section; it needs at least aws:region and boxoffice:environment$/,
            ],
            ["config:\n  boxoffice:environment: staging\n", /^Pulumi\.bad\.yaml: config: aws:region is not set/],
            ["- config\n", /^Pulumi\.bad\.yaml: must be a mapping of settings, not a list$/],
            ["just words\n", /^Pulumi\.bad\.yaml: must be a mapping of settings, not the string "just words"$/],
        ];
        for (const [text, message] of cases) {
            assert.throws(
                () => loadStackFiles("bad", project(text)),
                (e: unknown) => {
                    assert.ok(e instanceof ConfigError, `${JSON.stringify(text)}: ${e}`);
                    assert.strictEqual(e.problems.length, 1);
                    assert.match(e.problems[0], message, JSON.stringify(text));
                    return true;
                },
            );
        }
    });

    it("a well-formed file still loads: values as the CLI hands them over", () => {
        const files = loadStackFiles(
            "ok",
            (() => {
                const dir = project("");
                fs.writeFileSync(
                    path.join(dir, "Pulumi.ok.yaml"),
                    "secretsprovider: passphrase\nconfig:\n  aws:region: eu-west-1\n  boxoffice:environment: staging\n",
                );
                return dir;
            })(),
        );
        assert.deepStrictEqual(files.config, { "aws:region": "eu-west-1", "boxoffice:environment": "staging" });
    });
});
