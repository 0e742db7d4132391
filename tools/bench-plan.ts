/**
 * `npm run bench:plan`: wall time of the offline plan of prod with its policy report (`plan --json`) and of
 * the plan tree, next to a bare `require('@pulumi/pulumi'); require('@pulumi/aws')` in a fresh Node process
 * (the floor: what any Pulumi TypeScript program pays before it does anything), measured alternately in the
 * same run. Prints the medians and their ratios; the last line is one JSON object.
 *
 * - The bare import runs exactly as `node -e` runs it: none of our caches or loaders apply to it.
 * - "cold" is the first plan after `npm ci`: the transpile and V8 code caches (node_modules/.cache/boxoffice-*)
 *   are deleted before each cold run, so it also pays for loading TypeScript and filling the caches.
 * - "warm" is every later run: the plan runs exactly as `npm run plan` runs it (tools/ts-run.js with its
 *   caches, and the node flags of the npm script).
 *
 * `BENCH_RUNS` sets the number of alternations (default 5). The machine's load moves every figure; the
 * ratios, taken from medians of interleaved runs, are what to compare.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CACHES = ["boxoffice-ts", "boxoffice-v8"].map((d) => path.join(ROOT, "node_modules", ".cache", d));

/** The node flags and entry of `npm run plan`, read from package.json so the bench cannot drift from it. */
function planCommand(): string[] {
    const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.plan;
    const words = script.split(/\s+/);
    if (words[0] !== "node") throw new Error(`the plan script no longer starts with node: ${script}`);
    return words.slice(1);
}

function timeOnce(args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const clearCaches = () => CACHES.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));

const plan = [...planCommand(), "--stack", "prod"];
const BARE = "require('@pulumi/pulumi'); require('@pulumi/aws')";
const series: Record<string, number[]> = { bare: [], coldJson: [], warmJson: [], warmTree: [] };
for (let i = 0; i < RUNS; i++) {
    series.bare.push(timeOnce(["-e", BARE]));
    clearCaches();
    series.coldJson.push(timeOnce([...plan, "--json"]));
    series.warmJson.push(timeOnce([...plan, "--json"]));
    series.warmTree.push(timeOnce(plan));
}

const ms = (xs: number[]) => Math.round(median(xs));
const ratio = (xs: number[]) => Number((median(xs) / median(series.bare)).toFixed(2));
const row = (label: string, xs: number[], withRatio = true) =>
    console.log(
        `${label.padEnd(58)} median ${String(ms(xs)).padStart(5)} ms${withRatio ? ` ratio ${ratio(xs).toFixed(2)}` : "           "} (${xs.map(Math.round).join(", ")})`,
    );
row(`bare ${BARE}`, series.bare, false);
row("plan --stack prod --json, cold (caches cleared)", series.coldJson);
row("plan --stack prod --json, warm", series.warmJson);
row("plan --stack prod (tree), warm", series.warmTree);
console.log(
    JSON.stringify({
        runs: RUNS,
        node: process.version,
        bareSdkMs: ms(series.bare),
        coldPlanJsonMs: ms(series.coldJson),
        coldRatio: ratio(series.coldJson),
        warmPlanJsonMs: ms(series.warmJson),
        warmRatio: ratio(series.warmJson),
        warmPlanTreeMs: ms(series.warmTree),
        warmTreeRatio: ratio(series.warmTree),
    }),
);
