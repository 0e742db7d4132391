/**
 * `npm run policy -- --stack <name> [--config <file>] [--json]`
 *
 * Runs the real program for the stack under the offline mock engine, evaluates the boxoffice policy pack as
 * `pulumi preview --policy-pack policies --policy-pack-config <file>` would, prints every violation
 * (policy, level, resource, message) and exits 1 when any violation is mandatory, 2 on usage or run errors.
 * The default policy config is policies/config/<environment>.json (`boxoffice:environment` of the stack).
 */
import * as path from "path";
import { runStack } from "./offline/engine";
import { PolicyReport, defaultPolicyConfigFile, evaluatePolicies, hasMandatoryViolations } from "./policy-runner";
import { policies } from "../policies/rules";

interface CliArgs { stack: string; config?: string; json: boolean }

const USAGE = "usage: npm run policy -- --stack <name> [--config <policy-config.json>] [--json]";

function parseArgs(argv: string[]): CliArgs {
    let stack: string | undefined;
    let config: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${arg} needs a value\n${USAGE}`);
            return v;
        };
        if (arg === "--stack" || arg === "-s") stack = value();
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else if (arg === "--config" || arg === "-c") config = value();
        else if (arg.startsWith("--config=")) config = arg.slice("--config=".length);
        else if (arg === "--json") json = true;
        else throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
    if (!stack) throw new Error(`--stack is required\n${USAGE}`);
    return { stack, config: config ? path.resolve(config) : undefined, json };
}

const SEVERITY = new Map(policies.map((p) => [p.name, p.severity ?? ""]));

/** The human-readable report: one block per violation, mandatory first, then a summary line. */
function formatReport(stack: string, configFile: string, report: PolicyReport): string {
    const lines: string[] = [`Policy pack boxoffice: ${report.policies.length} policies, config ${path.relative(process.cwd(), configFile) || configFile}, stack ${stack}`];
    const order = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };
    const sorted = [...report.violations].sort((a, b) => order[a.level] - order[b.level] || a.policy.localeCompare(b.policy));
    for (const v of sorted) {
        const [, ...detail] = v.message.split("\n");
        lines.push("");
        lines.push(`  ${v.level.toUpperCase()}  ${v.policy}${SEVERITY.get(v.policy) ? ` (${SEVERITY.get(v.policy)})` : ""}`);
        lines.push(`    resource: ${v.urn || "(stack)"}`);
        lines.push(`    ${(detail.length ? detail.join(" ") : v.message)}`);
    }
    const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
    const advisory = report.violations.length - mandatory;
    lines.push("");
    lines.push(`${mandatory} mandatory, ${advisory} advisory violation(s): ${mandatory ? "BLOCKED (pulumi up would refuse this stack)" : "passes"}`);
    return lines.join("\n");
}

async function main(): Promise<number> {
    let args: CliArgs;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const run = await runStack({ stack: args.stack });
    const configFile = args.config ?? defaultPolicyConfigFile(run);
    const report = await evaluatePolicies(run, configFile);
    await write(`${args.json ? JSON.stringify({ policy: report }, null, 2) : formatReport(args.stack, configFile, report)}\n`);
    return hasMandatoryViolations(report) ? 1 : 0;
}

/** Resolves once the text is flushed: `process.exit` right after a write to a pipe cuts it at 64 KiB. */
function write(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

// Run unconditionally: tools/ts-run.js requires this file, so `require.main` is the launcher, not this module.
main().then(
    (code) => process.exit(code),
    (err: Error) => {
        console.error(`policy: ${err.message}`);
        process.exit(2);
    },
);
