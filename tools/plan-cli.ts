/**
 * `npm run plan -- --stack <name> [--json] [--dir <project folder>]`: the offline plan of a stack, without the Pulumi CLI or cloud
 * credentials. Exit 0 on success, 2 on invalid stack config, 1 on any other program error.
 */
import { ConfigError } from "../stacks/config/load";
import { runStack } from "./offline/engine";
import { planDocument, planText } from "./plan";

interface CliArgs {
    stack: string;
    json: boolean;
    /** Folder with Pulumi.yaml and the stack files; the repository root by default. */
    dir?: string;
}

function parseArgs(argv: string[]): CliArgs {
    const args: CliArgs = { stack: "prod", json: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--json") args.json = true;
        else if (a === "--stack" && argv[i + 1]) args.stack = argv[++i];
        else if (a.startsWith("--stack=")) args.stack = a.slice("--stack=".length);
        else if (a === "--dir" && argv[i + 1]) args.dir = argv[++i];
        else throw new Error(`unknown argument ${a}; usage: npm run plan -- --stack <name> [--json] [--dir <project folder>]`);
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(args.stack)) throw new Error(`invalid stack name ${JSON.stringify(args.stack)}`);
    return args;
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const run = await runStack({ stack: args.stack, projectDir: args.dir });
    if (args.json) {
        const doc = planDocument(run);
        // Loaded here, not at the top: only the JSON document carries the policy report (~130 ms).
        const { evaluatePolicies } = await import("./policy-runner");
        doc.policy = await evaluatePolicies(run);
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
        process.stderr.write(`${err instanceof ConfigError ? err.message : `plan failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
        process.exit(err instanceof ConfigError ? 2 : 1);
    },
);
