/**
 * `npm run policy -- --stack <name> [--program <dir>]... [--pack-config <file>] [--pack <dir|package>
 *  [--pack-config <file>]]... [--no-default-pack] [--enforcement prod|staging] [--json]`
 *
 * Runs each program (default: this repository's) for the stack under the offline mock engine and evaluates
 * the packs as `pulumi preview --policy-pack ... --policy-pack-config ...` would (options: cli-options.ts).
 * Prints every violation (pack, policy, level, resource, message) per program. Exit 1 when any program has
 * a mandatory violation, 2 on usage errors or when a program or pack could not be run, 0 otherwise.
 */
import * as path from "path";
import { runStack } from "./offline/engine";
import { refuseNetwork } from "./offline/no-network";
import { REPO_ROOT } from "./offline/stack-files";
import { ProgramOptions, UsageError, otherPacks, parseProgramOptions } from "./cli-options";
import {
    PackRun,
    PolicyReport,
    defaultPolicyConfigFile,
    evaluatePolicies,
    hasMandatoryViolations,
} from "./policy-runner";
import { policies } from "../policies/rules";

const USAGE =
    "usage: npm run policy -- --stack <name> [--program <dir>]... [--pack-config <file>] [--pack <dir|package> [--pack-config <file>]]... [--no-default-pack] [--enforcement prod|staging] [--json]";

const SEVERITY = new Map(policies.map((p) => [p.name, p.severity ?? ""]));

type Outcome =
    | { program: string; stack: string; config?: string; policy: PolicyReport }
    | { program: string; stack: string; error: string };

/** A path as the reader typed it, roughly: relative below the working directory, absolute elsewhere. */
function shown(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

/** The human-readable report of one program: one block per violation, mandatory first, then a summary line. */
function formatReport(o: Extract<Outcome, { policy: PolicyReport }>): string {
    const report = o.policy;
    const packs = report.packs.map(
        (p) =>
            `${p.name} ${p.policies} policies${p.name === "boxoffice" && o.config ? ` (config ${shown(o.config)})` : ""}`,
    );
    const lines: string[] = [`Program ${shown(o.program)}, stack ${o.stack}: ${packs.join("; ")}`];
    const order = { mandatory: 0, remediate: 1, advisory: 2, disabled: 3 };
    const sorted = [...report.violations].sort(
        (a, b) => order[a.level] - order[b.level] || a.pack.localeCompare(b.pack) || a.policy.localeCompare(b.policy),
    );
    for (const v of sorted) {
        const [, ...detail] = v.message.split("\n");
        const severity = v.pack === "boxoffice" && SEVERITY.get(v.policy) ? ` (${SEVERITY.get(v.policy)})` : "";
        lines.push("");
        lines.push(`  ${v.level.toUpperCase()}  ${v.pack === "boxoffice" ? "" : `${v.pack}/`}${v.policy}${severity}`);
        lines.push(`    resource: ${v.urn || "(stack)"}`);
        lines.push(`    ${detail.length ? detail.join(" ") : v.message}`);
    }
    const mandatory = report.violations.filter((v) => v.level === "mandatory").length;
    const advisory = report.violations.length - mandatory;
    lines.push("");
    lines.push(
        `${mandatory} mandatory, ${advisory} advisory violation(s): ${mandatory ? "BLOCKED (pulumi up would refuse this stack)" : "passes"}`,
    );
    return lines.join("\n");
}

async function judge(program: string, opts: ProgramOptions, packs: PackRun[]): Promise<Outcome> {
    const stack = opts.stack!;
    try {
        const run = await runStack({ stack, projectDir: program });
        const config = opts.defaultPack
            ? (opts.packConfig ?? defaultPolicyConfigFile(run, opts.enforcement))
            : undefined;
        const policy = await evaluatePolicies(run, config, packs, { defaultPack: opts.defaultPack });
        return { program, stack, config, policy };
    } catch (err) {
        return { program, stack, error: err instanceof Error ? err.message : String(err) };
    }
}

async function main(): Promise<number> {
    let opts: ProgramOptions;
    try {
        opts = parseProgramOptions(process.argv.slice(2), USAGE);
        if (!opts.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    refuseNetwork();
    const packs = otherPacks(opts);
    const programs = opts.programs.length ? opts.programs.map((p) => path.resolve(p)) : [REPO_ROOT];
    const outcomes: Outcome[] = [];
    for (const program of programs) outcomes.push(await judge(program, opts, packs));
    const failed = outcomes.filter((o): o is Extract<Outcome, { error: string }> => "error" in o);
    for (const f of failed) console.error(`policy: program ${shown(f.program)}, stack ${f.stack}: ${f.error}`);
    const judged = outcomes.filter((o): o is Extract<Outcome, { policy: PolicyReport }> => "policy" in o);
    if (opts.json) {
        const doc =
            programs.length === 1 && judged.length === 1 ? { policy: judged[0].policy } : { programs: outcomes };
        await write(`${JSON.stringify(doc, null, 2)}\n`);
    } else if (judged.length) {
        const blocked = judged.filter((o) => hasMandatoryViolations(o.policy)).length;
        const summary =
            programs.length > 1
                ? [
                      `\n${programs.length} programs: ${blocked} blocked, ${judged.length - blocked} pass, ${failed.length} could not run`,
                  ]
                : [];
        await write(`${[...judged.map(formatReport), ...summary].join("\n\n")}\n`);
    }
    if (failed.length) return 2;
    return judged.some((o) => hasMandatoryViolations(o.policy)) ? 1 : 0;
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
