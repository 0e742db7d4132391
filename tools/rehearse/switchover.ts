/**
 * The planned database switchover with no refused write: the fleet holds writes (they wait in the app
 * instead of being answered 503), the old writer finishes what is in flight and is stopped cleanly (a
 * fast shutdown sends its last WAL to the standby before it exits), the standby is checked to have
 * received all of it, is promoted, the writer name moves, and the fleet is set back to read-write; the
 * held writes then proceed on fresh connections to the new writer. The hold lasts from the first
 * instance holding to the mode being read-write again.
 */
import { DbController, Emit } from "./db-controller";
import { dataDir, pgBinDir, PgCluster, stopServer } from "./postgres";
import { must, sleep, waitFor } from "./sh";
import path from "node:path";

/** Sets the shared mode through the admin API and tells when every instance has seen it. */
export interface FleetMode {
    set(mode: "hold" | "read-write"): Promise<void>;
    /** Resolves once every app instance reports the mode (and, for hold, no write in flight). */
    waitAll(mode: "hold" | "read-write", timeoutMs: number): Promise<void>;
}

/**
 * The admin API is not reachable through the load balancers (their listeners answer /admin with 404):
 * an operator calls one task inside the VPC, which shares the mode through Redis, and checks each.
 */
export function adminApiFleet(o: { instanceUrls: string[]; adminToken: string }): FleetMode {
    const headers = { authorization: `Bearer ${o.adminToken}`, "content-type": "application/json" };
    return {
        async set(mode) {
            let last = "";
            for (const url of o.instanceUrls) {
                const res = await fetch(`${url}/admin/mode`, {
                    method: "POST",
                    headers,
                    body: JSON.stringify({ mode }),
                    signal: AbortSignal.timeout(2000),
                }).catch((e: Error) => ({ ok: false, status: 0, text: async () => e.message }));
                if (res.ok) return;
                last = `${res.status} ${await res.text()}`;
            }
            throw new Error(`POST /admin/mode ${mode} refused by every instance: ${last}`);
        },
        async waitAll(mode, timeoutMs) {
            await waitFor(
                `every instance in mode ${mode}`,
                async () => {
                    for (const url of o.instanceUrls) {
                        const res = await fetch(`${url}/admin/mode`, { headers, signal: AbortSignal.timeout(1000) });
                        const body = (await res.json()) as { mode?: string; writesInFlight?: number };
                        if (body.mode !== mode) return false;
                        // Writes admitted before the hold finish on the old writer first.
                        if (mode === "hold" && body.writesInFlight !== 0) return false;
                    }
                    return true;
                },
                timeoutMs,
                50,
            );
        },
    };
}

export interface SwitchoverResult {
    from: string;
    to: string;
    holdStartedAt: number;
    holdEndedAt: number;
    holdMs: number;
    /** When the new writer's name resolved to it. */
    endpointMovedAt: number;
    finalLsn: string;
}

/**
 * Write transactions of the API still open on the writer (they hold an xid): the instances' own count
 * says none, this confirms it from the database's side. The worker is not held (it retries under its
 * lease), so its sessions are not waited for.
 */
const OPEN_WRITES_SQL = `SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND usename = $1 AND application_name = 'boxoffice-api'
    AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`;

async function latestCheckpoint(cluster: PgCluster, dir: string): Promise<string> {
    const out = await must([path.join(pgBinDir(), "pg_controldata"), "-D", dir], { user: "postgres" });
    const match = /Latest checkpoint location:\s+([0-9A-F]+\/[0-9A-F]+)/.exec(out);
    if (!match) throw new Error(`pg_controldata: no checkpoint location in\n${out}`);
    return match[1];
}

export async function switchover(
    ctl: DbController,
    cluster: PgCluster,
    fleet: FleetMode,
    emit: Emit,
): Promise<SwitchoverResult> {
    return ctl.exclusive("switchover", async () => {
        const { writer: from, standby: to, standbyEligible, syncRequired } = ctl.state;
        if (!to || !standbyEligible || !syncRequired) {
            throw new Error(
                `no synchronous standby to switch to (standby=${to ?? "none"}, eligible=${standbyEligible})`,
            );
        }
        const holdStartedAt = Date.now();
        await fleet.set("hold");
        emit({ source: "db", kind: "switchover-hold" }, holdStartedAt);
        await fleet.waitAll("hold", 5000);
        // Writes that passed the mode check before the hold finish on the old writer; wait for a quiet moment.
        let quiet = 0;
        await waitFor(
            "in-flight writes to finish",
            async () => {
                const [{ n }] = await ctl.queryOn<{ n: number }>(from, OPEN_WRITES_SQL, [cluster.appUser], 1000);
                quiet = n === 0 ? quiet + 1 : 0;
                return quiet >= 2;
            },
            5000,
            50,
        );
        emit({ source: "db", kind: "switchover-writes-drained" });
        await stopServer(cluster, ctl.host(from), "fast");
        const finalLsn = await latestCheckpoint(cluster, dataDir(cluster, ctl.host(from)));
        emit({ source: "db", kind: "switchover-old-writer-stopped", detail: { finalLsn } });
        await waitFor(
            `${to} to receive ${finalLsn}`,
            async () => {
                const [{ ok }] = await ctl.queryOn<{ ok: boolean }>(
                    to,
                    "SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS ok",
                    [finalLsn],
                    1000,
                );
                return ok;
            },
            10_000,
            20,
        );
        await ctl.promote(to);
        await ctl.setSyncOn(to, false);
        ctl.fencedAfterSwitch(to);
        await ctl.moveWriter(to);
        const endpointMovedAt = Date.now();
        await fleet.set("read-write");
        const holdEndedAt = Date.now();
        emit(
            { source: "db", kind: "switchover-read-write", detail: { holdMs: holdEndedAt - holdStartedAt } },
            holdEndedAt,
        );
        await fleet.waitAll("read-write", 5000).catch(() => undefined);
        await sleep(0);
        return { from, to, holdStartedAt, holdEndedAt, holdMs: holdEndedAt - holdStartedAt, endpointMovedAt, finalLsn };
    });
}
