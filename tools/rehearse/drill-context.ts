/**
 * What a fault needs while the drill runs (inside the run's client namespace): the control plane's API
 * and events, the SES stand-in, killing and restarting servers as their host would, and a database
 * connection for the checks. The drill reaches everything by the rehearsal's names and addresses only.
 */
import { readFileSync } from "node:fs";
import { Client } from "pg";
import type { ControlEvent } from "./db-controller";
import type { ClusterState } from "./db-failover-logic";
import { killAllIn } from "./netns";
import type { RunState } from "./run-state";
import { setTargetRegistered } from "./haproxy-admin";
import * as servers from "./servers";
import { alive, sleep, waitFor } from "./sh";
import { Host, host as hostNamed, hostsOf } from "./topology";

export interface ControlState {
    db: ClusterState;
    busy: string | null;
    dns: { answer: "PRIMARY" | "SECONDARY"; primaryHealthy: boolean; secondaryHealthy: boolean } | null;
    names: Record<string, string>;
    servers: Record<string, string>;
}

export interface DrillTimings {
    /** Load before each fault, so its window starts from a steady state. */
    baselineMs: number;
    /** Load after the service is back and before the repair, so the recovery shows on the timeline. */
    observeMs: number;
    /** Upper bound on waiting for the platform to notice and recover. */
    recoveryTimeoutMs: number;
}

export const FULL_TIMINGS: DrillTimings = { baselineMs: 5000, observeMs: 5000, recoveryTimeoutMs: 120_000 };
export const CI_TIMINGS: DrillTimings = { baselineMs: 2000, observeMs: 1500, recoveryTimeoutMs: 90_000 };

export class DrillContext {
    /** App and worker tasks that died without the drill killing them (each one a defect). */
    readonly unexpectedExits: Array<{ host: string; at: number }> = [];
    private readonly tasks = new Map<string, number>();
    private readonly killing = new Set<string>();
    private readonly deregistered = new Set<string>();
    private supervisor?: NodeJS.Timeout;

    constructor(
        readonly state: RunState,
        readonly timings: DrillTimings,
        readonly log: (message: string) => void,
    ) {
        for (const h of [...hostsOf(state.topology, "app"), ...hostsOf(state.topology, "worker")])
            this.tasks.set(h.name, state.pids[h.name]);
    }

    /**
     * Stands in for the ECS service scheduler, checking every half second: a stopped app task is
     * deregistered from both load balancers' target groups at once (as ECS does; the health check would
     * take interval x unhealthy threshold), and a task that exits on its own is replaced and recorded,
     * since an app that crashes under a failover is a defect the drill must show, not hide. A task the
     * drill killed is replaced by the fault itself, later, as a new task takes time to start.
     */
    superviseTasks(): void {
        const check = async () => {
            for (const [name, pid] of this.tasks) {
                if (alive(pid) || this.deregistered.has(name)) continue;
                const h = this.host(name);
                if (h.role === "app") {
                    this.deregistered.add(name);
                    await this.register(h, false);
                }
                if (this.killing.has(name)) continue;
                this.unexpectedExits.push({ host: name, at: Date.now() });
                this.log(`${name} exited on its own (see its log); replacing it as ECS would`);
                this.restart(h);
            }
        };
        this.supervisor = setInterval(() => void check().catch((e) => this.log(`task supervision: ${e.message}`)), 500);
        this.supervisor.unref();
    }

    private async register(h: Host, registered: boolean): Promise<void> {
        for (const lb of hostsOf(this.state.topology, "lb")) {
            await setTargetRegistered(servers.haproxySocket(this.state, lb), h.name, registered).catch(() => undefined);
        }
    }

    stopSupervising(): void {
        clearInterval(this.supervisor);
    }

    host(name: string): Host {
        return hostNamed(this.state.topology, name);
    }

    hostByIp(ip: string): Host {
        const found = this.state.topology.hosts.find((h) => h.ip === ip);
        if (!found) throw new Error(`no rehearsal host has ${ip}`);
        return found;
    }

