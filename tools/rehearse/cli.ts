/**
 * `npm run rehearse`: bring the production topology of a stack up from real servers, run the chaos
 * drill against it and tear it down again (see options.ts for the command line, docs/rehearsal.md for
 * what it does). This process stays in the machine's namespace for the housekeeping (packages, plan,
 * build, namespaces); the drill itself runs inside the run's client namespace (drill-main.ts), since
 * only the run's own namespaces can reach the rehearsal's addresses.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { bringUp, controlCall } from "./bringup";
import { EnvMappingError, rehearsalEnvironment } from "./env-map";
import { removeNamespaces } from "./netns";
import { Options, parseOptions, USAGE, UsageError } from "./options";
import { PlanSettingsError, RehearsalPlan, settingsFromPlan } from "./plan-settings";
import { installPackages, PreflightError, requireRoot } from "./preflight";
import { BASE_DIR, currentRun, forgetRun, RunState } from "./run-state";
import { buildApp } from "./servers";
import { must } from "./sh";
import { DEFAULT_PREFIX, DEFAULT_SUBNET, hostsOf } from "./topology";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const EXIT = { ok: 0, failed: 1, usage: 2, machine: 3, interrupted: 130 };

let quiet = false;
const log = (message: string) => {
    if (!quiet) process.stderr.write(`rehearse: ${message}\n`);
};

async function readPlan(stack: string, planFile?: string): Promise<RehearsalPlan> {
    const out = planFile
        ? readFileSync(planFile, "utf8")
        : await must(
              [
                  process.execPath,
                  "--max-semi-space-size=32",
                  path.join(REPO_ROOT, "tools/ts-run.js"),
                  path.join(REPO_ROOT, "tools/plan-cli.ts"),
                  "--stack",
                  stack,
                  "--json",
              ],
              { cwd: REPO_ROOT, timeoutMs: 180_000 },
          );
    const plan = JSON.parse(out);
    if (plan.stack !== stack)
        throw new UsageError(`${planFile} is the plan of stack ${JSON.stringify(plan.stack)}, not of --stack ${stack}`);
    const settings = settingsFromPlan(plan);
    // Fail on an unmapped variable before anything is started.
    const probe = {
        writerHost: "w",
        readerHosts: [] as string[],
        redisHost: "r",
        memcachedServers: [] as string[],
        sesEndpoint: "",
        cloudWatchEndpoint: "",
        caFile: "",
        dataDir: "",
        secrets: { DATABASE_PASSWORD: "", REDIS_AUTH_TOKEN: "", ADMIN_TOKEN: "", TICKET_SIGNING_KEY: "" },
    };
    for (const c of [settings.app, settings.worker]) {
        const env = c.environment;
        const readers = (env.DATABASE_READ_URLS ?? env.DATABASE_READ_URL ?? "").split(",").filter(Boolean).length;
        const nodes = (env.MEMCACHED_SERVERS ?? "").split(",").filter(Boolean).length;
        rehearsalEnvironment(c, {
            ...probe,
            readerHosts: Array(readers).fill("r"),
            memcachedServers: Array(nodes).fill("m:1"),
        });
    }
    return settings;
}

/** Leftovers of a crashed run are removed; a run left up on purpose must be taken down explicitly. */
async function clearLeftovers(): Promise<void> {
    const kept = currentRun();
    if (kept?.keep) {
        throw new PreflightError(
            `a rehearsal left up with --keep is running (${kept.runDir}); take it down first: npm run rehearse -- down`,
        );
    }
    const removed = await removeNamespaces(DEFAULT_PREFIX);
    if (removed.length) log(`removed ${removed.length} namespace(s) left by an earlier run`);
    if (existsSync(BASE_DIR)) {
        for (const entry of readdirSync(BASE_DIR))
            if (entry !== "current") rmSync(path.join(BASE_DIR, entry), { recursive: true, force: true });
    }
}

async function down(): Promise<void> {
    const run = currentRun();
    const removed = await removeNamespaces(DEFAULT_PREFIX);
    if (run) forgetRun(run.runDir);
    log(
        removed.length || run
            ? `down: removed ${removed.length} namespace(s)${run ? ` and ${run.runDir}` : ""}`
            : "nothing was up",
    );
}

async function status(): Promise<void> {
    const run = currentRun();
    if (!run) {
        process.stdout.write("no rehearsal is up\n");
        return;
    }
    const state = await controlCall(run, "GET", "/state", 5000).catch((e) => ({ error: String(e.message) }));
    process.stdout.write(
        `${JSON.stringify({ runDir: run.runDir, stack: run.stack, publicUrl: run.publicUrl, keep: run.keep, control: state }, null, 2)}\n`,
    );
}

