/**
 * Starting each kind of server in its own namespace, from the run state: used by the bring-up and again
 * by the drill when it brings a killed server back. Every function returns the server's pid.
 */
import { execFileSync } from "node:child_process";
import { chownSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dnsmasqArgs, recordFile } from "./dns";
import { haproxyConfig } from "./haproxy-config";
import { DEFAULT_SENTINEL_TIMINGS, reconfigScript, redisConf, sentinelConf } from "./redis-config";
import { RunState } from "./run-state";
import { startDaemon, must } from "./sh";
import { Host, hostsOf, SENTINELS } from "./topology";

const log = (s: RunState, name: string) => path.join(s.runDir, "logs", `${name}.log`);

function ids(user: string): { uid: number; gid: number } {
    return {
        uid: Number(execFileSync("id", ["-u", user]).toString()),
        gid: Number(execFileSync("id", ["-g", user]).toString()),
    };
}

/** A directory (and copies of the run's certificate and key) owned by the service's own user. */
function serviceDir(s: RunState, name: string, user: string): { dir: string; certFile: string; keyFile: string } {
    const dir = path.join(s.runDir, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { uid, gid } = ids(user);
    chownSync(dir, uid, gid);
    const certFile = path.join(dir, "server.crt");
    const keyFile = path.join(dir, "server.key");
    for (const [from, to] of [
        [s.certs.certFile, certFile],
        [s.certs.keyFile, keyFile],
    ]) {
        if (!existsSync(to)) copyFileSync(from, to);
        chownSync(to, uid, gid);
    }
    return { dir, certFile, keyFile };
}

export function startDns(s: RunState, h: Host): number {
    return startDaemon(
        ["dnsmasq", ...dnsmasqArgs({ listenIp: h.ip, hostsDir: s.hostsDir, logFile: log(s, "dns-queries") })],
        {
            ns: h.ns,
            logFile: log(s, h.name),
        },
    );
}

export function startRedis(s: RunState, h: Host, replicaOf?: string): number {
    const d = serviceDir(s, h.name, "redis");
    const conf = path.join(d.dir, "redis.conf");
    writeFileSync(
        conf,
        redisConf({
            ip: h.ip,
            dir: d.dir,
            password: s.secrets.REDIS_AUTH_TOKEN,
            replicaOf,
            tls: { certFile: d.certFile, keyFile: d.keyFile, caFile: s.certs.caFile },
        }),
    );
    chownSync(conf, ids("redis").uid, ids("redis").gid);
    return startDaemon(["redis-server", conf], { ns: h.ns, user: "redis", logFile: log(s, h.name) });
}

export function startSentinel(s: RunState, h: Host): number {
    const d = serviceDir(s, h.name, "redis");
    const script = path.join(d.dir, "reconfig.sh");
    writeFileSync(
        script,
        reconfigScript({
            hostsDir: s.hostsDir,
            name: s.topology.names.redisPrimary,
            file: recordFile(s.hostsDir, s.topology.names.redisPrimary),
        }),
        { mode: 0o755 },
    );
    const conf = path.join(d.dir, "sentinel.conf");
    // Sentinel rewrites its own file as it learns the topology; write it only the first time.
    if (!existsSync(conf)) {
        writeFileSync(
            conf,
            sentinelConf({
                ip: h.ip,
                dir: d.dir,
                primaryIp: hostsOf(s.topology, "redis")[0].ip,
                password: s.secrets.REDIS_AUTH_TOKEN,
                tls: { certFile: d.certFile, keyFile: d.keyFile, caFile: s.certs.caFile },
                quorum: Math.floor(SENTINELS / 2) + 1,
                reconfigScript: script,
                timings: DEFAULT_SENTINEL_TIMINGS,
            }),
        );
    }
    const { uid, gid } = ids("redis");
    chownSync(conf, uid, gid);
    chownSync(script, uid, gid);
    return startDaemon(["redis-sentinel", conf], { ns: h.ns, user: "redis", logFile: log(s, h.name) });
}

export function startMemcached(s: RunState, h: Host): number {
    const tls = s.settings.app.environment.MEMCACHED_TLS === "true";
    const d = serviceDir(s, h.name, "memcache");
    return startDaemon(
        [
            "memcached",
            "-l",
            h.ip,
            "-p",
            "11211",
            "-U",
            "0",
            "-m",
            "64",
            "-c",
            "1024",
            "-u",
            "memcache",
            ...(tls ? ["-Z", "-o", `ssl_chain_cert=${d.certFile},ssl_key=${d.keyFile}`] : []),
        ],
        { ns: h.ns, logFile: log(s, h.name) },
    );
}

export function haproxySocket(s: RunState, h: Host): string {
    return path.join(s.runDir, `${h.name}.sock`);
}

export function startHaproxy(s: RunState, h: Host, index: number): number {
    const lb = s.settings.loadBalancers[index];
    const port = Number(s.settings.app.environment.PORT ?? "8080");
    const conf = path.join(s.runDir, `${h.name}.cfg`);
    writeFileSync(
        conf,
        haproxyConfig({
            name: h.name,
            listenIp: h.ip,
            tlsPem: lb.protocol === "HTTPS" ? s.certs.pemFile : undefined,
            health: lb.health,
            fixedResponses: lb.fixedResponses,
            targets: hostsOf(s.topology, "app").map((a) => ({ name: a.name, ip: a.ip, port })),
            statsSocket: haproxySocket(s, h),
        }),
    );
    return startDaemon(["haproxy", "-W", "-db", "-f", conf], { ns: h.ns, logFile: log(s, h.name) });
}

const tsRun = (s: RunState) => path.join(s.repoRoot, "tools", "ts-run.js");

export function startSes(s: RunState, h: Host): number {
    return startDaemon(
        [process.execPath, tsRun(s), path.join(s.repoRoot, "tools/rehearse/ses-standin.ts"), h.ip, "8025"],
        {
            ns: h.ns,
            logFile: log(s, h.name),
            cwd: s.repoRoot,
        },
    );
}

export function startControl(s: RunState, h: Host): number {
    return startDaemon(
        [process.execPath, tsRun(s), path.join(s.repoRoot, "tools/rehearse/control-plane.ts"), s.runDir],
        {
            ns: h.ns,
            logFile: log(s, h.name),
            cwd: s.repoRoot,
        },
    );
}

/** An app or worker task: the built image's entry point, the task definition's user and environment. */
export function startTask(s: RunState, h: Host): number {
    const container = h.role === "worker" ? s.settings.worker : s.settings.app;
    const env = s.env[h.name];
    if (!env) throw new Error(`no environment mapped for ${h.name}`);
    const user = container.user ?? "1000:1000";
    const dataDir = env.BOXOFFICE_DATA_DIR;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const [uid, gid] = user.split(":").map(Number);
    chownSync(dataDir, uid, gid);
    const entry = container.command.filter((part) => part !== "node");
    return startDaemon([process.execPath, ...entry], {
        ns: h.ns,
        user,
        cwd: path.join(s.repoRoot, "app"),
        logFile: log(s, h.name),
        // Only what the task definition, the image and the platform set: nothing of this shell leaks in.
        env: { PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", ...env },
        replaceEnv: true,
    });
}

export async function buildApp(repoRoot: string): Promise<void> {
    await must(["npm", "run", "-s", "build", "-w", "app"], { cwd: repoRoot, timeoutMs: 180_000 });
}