    async control<T>(method: "GET" | "POST", path: string, timeoutMs = 180_000): Promise<T> {
        const res = await fetch(`${this.state.controlUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
        const body = await res.json();
        if (!res.ok) throw new Error(`control plane ${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
        return body as T;
    }

    controlState(): Promise<ControlState> {
        return this.control<ControlState>("GET", "/state", 5000);
    }

    events(since: number): Promise<ControlEvent[]> {
        return this.control<ControlEvent[]>("GET", `/events?since=${since}`, 5000);
    }

    /** The first event since `since` that matches, waited for (bounded). */
    async waitEvent(
        what: string,
        since: number,
        match: (e: ControlEvent) => boolean,
        timeoutMs = this.timings.recoveryTimeoutMs,
    ): Promise<ControlEvent> {
        return waitFor(what, async () => (await this.events(since)).find(match), timeoutMs, 100);
    }

    async ses<T>(method: "GET" | "POST", path: string): Promise<T> {
        const res = await fetch(`${this.state.sesUrl}${path}`, { method, signal: AbortSignal.timeout(5000) });
        return (await res.json()) as T;
    }

    /** Confirmations the SES stand-in accepted, per order id (Message-ID `order-<id>@boxoffice`). */
    async emailsSent(): Promise<Map<string, number>> {
        const stats = await this.ses<{ sends: Record<string, number> }>("GET", "/_stats");
        const byOrder = new Map<string, number>();
        for (const [messageId, count] of Object.entries(stats.sends)) {
            const match = /^order-([0-9a-f-]{36})@boxoffice$/i.exec(messageId);
            byOrder.set(match ? match[1] : messageId, count);
        }
        return byOrder;
    }

    /** A host dies: every process in its namespace gets SIGKILL at once (no shutdown, no goodbye). */
    async kill(h: Host): Promise<number> {
        if (this.tasks.has(h.name)) this.killing.add(h.name);
        const pids = await killAllIn(h.ns);
        return pids.length;
    }

    /** Starts a killed server again, as its platform would (ECS replaces a task, a node restarts). */
    restart(h: Host, options: { redisReplicaOf?: string } = {}): number {
        const s = this.state;
        switch (h.role) {
            case "app":
            case "worker": {
                const pid = servers.startTask(s, h);
                this.tasks.set(h.name, pid);
                this.killing.delete(h.name);
                // The replacement is registered; the load balancers send it traffic once it passes the check.
                if (h.role === "app" && this.deregistered.delete(h.name)) void this.register(h, true);
                return pid;
            }
            case "memcached":
                return servers.startMemcached(s, h);
            case "redis":
                return servers.startRedis(s, h, options.redisReplicaOf);
            case "lb":
                return servers.startHaproxy(s, h, hostsOf(s.topology, "lb").indexOf(h));
            default:
                throw new Error(`the drill does not restart ${h.role} hosts itself`);
        }
    }

    /** One short-lived superuser connection to the current writer, for the checks. */
    async query<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<{ rows: R[] }> {
        for (let attempt = 1; ; attempt++) {
            const client = new Client({
                host: this.state.topology.names.writer,
                port: 5432,
                user: "postgres",
                password: this.state.secrets.postgresPassword,
                database: this.state.appDatabase,
                ssl: { ca: readFileSync(this.state.certs.caFile, "utf8") },
                connectionTimeoutMillis: 3000,
                query_timeout: 30_000,
                application_name: "rehearsal-checks",
            });
            client.on("error", () => undefined);
            try {
                await client.connect();
                const result = await client.query(sql, params);
                return { rows: result.rows as R[] };
            } catch (error) {
                if (attempt >= 5) throw error;
                await sleep(500 * attempt);
            } finally {
                client.end().catch(() => undefined);
            }
        }
    }

    appHosts(): Host[] {
        return hostsOf(this.state.topology, "app");
    }
}
