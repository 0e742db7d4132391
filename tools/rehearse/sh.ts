/**
 * Running commands and long-lived servers, optionally inside a network namespace and as another user.
 * Servers are spawned detached (own session, output to a log file) so they outlive the command that
 * started them with `--keep`, and so a Ctrl-C in the terminal reaches the rehearsal, which stops them in
 * order, rather than every server at once.
 */
import { spawn, SpawnOptions } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export interface RunOptions {
    ns?: string;
    /** A user name, or "uid:gid" as in a task definition. */
    user?: string;
    env?: Record<string, string>;
    input?: string;
    cwd?: string;
    timeoutMs?: number;
}

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** The user's home from the password database (libpq looks for client certificates under it). */
function homeOf(user: string): string {
    const line = readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${user}:`));
    return line?.split(":")[5] || "/nonexistent";
}

/**
 * setpriv drops to the user without a PAM session or an extra process (unlike su/runuser); `env` sets
 * HOME to the user's own (not root's), and both exec, so the pid stays the program's.
 */
export function asUser(user: string | undefined, argv: string[]): string[] {
    if (!user) return argv;
    const ids = /^(\d+):(\d+)$/.exec(user);
    const flags = ids
        ? [`--reuid=${ids[1]}`, `--regid=${ids[2]}`, "--clear-groups"]
        : [`--reuid=${user}`, `--regid=${user}`, "--init-groups"];
    return ["setpriv", ...flags, "--", ...(ids ? [] : ["env", `HOME=${homeOf(user)}`]), ...argv];
}

export function inNamespace(ns: string | undefined, argv: string[]): string[] {
    return ns ? ["ip", "netns", "exec", ns, ...argv] : argv;
}

export function commandLine(argv: string[], options: Pick<RunOptions, "ns" | "user">): string[] {
    return inNamespace(options.ns, asUser(options.user, argv));
}

export function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    const full = commandLine(argv, options);
    return new Promise((resolve, reject) => {
        const child = spawn(full[0], full.slice(1), {
            cwd: options.cwd,
            env: options.env ? { ...process.env, ...options.env } : process.env,
            stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d) => (stdout += d));
        child.stderr!.on("data", (d) => (stderr += d));
        const timer = options.timeoutMs
            ? setTimeout(() => {
                  stderr += `\n(timed out after ${options.timeoutMs} ms)`;
                  child.kill("SIGKILL");
              }, options.timeoutMs)
            : undefined;
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
        if (options.input !== undefined) {
            child.stdin!.on("error", () => undefined); // a child that exits without reading its input
            child.stdin!.end(options.input);
        }
    });
}

export class CommandError extends Error {
    constructor(
        readonly argv: string[],
        readonly result: RunResult,
    ) {
        super(`${argv.join(" ")} exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(-800)}`);
    }
}

/** Runs a command and throws with its output when it fails. */
export async function must(argv: string[], options: RunOptions = {}): Promise<string> {
    const result = await run(argv, options);
    if (result.code !== 0) throw new CommandError(commandLine(argv, options), result);
    return result.stdout;
}

export interface DaemonOptions extends RunOptions {
    logFile: string;
    /** Use exactly `env` (plus nothing of this process's environment). */
    replaceEnv?: boolean;
}

/**
 * Starts a server detached, with stdout and stderr appended to its log. `ip netns exec` and setpriv both
 * exec, so the returned pid is the server's own: a SIGKILL to it is a crash of that server.
 */
export function startDaemon(argv: string[], options: DaemonOptions): number {
    const full = commandLine(argv, options);
    const log = openSync(options.logFile, "a");
    const spawnOptions: SpawnOptions = {
        cwd: options.cwd,
        env: options.replaceEnv ? options.env : options.env ? { ...process.env, ...options.env } : process.env,
        stdio: ["ignore", log, log],
        detached: true,
    };
    const child = spawn(full[0], full.slice(1), spawnOptions);
    closeSync(log);
    child.on("error", () => undefined); // a failed exec shows as a dead pid, which callers check
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${full.join(" ")}`);
    return child.pid;
}

export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until check() returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(
    what: string,
    check: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs: number,
    intervalMs = 100,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined && value !== false) return value as T;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() > deadline) {
            const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
            throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${reason}`);
        }
        await sleep(intervalMs);
    }
}
