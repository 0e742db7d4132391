/**
 * The failover controller standing in for RDS Multi-AZ: probes the writer every second, fails over to
 * the synchronous standby when the writer stops answering (fence the old writer, promote, move the
 * writer name), lets the writer commit alone when its standby is lost, and rebuilds redundancy on
 * request (the fenced server comes back as the new standby through pg_rewind; replicas that cannot
 * follow the new writer are re-cloned). Decisions are in db-failover-logic.ts; this file acts on them.
 *
 * Known differences from RDS: detection takes ~3 s here (RDS Multi-AZ: 60-120 s for the whole failover);
 * RDS replaces a failed standby with a new host, the rehearsal re-uses the fenced one.
 */
import { moveRecord } from "./dns";
import {
    afterDegrade,
    afterFailover,
    afterSyncRestored,
    beforeDegrade,
    ClusterState,
    decide,
    observe,
    Thresholds,
} from "./db-failover-logic";
import { killAllIn, setLink } from "./netns";
import { adminQuery, PgCluster, rewindAsStandby, cloneStandby, stopServer } from "./postgres";
import { SYNC_STANDBY_NAME, syncStandbyNames } from "./postgres-config";
import { run, sleep, waitFor } from "./sh";
import { Host, host, hostsOf, Topology } from "./topology";

export interface ControlEvent {
    at: number;
    source: "db" | "dns" | "redis" | "lb" | "control";
    kind: string;
    detail?: Record<string, unknown>;
}

export type Emit = (event: Omit<ControlEvent, "at">, at?: number) => void;

export interface RebuildResult {
    standby?: string;
    method?: string;
    /** pg_rewind: the WAL position where the fenced server's history left the new writer's. */
    divergedAt?: string;
    replicas: string[];
}

export const DEFAULT_THRESHOLDS: Thresholds = { writerFailures: 3, standbyMisses: 3 };
const PROBE_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 900;

export class DbController {
    state: ClusterState;
    /** Set while an action runs: probes continue but decisions wait. */
    busy?: string;
    private timer?: NodeJS.Timeout;
    private firstFailureAt?: number;

    constructor(
        private readonly topology: Topology,
        private readonly cluster: PgCluster,
        private readonly dns: { ip: string; hostsDir: string },
        private readonly emit: Emit,
        private readonly thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) {
        const [db1, db2] = hostsOf(topology, "db");
        this.state = {
            writer: db1.name,
            standby: db2.name,
            standbyEligible: false,
            syncRequired: false,
            fenced: [],
            primaryFailures: 0,
            standbyMisses: 0,
        };
    }

    private h(name: string): Host {
        return host(this.topology, name);
    }

    private query<R = Record<string, unknown>>(
        name: string,
        sql: string,
        params: unknown[] = [],
        timeoutMs = 5000,
    ): Promise<R[]> {
        return adminQuery<R>(this.cluster, this.h(name).fqdn, sql, params, timeoutMs);
    }

    start(): void {
        const loop = async () => {
            try {
                await this.tick();
            } catch (error) {
                this.emit({ source: "db", kind: "controller-error", detail: { message: String(error) } });
            }
            this.timer = setTimeout(loop, PROBE_INTERVAL_MS);
        };
        void loop();
    }

    stop(): void {
        clearTimeout(this.timer);
    }

    private async probe(): Promise<{ writerUp: boolean; standbySynchronous: boolean }> {
        try {
            const rows = await this.query<{ recovery: boolean; sync: boolean }>(
                this.state.writer,
                `SELECT pg_is_in_recovery() AS recovery,
                        EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = $1
                                AND state = 'streaming' AND sync_state = 'sync') AS sync`,
                [SYNC_STANDBY_NAME],
                PROBE_TIMEOUT_MS,
            );
            return { writerUp: rows[0]?.recovery === false, standbySynchronous: rows[0]?.sync === true };
        } catch {
            return { writerUp: false, standbySynchronous: false };
        }
    }

