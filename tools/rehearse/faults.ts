/**
 * The drill's catalogue: each fault is injected under load, the drill waits for the platform to notice
 * and serve again, lets the load run on a little (so the recovery shows), then restores redundancy so
 * the next fault again meets a complete platform. Times are the control plane's and the drill's own
 * clock (one machine, one clock).
 */
import type { RebuildResult } from "./db-controller";
import type { DrillContext } from "./drill-context";
import { setLink } from "./netns";
import type { SwitchoverResult } from "./switchover";
import { run, sleep, waitFor } from "./sh";
import { hostsOf } from "./topology";

export interface FaultOutcome {
    name: string;
    injectedAt: number;
    /** When the platform noticed (controller, Sentinel, health check, ...). */
    detectedAt?: number;
    /** When it served again without the failed part. */
    recoveredAt?: number;
    /** When redundancy was restored (the next fault may come). */
    repairedAt?: number;
    /** Database faults: when the writer name resolved to the promoted server (start of the app's share). */
    endpointMovedAt?: number;
    /** Planned switchover: how long writes were held. */
    holdMs?: number;
    /** The database fails over: the app instances must stay in service behind the load balancers. */
    databaseFault?: boolean;
    skipped?: string;
    notes: string[];
}

export type Fault = (ctx: DrillContext) => Promise<FaultOutcome>;

async function currentWriter(ctx: DrillContext): Promise<string> {
    const state = await ctx.controlState();
    if (!state.db.standby || !state.db.standbyEligible)
        throw new Error(`no eligible standby before the fault: ${JSON.stringify(state.db)}`);
    return state.db.writer;
}

