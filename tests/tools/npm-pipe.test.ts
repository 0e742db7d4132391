/**
 * The README's commands are run the way a reader types them, through npm and a shell pipe: npm prints a
 * `> boxoffice@… plan` banner before every script, and on stdout that banner breaks any JSON consumer.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../tools/offline/stack-files";

function sh(command: string) {
    const result = spawnSync("bash", ["-o", "pipefail", "-c", command], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Shell lines of the README's ```sh blocks that pipe an npm script into something else. */
function pipedReadmeCommands(): string[] {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks
        .flatMap((b) => b.split("\n"))
        .map((l) => l.replace(/\s+#(?!").*$/, "").trim())
        .filter((l) => /^npm run /.test(l) && / \| /.test(l));
}

describe("documented npm commands, piped", function () {
    this.timeout(150_000);

    it("every piped npm command in the README works as written, npm run plan --json | JSON.parse among them", () => {
        const commands = pipedReadmeCommands();
        // The exact command a reader pipes into a JSON parser; npm's `> boxoffice@… plan` banner must not reach stdout.
        assert.ok(
            commands.includes(
                `npm run plan -- --stack prod --json | node -e 'JSON.parse(require("fs").readFileSync(0))'`,
            ),
            commands.join("\n"),
        );
        for (const command of commands) {
            const { code, stderr } = sh(command);
            assert.strictEqual(code, 0, `${command}\n${stderr.slice(-2000)}`);
        }
    });
});