    private async tick(): Promise<void> {
        if (this.busy) return;
        const seen = await this.probe();
        if (this.busy) return;
        if (!seen.writerUp && this.state.primaryFailures === 0) {
            this.firstFailureAt = Date.now();
            this.emit({ source: "db", kind: "writer-probe-failed", detail: { writer: this.state.writer } });
        }
        this.state = observe(this.state, seen);
        const decision = decide(this.state, this.thresholds);
        if (decision.kind === "failover") {
            this.emit({
                source: "db",
                kind: "writer-down-detected",
                detail: { writer: decision.from, firstFailureAt: this.firstFailureAt },
            });
            await this.exclusive("failover", () => this.failover(decision.to));
        } else if (decision.kind === "degrade") {
            await this.exclusive("degrade", () => this.degrade());
        } else if (decision.kind === "wait" && this.state.primaryFailures === this.thresholds.writerFailures) {
            this.emit({ source: "db", kind: "failover-refused", detail: { reason: decision.reason } });
        }
    }

    async exclusive<T>(name: string, action: () => Promise<T>): Promise<T> {
        if (this.busy) throw new Error(`the controller is busy with ${this.busy}`);
        this.busy = name;
        try {
            return await action();
        } finally {
            this.busy = undefined;
        }
    }

    private async setSync(name: string, enabled: boolean): Promise<void> {
        await this.query(name, `ALTER SYSTEM SET synchronous_standby_names = '${syncStandbyNames(enabled)}'`);
        await this.query(name, "SELECT pg_reload_conf()");
    }

    /** Fence, promote, let the new writer commit alone, move the name: in that order. */
    private async failover(to: string): Promise<void> {
        const from = this.state.writer;
        // STONITH: the old writer's host is stopped outright, so it can never serve (or rejoin) as a writer.
        await killAllIn(this.h(from).ns);
        this.emit({ source: "db", kind: "fenced", detail: { server: from } });
        await this.promote(to);
        await this.setSync(to, false);
        this.state = afterFailover(this.state, to);
        await this.moveWriter(to);
    }

    async promote(name: string): Promise<void> {
        await this.query(name, "SELECT pg_promote(true, 30)", [], 35_000);
        await waitFor(
            `${name} to leave recovery`,
            async () => (await this.query(name, "SELECT NOT pg_is_in_recovery() AS primary"))[0]?.primary === true,
            30_000,
            100,
        );
        this.emit({ source: "db", kind: "promoted", detail: { server: name } });
    }

    async moveWriter(name: string): Promise<void> {
        await moveRecord(this.dns.ip, this.dns.hostsDir, this.topology.names.writer, this.h(name).ip);
        this.emit({ source: "db", kind: "endpoint-moved", detail: { name: this.topology.names.writer, to: name } });
    }

    private async degrade(): Promise<void> {
        this.state = beforeDegrade(this.state);
        await this.setSync(this.state.writer, false);
        this.state = afterDegrade(this.state);
        this.emit({
            source: "db",
            kind: "degraded",
            detail: { writer: this.state.writer, lostStandby: this.state.standby },
        });
    }

    /** Makes `standby` the synchronous standby and waits until it holds everything the writer committed. */
    async attachSyncStandby(standby: string): Promise<void> {
        const writer = this.state.writer;
        await waitFor(
            `${standby} streaming from ${writer}`,
            async () =>
                (
                    await this.query(
                        writer,
                        "SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'",
                        [SYNC_STANDBY_NAME],
                    )
                ).length === 1,
            60_000,
            200,
        );
        await this.setSync(writer, true);
        // Commits acknowledged before the switch may not be on the standby yet: eligible once it is past them.
        const [{ lsn }] = await this.query<{ lsn: string }>(writer, "SELECT pg_current_wal_lsn()::text AS lsn");
        await waitFor(
            `${standby} synchronous and caught up`,
            async () =>
                (
                    await this.query(
                        writer,
                        "SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND sync_state = 'sync' AND flush_lsn >= $2::pg_lsn",
                        [SYNC_STANDBY_NAME, lsn],
                    )
                ).length === 1,
            60_000,
            100,
        );
        this.state = afterSyncRestored(this.state, standby);
        this.emit({ source: "db", kind: "sync-standby-attached", detail: { writer, standby } });
    }

