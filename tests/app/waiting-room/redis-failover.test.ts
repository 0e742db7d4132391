import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { inletFor } from "../../../app/src/waiting-room/inlet";
import { RedisRoomStore } from "../../../app/src/waiting-room/redis-store";
import type { RoomParams, TicketRecord } from "../../../app/src/waiting-room/store";
import { REAL_ENV, closedPort } from "../helpers/harness";

const serverBinary = spawnSync("bash", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
const reason = !REAL_ENV.redis
    ? "real-Redis variant skipped: set BOXOFFICE_TEST_REDIS_URL"
    : !serverBinary
      ? "skipped: no redis-server binary to start a primary and a replica"
      : undefined;

const T0 = 1_800_000_000_000;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
}

/**
 * A real primary and replica on loopback ports of their own. The replica is promoted while the primary still
 * takes writes (the asynchronous-replication window of an ElastiCache failover, made deterministic), then the
 * primary dies and the store carries on against the promoted replica.
 */
describe(`waiting room store across a Redis failover${reason ? ` (${reason})` : ""}`, function () {
    this.timeout(60_000);
    const servers: ChildProcess[] = [];
    const clients: Redis[] = [];
    // The replica writes the primary's snapshot during its sync: into a directory of ours, never the repository.
    let dir = "";

    before(async function () {
        if (reason) this.skip();
        dir = mkdtempSync(path.join(os.tmpdir(), "boxoffice-redis-failover-"));
    });

    after(async () => {
        for (const client of clients) client.disconnect();
        for (const server of servers) if (server.exitCode === null) server.kill("SIGKILL");
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function start(port: number, ...args: string[]): Promise<Redis> {
        const options = [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir,
            "--dbfilename",
            `${port}.rdb`,
        ];
        servers.push(spawn(serverBinary, [...options, ...args], { stdio: "ignore" }));
        const client = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
        client.on("error", () => undefined);
        clients.push(client);
        await until(async () => (await client.ping().catch(() => "")) === "PONG", `redis on ${port}`);
        return client;
    }

    it("keeps every replicated place and never reorders; lost places come back from their tickets", async () => {
        const [primaryPort, replicaPort] = [await closedPort(), await closedPort()];
        const primary = await start(primaryPort);
        const replica = await start(replicaPort, "--replicaof", "127.0.0.1", String(primaryPort));
        await until(async () => /master_link_status:up/.test(await replica.info("replication")), "the replica link");

        const p: RoomParams = {
            roomId: randomUUID(),
            opensAtMs: T0 + 1000,
            inlet: inletFor(600, null),
            collectMs: 60_000,
            tokenTtlMs: 600_000,
            servedFloor: 0,
        };
        const before = new RedisRoomStore(primary, "boxoffice:failover");
        const join = async (store: RedisRoomStore, name: string, at: number) =>
            (await store.join(p, name, { ticketId: randomUUID(), score: randomInt(2 ** 48 - 1) }, at)).record;
        const pre: TicketRecord[] = [];
        for (let i = 0; i < 30; i++) pre.push(await join(before, `pre${i}`, T0));
        const post: TicketRecord[] = [];
        for (let i = 0; i < 20; i++) post.push(await join(before, `post${i}`, T0 + 2000 + i));
        for (let t = T0 + 2100; t <= T0 + 3000; t += 100) await before.tick(p, t, false);
        const placesBefore = new Map<string, number>();
        for (const r of [...pre, ...post])
            placesBefore.set(r.ticketId, (await before.status(p, r, T0 + 3000, 1)).position!);
        const servedBefore = (await before.snapshot(p, T0 + 3000)).served;
        assert.equal(servedBefore, 10);
        assert.equal(await primary.wait(1, 5000), 1, "everything so far is on the replica");

        // The replica is promoted; the old primary still takes a few writes that will never reach it.
        await replica.replicaof("NO", "ONE");
        const lost: TicketRecord[] = [];
        for (let i = 0; i < 5; i++) lost.push(await join(before, `lost${i}`, T0 + 3100 + i));
        for (let t = T0 + 3200; t <= T0 + 3500; t += 100) await before.tick(p, t, false);
        primary.disconnect();
        servers[0].kill("SIGKILL");

        // The database recorded the serving counter's floor a moment before (served_floor); the app carries on.
        const after = new RedisRoomStore(replica, "boxoffice:failover");
        const restored = { ...p, servedFloor: servedBefore };
        for (const r of [...pre, ...post]) {
            assert.equal(
                (await after.status(restored, r, T0 + 4000, 1)).position,
                placesBefore.get(r.ticketId),
                "a replicated place never moves",
            );
        }
        // The lost joins' tickets still name their places, and polling them moves the counter past them.
        for (const r of lost) assert.equal((await after.status(restored, r, T0 + 4000, 1)).position, r.position);
        const newcomer = await join(after, "newcomer", T0 + 4001);
        assert.equal(
            newcomer.position,
            Math.max(...lost.map((r) => r.position)) + 1,
            "no newcomer is placed before a known ticket",
        );
        // Admissions resume in order from the replica's counter (at least the floor); the outage's credit is capped at
        // one second's worth (10 at 600/min), as after any gap.
        const next = await after.tick(restored, T0 + 4100, false);
        assert.ok(next.served > servedBefore && next.served <= servedBefore + p.inlet.burst, `served ${next.served}`);
        const byPlace = (place: number) => [...pre, ...post].find((r) => placesBefore.get(r.ticketId) === place)!;
        assert.equal(
            (await after.status(restored, byPlace(servedBefore + 1), T0 + 4200, 1)).admission.state,
            "admitted",
        );
        assert.equal((await after.status(restored, byPlace(next.served + 1), T0 + 4200, 1)).admission.state, "waiting");
    });
});
