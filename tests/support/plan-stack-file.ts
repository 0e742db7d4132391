/**
 * Runs `npm run plan -- --json` (the CLI itself, as a child process) on our own program with a stack file of the
 * test's making: a project whose main is `stacks/`, so the stack file is the only thing that differs.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../tools/offline/stack-files";

/** `config` lines below `config:` of Pulumi.bad.yaml, e.g. `boxoffice:environment: staging`. */
export function planStackFile(config: string[]): SpawnSyncReturns<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-stack-file-"));
    try {
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            `name: boxoffice\nruntime: nodejs\nmain: ${path.join(REPO_ROOT, "stacks")}/\n`,
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.bad.yaml"),
            ["config:", ...config.map((line) => `  ${line}`)].join("\n"),
        );
        const cli = [path.join(REPO_ROOT, "tools/ts-run.js"), path.join(REPO_ROOT, "tools/plan-cli.ts")];
        return spawnSync(process.execPath, [...cli, "--stack", "bad", "--program", dir, "--json"], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            timeout: 60_000,
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
