/**
 * The drill's entry point, started by cli.ts inside the run's client namespace:
 *   node tools/ts-run.js tools/rehearse/drill-main.ts <run dir> <options as JSON>
 */
import { CI_TIMINGS, DrillContext, FULL_TIMINGS } from "./drill-context";
import { runDrill } from "./drill";
import { FAULT_NAMES } from "./fault-names";
import type { Options } from "./options";
import { loadState } from "./run-state";

async function main(): Promise<number> {
    const [runDir, optionsJson] = process.argv.slice(2);
    const o = JSON.parse(optionsJson) as Options & { outDir: string };
    const state = loadState(runDir);
    const started = Date.now();
    const log = (message: string) => {
        if (!o.json)
            process.stderr.write(
                `rehearse [${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${message}\n`,
            );
    };
    const ctx = new DrillContext(state, o.ci ? CI_TIMINGS : FULL_TIMINGS, log);
    return runDrill(ctx, {
        faults: o.only.length ? o.only : FAULT_NAMES,
        rate: o.rate,
        outDir: o.outDir,
        json: o.json,
    });
}

process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(130));
main().then(
    (code) => process.exit(code),
    (error) => {
        process.stderr.write(`rehearse: the drill failed: ${error?.stack ?? error}\n`);
        process.exit(1);
    },
);
