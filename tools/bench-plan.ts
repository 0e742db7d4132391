/**
 * `npm run bench:plan`: wall time of the offline plan of prod, tree and `--json` (which also evaluates the
 * policy pack), next to a bare `require('@pulumi/pulumi'); require('@pulumi/aws')` in a fresh Node process,
 * measured alternately in the same run. Prints the medians and their ratios; the last line is one JSON
 * object. The plan runs exactly as `npm run plan` runs it (tools/ts-run.js with its transpile and V8 code
 * caches, filled by one warm-up run first, and a larger young generation: the plan allocates many
 * short-lived objects). `BENCH_RUNS` sets the number of alternations (default 5).
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

const planArgs = ["--max-semi-space-size=64", "tools/ts-run.js", "tools/plan-cli.ts", "--stack", "prod"];
const BARE = "require('@pulumi/pulumi'); require('@pulumi/aws')";
timeOnce([...planArgs, "--json"]); // warm-up: fills the caches a first run on a fresh clone builds
const floor: number[] = [];
const plan: number[] = [];
const planJson: number[] = [];
for (let i = 0; i < RUNS; i++) {
    floor.push(timeOnce(["-e", BARE]));
    plan.push(timeOnce(planArgs));
    planJson.push(timeOnce([...planArgs, "--json"]));
}
const ms = (xs: number[]) => Math.round(median(xs));
const ratio = (xs: number[]) => Number((median(xs) / median(floor)).toFixed(2));
const result = { runs: RUNS, bareSdkMs: ms(floor), planMs: ms(plan), ratio: ratio(plan), planJsonWithPolicyMs: ms(planJson), jsonRatio: ratio(planJson) };
const row = (label: string, xs: number[]) => console.log(`${label.padEnd(62)} median ${String(ms(xs)).padStart(5)} ms (${xs.map(Math.round).join(", ")})`);
row(`bare ${BARE}`, floor);
row("plan --stack prod (tree)", plan);
row("plan --stack prod --json (with the policy pack)", planJson);
console.log(JSON.stringify(result));