    /** Bring-up: db2 was cloned from db1 already; require it from now on. */
    async initialSync(): Promise<void> {
        await this.exclusive("initial-sync", () => this.attachSyncStandby(this.state.standby!));
    }

    /** Restores redundancy after a fault: every fenced server becomes the standby again; replicas follow. */
    async rebuild(): Promise<RebuildResult> {
        return this.exclusive("rebuild", async () => {
            const writer = this.h(this.state.writer);
            const result: RebuildResult = { replicas: [] };
            for (const name of this.state.fenced) {
                const server = this.h(name);
                await killAllIn(server.ns);
                await stopServer(this.cluster, server, "immediate").catch(() => undefined);
                await setLink(this.topology, server, true);
                // Addresses the host failed to reach while cut off stay "unreachable" in its neighbour table.
                await run(["ip", "-n", server.ns, "neigh", "flush", "all"]);
                const rewound = await rewindAsStandby(this.cluster, server, writer, writer.fqdn, SYNC_STANDBY_NAME);
                const output = rewound.output;
                let method = rewound.method;
                this.emit({
                    source: "db",
                    kind: "rewound",
                    detail: { server: name, method, output: output.slice(-300) },
                });
                if (!(await this.streaming(SYNC_STANDBY_NAME, 20_000))) {
                    // A rewound server that cannot follow the new timeline is copied afresh.
                    await killAllIn(server.ns);
                    await cloneStandby(this.cluster, server, writer, writer.fqdn, SYNC_STANDBY_NAME);
                    method = "basebackup";
                }
                await this.attachSyncStandby(name);
                // Where the fenced server's history left the new writer's: WAL after it was never acknowledged.
                const diverged = /servers diverged at WAL location (\S+)/.exec(output)?.[1];
                Object.assign(result, { standby: name, method, divergedAt: diverged });
            }
            for (const replica of hostsOf(this.topology, "replica")) {
                if (await this.replicaFollows(replica)) continue;
                await killAllIn(replica.ns);
                await cloneStandby(this.cluster, replica, writer, this.topology.names.writer, replica.name);
                await waitFor(`${replica.name} streaming`, () => this.replicaFollows(replica), 60_000, 250);
                result.replicas.push(replica.name);
                this.emit({ source: "db", kind: "replica-recloned", detail: { replica: replica.name } });
            }
            this.emit({ source: "db", kind: "redundancy-restored", detail: { ...result } });
            return result;
        });
    }

    /** A replica is fine when the writer sees it streaming (it re-resolved the writer name and followed). */
    private replicaFollows(replica: Host, graceMs = 15_000): Promise<boolean> {
        return this.streaming(replica.name, graceMs);
    }

    /** Whether the writer sees a standby with this application_name streaming, within graceMs. */
    private async streaming(applicationName: string, graceMs: number): Promise<boolean> {
        const deadline = Date.now() + graceMs;
        while (Date.now() < deadline) {
            const rows = await this.query(
                this.state.writer,
                "SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'",
                [applicationName],
            ).catch(() => []);
            if (rows.length === 1) return true;
            await sleep(250);
        }
        return false;
    }

    /** Planned switchover (see switchover.ts); the pieces it needs from here. */
    fencedAfterSwitch(to: string): void {
        this.state = afterFailover(this.state, to);
    }

    setSyncOn(name: string, enabled: boolean): Promise<void> {
        return this.setSync(name, enabled);
    }

    queryOn<R = Record<string, unknown>>(
        name: string,
        sql: string,
        params: unknown[] = [],
        timeoutMs = 5000,
    ): Promise<R[]> {
        return this.query<R>(name, sql, params, timeoutMs);
    }

    host(name: string): Host {
        return this.h(name);
    }
}