/** Runs drill-main.ts inside the client namespace and returns its exit code. */
function runDrill(state: RunState, o: Options, outDir: string, onChild: (pid: number) => void): Promise<number> {
    const client = hostsOf(state.topology, "client")[0];
    const args = [
        "netns",
        "exec",
        client.ns,
        process.execPath,
        path.join(REPO_ROOT, "tools/ts-run.js"),
        path.join(REPO_ROOT, "tools/rehearse/drill-main.ts"),
        state.runDir,
        JSON.stringify({ ...o, outDir }),
    ];
    const child = spawn("ip", args, {
        stdio: "inherit",
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: state.certs.caFile },
    });
    onChild(child.pid!);
    return new Promise((resolve) =>
        child.on("exit", (code, signal) => resolve(code ?? (signal ? EXIT.interrupted : EXIT.failed))),
    );
}

async function main(): Promise<number> {
    let o: Options;
    try {
        o = parseOptions(process.argv.slice(2));
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    }
    if (o.command === "help") {
        process.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
    }
    quiet = o.json;
    requireRoot();
    if (o.command === "down") return down().then(() => EXIT.ok);
    if (o.command === "status") return status().then(() => EXIT.ok);

    const started = Date.now();
    await clearLeftovers();
    await installPackages(log);
    log(`reading the ${o.stack} plan (health checks, task definitions)${o.planFile ? ` from ${o.planFile}` : ""}`);
    const settings = await readPlan(o.stack, o.planFile);
    log("building the app as the image does (npm run build -w app)");
    await buildApp(REPO_ROOT);

    let child: number | undefined;
    let interrupted = false;
    let state: RunState | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
        if (interrupted) return;
        interrupted = true;
        log(`${signal}: stopping and cleaning up`);
        if (child) setTimeout(() => child && process.kill(child, "SIGKILL"), 15_000).unref();
        // Mid bring-up: take down what exists, twice (a server may start while the first pass runs), and stop.
        else
            void teardown(state, o)
                .then(() => teardown(state, o))
                .then(() => process.exit(EXIT.interrupted));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const outDir = path.resolve(
        o.outDir ?? path.join(REPO_ROOT, ".rehearsal", new Date().toISOString().replace(/[:.]/g, "-")),
    );
    let code: number = EXIT.failed;
    let up = false;
    try {
        state = await bringUp({
            repoRoot: REPO_ROOT,
            settings,
            prefix: DEFAULT_PREFIX,
            subnet: DEFAULT_SUBNET,
            appInstances: o.appInstances,
            keep: o.keep,
            log,
        });
        up = true;
        log(
            `up in ${Math.round((Date.now() - started) / 1000)} s: ${state.publicUrl} (from namespace ${hostsOf(state.topology, "client")[0].ns})`,
        );
        if (o.command === "up") {
            log(
                `left up; explore with: ip netns exec ${hostsOf(state.topology, "client")[0].ns} curl --cacert ${state.certs.caFile} ${state.publicUrl}/healthz`,
            );
            log(`control plane: npm run rehearse -- status; take it down with: npm run rehearse -- down`);
            return EXIT.ok;
        }
        mkdirSync(outDir, { recursive: true });
        code = await runDrill(state, o, outDir, (pid) => (child = pid));
        child = undefined;
        if (interrupted) code = EXIT.interrupted;
    } finally {
        if (state && existsSync(path.join(state.runDir, "logs"))) {
            mkdirSync(outDir, { recursive: true });
            cpSync(path.join(state.runDir, "logs"), path.join(outDir, "logs"), { recursive: true });
        }
        // Kept only when asked and everything came up; a failed bring-up never leaves anything behind.
        if (!o.keep || interrupted || !up) await teardown(state, o);
    }
    log(
        `done in ${Math.round((Date.now() - started) / 1000)} s${o.keep ? " (left up: npm run rehearse -- down)" : ""}`,
    );
    return code;
}

async function teardown(state: RunState | undefined, o: Options): Promise<void> {
    await removeNamespaces(DEFAULT_PREFIX);
    // A bring-up that failed half-way has a run directory but returned no state.
    const run = state ?? currentRun();
    if (run) forgetRun(run.runDir);
    if (!o.json) log("torn down: every namespace and server of the run is gone");
}

main().then(
    (code) => process.exit(code),
    (error) => {
        const known =
            error instanceof PreflightError
                ? EXIT.machine
                : error instanceof EnvMappingError || error instanceof PlanSettingsError || error instanceof UsageError
                  ? EXIT.usage
                  : EXIT.failed;
        process.stderr.write(
            `rehearse: ${error instanceof Error ? (known === EXIT.failed ? error.stack : error.message) : String(error)}\n`,
        );
        process.exit(known);
    },
);
