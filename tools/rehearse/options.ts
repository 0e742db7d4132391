/**
 * Command line of `npm run rehearse` (pure; tested).
 */
import { FAULT_NAMES } from "./fault-names";

export type Command = "drill" | "up" | "down" | "status" | "help";

export interface Options {
    command: Command;
    stack: string;
    json: boolean;
    ci: boolean;
    keep: boolean;
    only: string[];
    outDir?: string;
    /** Requests per second the load generator sends through the public name. */
    rate: number;
    appInstances: number;
    /** A plan document already made (`npm run plan -- --stack <s> --json`), instead of making it again. */
    planFile?: string;
}

export const USAGE = `usage: npm run rehearse -- [command] [options]

Brings the production topology of a stack up on this machine from real servers (PostgreSQL primary +
synchronous standby + read replica, Redis + Sentinel, Memcached, app and worker from app/dist, two
HAProxy load balancers behind a DNS failover), each in its own network namespace, then runs the chaos
drill through the public name under load and checks the invariants. Needs root.

commands:
  (none)              bring up, run the drill, tear down (add --keep to leave it up)
  up                  bring up and leave it running (same as --keep without the drill)
  down                tear down a rehearsal left up (and any leftovers of a crashed one)
  status              what is up, and the control plane's view

options:
  --stack <name>      the stack whose plan is rehearsed (default prod)
  --only <faults>     run only these faults (comma-separated; repeatable):
                      ${FAULT_NAMES.join(", ")}
  --ci                the bounded CI profile: lower rate, shorter settle times (same health settings)
  --json              no progress on stderr; the last line of stdout is the JSON result
  --keep              leave the rehearsal up after the drill (then: npm run rehearse -- down)
  --out <dir>         where the report goes (default .rehearsal/<timestamp>)
  --rate <n>          requests per second through the public name (default 30, 15 with --ci)
  --app-instances <n> app instances behind the load balancers (default 2)
  --plan <file>       use this plan document (npm run -s plan -- --stack <name> --json > file) instead of
                      making it (it must be the plan of --stack)
  --help              this text

exit status: 0 every invariant and target held; 1 an invariant or the planned switch's target failed;
2 bad usage or a stack the rehearsal cannot map; 3 the machine cannot run it (not root, packages).`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): Options {
    const o: Options = {
        command: "drill",
        stack: "prod",
        json: false,
        ci: false,
        keep: false,
        only: [],
        rate: 0,
        appInstances: 2,
    };
    const value = (i: number, flag: string) => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
        return v;
    };
    const positive = (v: string, flag: string, max: number) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > max)
            throw new UsageError(`${flag} must be an integer 1..${max}, got ${JSON.stringify(v)}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] =
            a.startsWith("--") && a.includes("=")
                ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
                : [a, undefined];
        const next = () => inline ?? value(i++, flag);
        if (flag === "--help" || flag === "-h") o.command = "help";
        else if (flag === "--json") o.json = true;
        else if (flag === "--ci") o.ci = true;
        else if (flag === "--keep") o.keep = true;
        else if (flag === "--stack") o.stack = next();
        else if (flag === "--only")
            o.only.push(
                ...next()
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean),
            );
        else if (flag === "--out") o.outDir = next();
        else if (flag === "--rate") o.rate = positive(next(), flag, 500);
        else if (flag === "--app-instances") o.appInstances = positive(next(), flag, 8);
        else if (flag === "--plan") o.planFile = next();
        else if (["up", "down", "status", "drill", "help"].includes(a) && i === 0) o.command = a as Command;
        else throw new UsageError(`unknown argument ${JSON.stringify(a)}\n\n${USAGE}`);
    }
    if (o.appInstances < 2) throw new UsageError("--app-instances must be at least 2 (the drill kills one)");
    if (!/^[A-Za-z0-9_.-]+$/.test(o.stack)) throw new UsageError(`invalid stack name ${JSON.stringify(o.stack)}`);
    const unknown = o.only.filter((f) => !FAULT_NAMES.includes(f));
    if (unknown.length)
        throw new UsageError(`unknown fault(s) ${unknown.join(", ")}; known: ${FAULT_NAMES.join(", ")}`);
    if (o.command === "up") o.keep = true;
    if (o.rate === 0) o.rate = o.ci ? 15 : 30;
    return o;
}
