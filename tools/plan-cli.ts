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

/** The policy section is added when the policy runner is present (it ships with the policy pack). */
async function policySection(run: Awaited<ReturnType<typeof runStack>>) {
    let runner: { evaluatePolicies?: (r: typeof run) => Promise<NonNullable<ReturnType<typeof planDocument>["policy"]>> };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        runner = require("./policy-runner");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
        throw err;
    }
    return runner.evaluatePolicies ? runner.evaluatePolicies(run) : undefined;
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const run = await runStack({ stack: args.stack, projectDir: args.dir });
    if (args.json) {
        const doc = planDocument(run);
        const policy = await policySection(run);
        if (policy) doc.policy = policy;
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
        process.stdout.write(`${planText(run)}\n`);
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        process.stderr.write(`${err instanceof ConfigError ? err.message : `plan failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
        process.exit(err instanceof ConfigError ? 2 : 1);
    },
);
