/**
 * Brings the whole production topology up on this machine, from the settings of a stack's plan: network
 * and DNS first, then the database cluster, Redis with Sentinel, Memcached, the SES stand-in, the
 * control plane, the app and worker tasks, and the two load balancers with the DNS failover in front.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import { makeCertificates } from "./certs";
import { CONTROL_PORT } from "./control-plane";
import { writeHostRecords, writeRecord } from "./dns";
import { rehearsalEnvironment, RehearsalValues } from "./env-map";
import { createNetwork } from "./netns";
import type { RehearsalPlan } from "./plan-settings";
import { cloneStandby, initPrimary, PgCluster } from "./postgres";
import { SYNC_STANDBY_NAME } from "./postgres-config";
import { newRunDir, RunState, saveState } from "./run-state";
import * as servers from "./servers";
import { must, run, sleep, waitFor } from "./sh";
import { buildTopology, hostsOf, initialRecords, Topology } from "./topology";
import { clusterOf } from "./control-plane";

export interface BringUpOptions {
    repoRoot: string;
    settings: RehearsalPlan;
    prefix: string;
    subnet: string;
    appInstances: number;
    keep: boolean;
    log: (message: string) => void;
}

const secret = (bytes = 24) => randomBytes(bytes).toString("base64url");

function urlCount(value: string | undefined): number {
    return value ? value.split(",").filter((u) => u.trim()).length : 0;
}

/** The database user and name the task definition's DATABASE_URL asks for. */
function databaseOf(settings: RehearsalPlan): { user: string; database: string } {
    const env = settings.app.environment;
    const url = new URL(env.DATABASE_URL ?? "postgres://boxoffice@x/boxoffice");
    return {
        user: env.DATABASE_USER ?? decodeURIComponent(url.username),
        database: url.pathname.replace(/^\//, "") || "postgres",
    };
}

function values(
    s: { topology: Topology; runDir: string; certs: RunState["certs"]; secrets: RunState["secrets"] },
    hostName: string,
): RehearsalValues {
    const t = s.topology;
    const ses = hostsOf(t, "ses")[0];
    return {
        writerHost: t.names.writer,
        readerHosts: t.names.readers,
        redisHost: t.names.redisPrimary,
        memcachedServers: hostsOf(t, "memcached").map((h) => `${h.fqdn}:11211`),
        sesEndpoint: `http://${t.names.ses}:8025`,
        cloudWatchEndpoint: `http://${ses.fqdn}:8025`,
        caFile: s.certs.caFile,
        dataDir: path.join(s.runDir, `${hostName}-data`),
        secrets: s.secrets,
    };
}

export async function bringUp(o: BringUpOptions): Promise<RunState> {
    const runId = new Date().toISOString().replace(/[:.]/g, "-");
    const runDir = newRunDir(runId);
    const appEnv = o.settings.app.environment;
    const topology = buildTopology({
        prefix: o.prefix,
        subnet: o.subnet,
        appInstances: o.appInstances,
        // The worker service's desired count, at most 2 here: the drill kills one while the other goes on.
        workers: Math.min(2, Math.max(1, o.settings.worker.desiredCount ?? 1)),
        readReplicas: Math.max(1, urlCount(appEnv.DATABASE_READ_URLS ?? appEnv.DATABASE_READ_URL)),
        memcachedNodes: Math.max(2, urlCount(appEnv.MEMCACHED_SERVERS)),
    });
    o.log(`run directory ${runDir}; ${topology.hosts.length} hosts on ${topology.subnet}.0/24`);
    const certs = await makeCertificates(path.join(runDir, "tls"));
    chmodSync(path.join(runDir, "tls"), 0o755);
    chmodSync(certs.caFile, 0o644);
    chmodSync(certs.certFile, 0o644);
    const hostsDir = path.join(runDir, "dns");
    mkdirSync(hostsDir, { mode: 0o755 });
    const { user: appUser, database: appDatabase } = databaseOf(o.settings);
    const secrets = {
        postgresPassword: secret(),
        replicatorPassword: secret(),
        DATABASE_PASSWORD: secret(),
        REDIS_AUTH_TOKEN: secret(),
        ADMIN_TOKEN: secret(32),
        TICKET_SIGNING_KEY: randomBytes(32).toString("base64"),
    };
    const protocol = o.settings.loadBalancers[0].protocol === "HTTPS" ? "https" : "http";
    const control = hostsOf(topology, "control")[0];
    const state: RunState = {
        runId,
        runDir,
        startedAt: new Date().toISOString(),
        keep: o.keep,
        repoRoot: o.repoRoot,
        stack: o.settings.stack,
        topology,
        settings: o.settings,
        secrets,
        certs,
        hostsDir,
        appUser,
        appDatabase,
        env: {},
        pids: {},
        controlUrl: `http://${control.ip}:${CONTROL_PORT}`,
        sesUrl: `http://${hostsOf(topology, "ses")[0].ip}:8025`,
        publicUrl: `${protocol}://${topology.names.public}`,
    };
    for (const h of [...hostsOf(topology, "app"), ...hostsOf(topology, "worker")]) {
        state.env[h.name] = rehearsalEnvironment(
            h.role === "worker" ? o.settings.worker : o.settings.app,
            values(state, h.name),
        );
    }
    saveState(state);
    const pid = (name: string, value: number) => {
        state.pids[name] = value;
        saveState(state);
    };

    o.log("network: namespaces, bridge, DNS");
    await createNetwork(topology);
    writeHostRecords(topology, hostsDir);
    for (const [name, ip] of Object.entries(initialRecords(topology))) writeRecord(hostsDir, name, ip);
    // Sentinel's reconfig script runs as the redis user and rewrites the Redis primary's record.
    await must(["chown", "-R", "redis:redis", hostsDir]);
    const dns = hostsOf(topology, "dns")[0];
    pid(dns.name, servers.startDns(state, dns));
    await waitFor(
        "DNS",
        async () => (await run(["getent", "hosts", topology.names.writer], { ns: control.ns })).code === 0,
        10_000,
        100,
    );

    o.log("database: primary, synchronous standby, read replica(s)");
    const cluster: PgCluster = clusterOf(state);
    const [db1, db2] = hostsOf(topology, "db");
    pid(db1.name, await initPrimary(cluster, db1));
    pid(db2.name, await cloneStandby(cluster, db2, db1, db1.fqdn, SYNC_STANDBY_NAME));
    for (const r of hostsOf(topology, "replica"))
        pid(r.name, await cloneStandby(cluster, r, db1, topology.names.writer, r.name));

    o.log("Redis primary + replica, Sentinel x3; Memcached; SES stand-in");
    const [redis1, redis2] = hostsOf(topology, "redis");
    pid(redis1.name, servers.startRedis(state, redis1));
    pid(redis2.name, servers.startRedis(state, redis2, redis1.ip));
    for (const h of hostsOf(topology, "sentinel")) pid(h.name, servers.startSentinel(state, h));
    for (const h of hostsOf(topology, "memcached")) pid(h.name, servers.startMemcached(state, h));
    const ses = hostsOf(topology, "ses")[0];
    pid(ses.name, servers.startSes(state, ses));

    o.log("control plane (failover controller, DNS failover, observer)");
    pid(control.name, servers.startControl(state, control));
    await waitFor("control plane", () => controlCall(state, "GET", "/state").then(() => true), 30_000, 200);
    await controlCall(state, "POST", "/initial-sync");

    o.log(`app x${hostsOf(topology, "app").length} and worker from app/dist, environment from the task definitions`);
    for (const h of [...hostsOf(topology, "app"), ...hostsOf(topology, "worker")])
        pid(h.name, servers.startTask(state, h));
    const port = appEnv.PORT ?? "8080";
    for (const h of hostsOf(topology, "app")) {
        await waitFor(
            `${h.name} /healthz`,
            async () =>
                (await run(["curl", "-sf", "-o", "/dev/null", `http://${h.ip}:${port}/healthz`], { ns: control.ns }))
                    .code === 0,
            60_000,
            250,
        );
    }

    o.log("load balancers (HAProxy x2) and DNS failover");
    hostsOf(topology, "lb").forEach((h, i) => pid(h.name, servers.startHaproxy(state, h, i)));
    for (const h of hostsOf(topology, "lb")) {
        await waitFor(
            `${h.name}`,
            async () =>
                (
                    await run(
                        ["curl", "-sf", "--cacert", certs.caFile, "-o", "/dev/null", `${protocol}://${h.fqdn}/healthz`],
                        { ns: control.ns },
                    )
                ).code === 0,
            30_000,
            250,
        );
    }
    await controlCall(state, "POST", "/start-dns-failover");
    await sleep(100);
    return state;
}

/** Calls the control plane's API from inside the control namespace (nothing else can reach it). */
export async function controlCall<T = unknown>(
    s: RunState,
    method: "GET" | "POST",
    pathName: string,
    timeoutMs = 180_000,
): Promise<T> {
    const control = hostsOf(s.topology, "control")[0];
    const out = await run(
        [
            "curl",
            "-s",
            "-X",
            method,
            "--max-time",
            String(Math.ceil(timeoutMs / 1000)),
            "-w",
            "\n%{http_code}",
            `${s.controlUrl}${pathName}`,
        ],
        { ns: control.ns },
    );
    const lines = out.stdout.trimEnd().split("\n");
    const status = Number(lines.pop());
    const body = lines.join("\n");
    if (status !== 200) throw new Error(`control plane ${method} ${pathName}: ${status || "no answer"} ${body}`);
    return JSON.parse(body) as T;
}
