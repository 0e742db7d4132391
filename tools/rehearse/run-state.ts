/**
 * Where a rehearsal keeps its files and what every part of it (bring-up, control plane, drill, `down`)
 * needs to know about the run: the topology, the settings read from the plan, generated secrets and the
 * servers' process ids. One JSON file, readable by root only (it holds the run's throwaway passwords).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RehearsalPlan } from "./plan-settings";
import type { Topology } from "./topology";

/** Base of every run directory; the pointer to the current run lives here too. */
export const BASE_DIR = "/tmp/boxoffice-rehearsal";
const CURRENT = path.join(BASE_DIR, "current");

export interface RunSecrets {
    postgresPassword: string;
    replicatorPassword: string;
    DATABASE_PASSWORD: string;
    REDIS_AUTH_TOKEN: string;
    ADMIN_TOKEN: string;
    TICKET_SIGNING_KEY: string;
}

export interface RunState {
    runId: string;
    runDir: string;
    startedAt: string;
    /** Left up on purpose (`--keep`): a new run refuses to start until `down`. */
    keep: boolean;
    repoRoot: string;
    stack: string;
    topology: Topology;
    settings: RehearsalPlan;
    secrets: RunSecrets;
    certs: { caFile: string; certFile: string; keyFile: string; pemFile: string };
    hostsDir: string;
    appUser: string;
    appDatabase: string;
    /** Environment per app/worker host, as mapped from the task definitions. */
    env: Record<string, Record<string, string>>;
    pids: Record<string, number>;
    controlUrl: string;
    sesUrl: string;
    publicUrl: string;
}

export function newRunDir(runId: string): string {
    mkdirSync(BASE_DIR, { recursive: true, mode: 0o755 });
    chmodSync(BASE_DIR, 0o755);
    const dir = path.join(BASE_DIR, runId);
    mkdirSync(path.join(dir, "logs"), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    return dir;
}

export function stateFile(runDir: string): string {
    return path.join(runDir, "state.json");
}

export function saveState(state: RunState): void {
    const file = stateFile(state.runDir);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(tmp, file);
    writeFileSync(CURRENT, state.runDir);
}

export function loadState(runDir: string): RunState {
    return JSON.parse(readFileSync(stateFile(runDir), "utf8")) as RunState;
}

/** The run the pointer names, if its state file still exists. */
export function currentRun(): RunState | undefined {
    if (!existsSync(CURRENT)) return undefined;
    const dir = readFileSync(CURRENT, "utf8").trim();
    return existsSync(stateFile(dir)) ? loadState(dir) : undefined;
}

export function forgetRun(runDir: string): void {
    rmSync(runDir, { recursive: true, force: true });
    if (existsSync(CURRENT) && readFileSync(CURRENT, "utf8").trim() === runDir) rmSync(CURRENT, { force: true });
}
