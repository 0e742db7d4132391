/**
 * `npm run bench:plan`: wall time of the offline plan of prod next to the floor it cannot beat, a bare
 * `require('@pulumi/aws')` in a fresh Node process, measured alternately in the same run. Prints the
 * medians and their ratio; the last line is one JSON object. The plan is run exactly as `npm run plan` runs
 * it (tools/ts-run.js, warm transpile cache after the first run, and a larger young generation: the plan
 * allocates many short-lived objects, and with the default semi-space the scavenger ran for ~15% of it).
 */
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function timeOnce(args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const floor: number[] = [];
const plan: number[] = [];
for (let i = 0; i < RUNS; i++) {
    floor.push(timeOnce(["-e", "require('@pulumi/aws')"]));
    plan.push(timeOnce(["--max-semi-space-size=32", "tools/ts-run.js", "tools/plan-cli.ts", "--stack", "prod", "--json"]));
}
const result = { runs: RUNS, requireAwsMs: Math.round(median(floor)), planMs: Math.round(median(plan)), ratio: Number((median(plan) / median(floor)).toFixed(2)) };
console.log(`bare require('@pulumi/aws'): median ${result.requireAwsMs} ms over ${RUNS} runs (${floor.map(Math.round).join(", ")})`);
console.log(`plan --stack prod --json:    median ${result.planMs} ms over ${RUNS} runs (${plan.map(Math.round).join(", ")})`);
console.log(JSON.stringify(result));
