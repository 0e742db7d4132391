/**
 * `npm run plan -- --stack <name> [--json] [--program <dir>] [pack options]`: the offline plan of a stack
 * of this repository's program (or any Pulumi Node.js program), without the Pulumi CLI or cloud
 * credentials. `--json` adds the policy report (packs chosen as for `npm run policy`, see cli-options.ts).
 * Exit 0 on success, 2 on invalid stack config or usage, 1 on any other program error.
 */
import { ConfigError } from "../stacks/config/load";
import { UsageError, otherPacks, parseProgramOptions } from "./cli-options";
import { runStack } from "./offline/engine";
import { refuseNetwork } from "./offline/no-network";
import { planDocument, planText } from "./plan";

const USAGE =
    "usage: npm run plan -- --stack <name> [--json] [--program <dir>] [--pack-config <file>] [--pack <dir|package> [--pack-config <file>]]... [--no-default-pack] [--enforcement prod|staging]";

async function main(): Promise<number> {
    const args = parseProgramOptions(process.argv.slice(2), USAGE);
    if (args.programs.length > 1) throw new UsageError(`plan takes one --program\n${USAGE}`);
    refuseNetwork();
    const run = await runStack({ stack: args.stack ?? "prod", projectDir: args.programs[0] });
    if (args.json) {
        const doc = planDocument(run);
        // Loaded here, not at the top: only the JSON document carries the policy report.
        const { defaultPolicyConfigFile, evaluatePolicies } = await import("./policy-runner");
        const config = args.defaultPack
            ? (args.packConfig ?? defaultPolicyConfigFile(run, args.enforcement))
            : undefined;
        doc.policy = await evaluatePolicies(run, config, otherPacks(args), { defaultPack: args.defaultPack });
        await write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
        await write(`${planText(run)}\n`);
    }
    return 0;
}

/** Resolves once the text is handed to the OS: exiting earlier cuts a piped plan off at the pipe's buffer. */
function write(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

main().then(
    (code) => process.exit(code),
    (err) => {
        const known = err instanceof ConfigError || err instanceof UsageError;
        process.stderr.write(
            `${known ? err.message : `plan failed: ${err instanceof Error ? err.message : String(err)}`}\n`,
        );
        process.exit(known ? 2 : 1);
    },
);