/** Shared by the two unplanned database faults: only the way the writer is lost differs. */
async function databaseFailover(
    ctx: DrillContext,
    name: string,
    lose: (writer: string) => Promise<void>,
    note: string,
): Promise<FaultOutcome> {
    const writer = await currentWriter(ctx);
    const injectedAt = Date.now();
    await lose(writer);
    ctx.log(`${name}: ${note} (${writer})`);
    const detected = await ctx.waitEvent(
        "the controller to detect the writer down",
        injectedAt,
        (e) => e.kind === "writer-down-detected",
    );
    const promoted = await ctx.waitEvent("the standby's promotion", injectedAt, (e) => e.kind === "promoted");
    const moved = await ctx.waitEvent("the writer name to move", injectedAt, (e) => e.kind === "endpoint-moved");
    ctx.log(
        `${name}: detected +${secs(detected.at - injectedAt)}, promoted ${promoted.detail?.server} +${secs(promoted.at - injectedAt)}, name moved +${secs(moved.at - injectedAt)}`,
    );
    await sleep(ctx.timings.observeMs);
    const rebuilt = await ctx.control<RebuildResult>("POST", "/rebuild");
    ctx.log(
        `${name}: redundancy restored (${rebuilt.standby} back as standby by ${rebuilt.method}${rebuilt.replicas.length ? `; re-cloned ${rebuilt.replicas.join(", ")}` : ""})`,
    );
    const diverged = rebuilt.divergedAt ? ` (its WAL after ${rebuilt.divergedAt}, never acknowledged, rewound)` : "";
    return {
        name,
        injectedAt,
        detectedAt: detected.at,
        recoveredAt: moved.at,
        endpointMovedAt: moved.at,
        repairedAt: Date.now(),
        databaseFault: true,
        notes: [
            `promoted ${promoted.detail?.server}; ${writer} fenced, back as standby by ${rebuilt.method}${diverged}`,
        ],
    };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const FAULTS: Record<string, Fault> = {
    "db-primary-killed": (ctx) =>
        databaseFailover(
            ctx,
            "db-primary-killed",
            async (w) => void (await ctx.kill(ctx.host(w))),
            "primary host killed",
        ),

    "db-primary-cut-off": (ctx) =>
        databaseFailover(
            ctx,
            "db-primary-cut-off",
            (w) => setLink(ctx.state.topology, ctx.host(w), false),
            "primary cut off from the network (link down, process running)",
        ),

    "redis-primary-killed": async (ctx) => {
        const name = "redis-primary-killed";
        const primaryName = ctx.state.topology.names.redisPrimary;
        const primary = ctx.hostByIp((await ctx.controlState()).names[primaryName]);
        const injectedAt = Date.now();
        await ctx.kill(primary);
        ctx.log(`${name}: ${primary.name} killed`);
        const moved = await ctx.waitEvent(
            "Sentinel to promote the replica and move the name",
            injectedAt,
            (e) => e.kind === "name-moved" && e.detail?.name === primaryName,
        );
        const newPrimary = String(moved.detail?.to);
        ctx.log(`${name}: primary endpoint moved to ${ctx.hostByIp(newPrimary).name} +${secs(moved.at - injectedAt)}`);
        await sleep(ctx.timings.observeMs);
        ctx.restart(primary, { redisReplicaOf: newPrimary });
        await waitFor(`${primary.name} back as a replica`, () => redisReplicas(ctx).then((n) => n >= 1), 60_000, 250);
        return {
            name,
            injectedAt,
            detectedAt: moved.at,
            recoveredAt: moved.at,
            repairedAt: Date.now(),
            notes: [`${primary.name} back as replica`],
        };
    },

    "memcached-node-killed": async (ctx) => {
        const name = "memcached-node-killed";
        const node = hostsOf(ctx.state.topology, "memcached")[0];
        const injectedAt = Date.now();
        await ctx.kill(node);
        ctx.log(`${name}: ${node.name} killed; the app treats its keys as misses`);
        await sleep(ctx.timings.observeMs * 2);
        ctx.restart(node);
        return {
            name,
            injectedAt,
            repairedAt: Date.now(),
            notes: ["no failover: a cache node's keys are misses until it is back"],
        };
    },

    "app-instance-killed": async (ctx) => {
        const name = "app-instance-killed";
        const victim = ctx.appHosts()[0];
        const lb = hostsOf(ctx.state.topology, "lb")[0];
        const injectedAt = Date.now();
        await ctx.kill(victim);
        ctx.log(`${name}: ${victim.name} killed; ECS deregisters the stopped task from the target groups`);
        const out = await ctx.waitEvent(
            `${victim.name} to leave ${lb.name}'s rotation`,
            injectedAt,
            (e) =>
                e.kind === "target-state" &&
                e.detail?.lb === lb.name &&
                e.detail?.server === victim.name &&
                e.detail?.to !== "UP",
        );
        ctx.log(
            `${name}: out of ${lb.name} (${out.detail?.to}) +${secs(out.at - injectedAt)}; a replacement task starts`,
        );
        await sleep(ctx.timings.observeMs);
        const restartedAt = Date.now();
        ctx.restart(victim);
        const up = await ctx.waitEvent(
            `${lb.name} to take the replacement in`,
            restartedAt,
            (e) =>
                e.kind === "target-state" &&
                e.detail?.lb === lb.name &&
                e.detail?.server === victim.name &&
                e.detail?.to === "UP",
        );
        return {
            name,
            injectedAt,
            detectedAt: out.at,
            recoveredAt: out.at,
            repairedAt: up.at,
            notes: [
                `taken out as ${out.detail?.to}; replacement in service ${secs(up.at - restartedAt)} after it started`,
            ],
        };
    },

    "lb-primary-killed": async (ctx) => {
        const name = "lb-primary-killed";
        if (!ctx.state.settings.dnsFailover) {
            return { name, injectedAt: Date.now(), skipped: "the stack has no Route 53 failover records", notes: [] };
        }
        const lb = hostsOf(ctx.state.topology, "lb")[0];
        const injectedAt = Date.now();
        await ctx.kill(lb);
        ctx.log(`${name}: ${lb.name} killed; waiting for the Route 53 health check`);
        const unhealthy = await ctx.waitEvent(
            "the PRIMARY health check to fail",
            injectedAt,
            (e) => e.kind === "health-check-unhealthy" && e.detail?.role === "PRIMARY",
        );
        const failover = await ctx.waitEvent(
            "DNS to answer the SECONDARY",
            injectedAt,
            (e) => e.kind === "failover-answer" && e.detail?.answer === "SECONDARY",
        );
        ctx.log(
            `${name}: unhealthy +${secs(unhealthy.at - injectedAt)}, public name on the secondary +${secs(failover.at - injectedAt)}`,
        );
        await sleep(ctx.timings.observeMs);
        const restartedAt = Date.now();
        ctx.restart(lb);
        const back = await ctx.waitEvent(
            "DNS to answer the PRIMARY again",
            restartedAt,
            (e) => e.kind === "failover-answer" && e.detail?.answer === "PRIMARY",
        );
        return {
            name,
            injectedAt,
            detectedAt: unhealthy.at,
            recoveredAt: failover.at,
            repairedAt: back.at,
            notes: [`failed back ${secs(back.at - restartedAt)} after restart`],
        };
    },

    "worker-killed-mid-batch": workerKilledMidBatch,

    "db-planned-switchover": async (ctx) => {
        const name = "db-planned-switchover";
        await currentWriter(ctx);
        const result = await ctx.control<SwitchoverResult>("POST", "/switchover");
        ctx.log(`${name}: ${result.from} -> ${result.to}, writes held ${result.holdMs} ms`);
        await sleep(ctx.timings.observeMs);
        const rebuilt = await ctx.control<{ standby?: string; method?: string }>("POST", "/rebuild");
        return {
            name,
            injectedAt: result.holdStartedAt,
            recoveredAt: result.holdEndedAt,
            endpointMovedAt: result.endpointMovedAt,
            repairedAt: Date.now(),
            holdMs: result.holdMs,
            databaseFault: true,
            notes: [`${result.from} -> ${result.to}; ${result.from} back as standby by ${rebuilt.method}`],
        };
    },
};

/** Replicas connected to the Redis primary behind the primary endpoint name. */
async function redisReplicas(ctx: DrillContext): Promise<number> {
    const out = await run(
        [
            "redis-cli",
            "--tls",
            "--cacert",
            ctx.state.certs.caFile,
            "-h",
            ctx.state.topology.names.redisPrimary,
            "--no-auth-warning",
            "-a",
            ctx.state.secrets.REDIS_AUTH_TOKEN,
            "INFO",
            "replication",
        ],
        { timeoutMs: 3000 },
    );
    if (!out.stdout.includes("role:master")) return 0;
    const match = /connected_slaves:(\d+)/.exec(out.stdout);
    return match ? Number(match[1]) : 0;
}

/** Outbox rows the worker has claimed (under lease) and not sent. */
const CLAIMED_SQL = `SELECT id::text FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > now() + interval '5 seconds'`;

/**
 * The worker dies while it holds claimed rows and a send is in flight: the SES stand-in parks sends,
 * the worker is killed once one is parked (so the provider never finished that request), the parked
 * request is dropped, and the task is replaced. The fault is over once the replacement sends again;
 * the claimed rows come back when their lease runs out (60 s), which the drill notes as it happens
 * while the next faults run, and the final check proves each was sent exactly once.
 */
async function workerKilledMidBatch(ctx: DrillContext): Promise<FaultOutcome> {
    const name = "worker-killed-mid-batch";
    const worker = hostsOf(ctx.state.topology, "worker")[0];
    await ctx.ses("POST", "/_hold");
    let claimed: string[] = [];
    try {
        await waitFor(
            `${worker.name} to be mid-send`,
            async () => (await ctx.ses<{ parkedFrom: string[] }>("GET", "/_stats")).parkedFrom.includes(worker.ip),
            30_000,
            50,
        );
        claimed = (await ctx.query<{ id: string }>(CLAIMED_SQL)).rows.map((r) => r.id);
    } finally {
        if (!claimed.length) await ctx.ses("POST", "/_release");
    }
    const injectedAt = Date.now();
    await ctx.kill(worker);
    // Release only once the stand-in has seen the dead worker's connection close: released earlier, the
    // parked send would be accepted (and resent after the lease), which is the at-least-once window
    // docs/rehearsal.md describes, not the mid-send crash this fault is about.
    await waitFor(
        `the stand-in to drop ${worker.name}'s send`,
        async () => !(await ctx.ses<{ parkedFrom: string[] }>("GET", "/_stats")).parkedFrom.includes(worker.ip),
        10_000,
        20,
    );
    await ctx.ses("POST", "/_release");
    ctx.log(
        `${name}: ${worker.name} killed with a send in flight (${claimed.length} row(s) under lease at that moment); task replaced`,
    );
    ctx.restart(worker);
    const detectedAt = Date.now();
    const sentBefore = (await ctx.ses<{ total: number }>("GET", "/_stats")).total;
    const recoveredAt = await waitFor(
        "the replacement worker to send",
        async () => ((await ctx.ses<{ total: number }>("GET", "/_stats")).total > sentBefore ? Date.now() : undefined),
        60_000,
        200,
    );
    ctx.log(
        `${name}: the replacement sends +${secs(recoveredAt - injectedAt)}; the ${claimed.length} claimed row(s) wait for their lease`,
    );
    const note = { text: `${claimed.length} claimed row(s) wait for their 60 s lease` };
    void waitFor(
        "the claimed rows to be sent",
        async () => {
            const left = await ctx.query(
                "SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::bigint[]) AND sent_at IS NULL",
                [claimed],
            );
            return left.rows[0].n === 0 ? Date.now() : undefined;
        },
        180_000,
        1000,
    ).then(
        (at) => {
            note.text = `${claimed.length} claimed row(s) sent after their lease, +${secs(at - injectedAt)}`;
            ctx.log(`${name}: ${note.text}`);
        },
        () => undefined,
    );
    return {
        name,
        injectedAt,
        detectedAt,
        recoveredAt,
        repairedAt: recoveredAt,
        get notes() {
            return [note.text];
        },
    };
}
