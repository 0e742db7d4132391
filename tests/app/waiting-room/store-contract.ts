import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { inletFor } from "../../../app/src/waiting-room/inlet";
import type { RoomParams, RoomStore, TicketRecord } from "../../../app/src/waiting-room/store";

export interface OpenedStore {
    store: RoomStore;
    /** Forgets every queue (an embedded restart, or a Redis that lost its data). */
    loseEverything(): Promise<void>;
    close(): Promise<void>;
}

const T0 = 1_800_000_000_000;

function room(overrides: Partial<RoomParams> = {}): RoomParams {
    return {
        roomId: randomUUID(),
        opensAtMs: T0,
        inlet: inletFor(600, null),
        collectMs: 60_000,
        tokenTtlMs: 600_000,
        servedFloor: 0,
        ...overrides,
    };
}

const fresh = () => ({ ticketId: randomUUID(), score: randomInt(2 ** 48 - 1) });

/** Spearman rank correlation of two equal-length rankings without ties. */
function spearman(a: number[], b: number[]): number {
    const n = a.length;
    const d2 = a.reduce((sum, x, i) => sum + (x - b[i]) ** 2, 0);
    return 1 - (6 * d2) / (n * (n * n - 1));
}

/** The queue rules of store.ts, run against one implementation. `open` returns it or a reason to skip. */
export function defineStoreContract(title: string, open: () => Promise<OpenedStore | string>): void {
    describe(title, function () {
        let opened: OpenedStore;
        let store: RoomStore;
        before(async function () {
            const result = await open();
            if (typeof result === "string") this.skip();
            opened = result as OpenedStore;
            store = opened.store;
        });
        after(async () => opened?.close());

        const join = async (p: RoomParams, visitor: string, now: number) =>
            (await store.join(p, visitor, fresh(), now)).record;

        it("gives post-start joins consecutive places, first come first served, one per visitor", async () => {
            const p = room();
            const records: TicketRecord[] = [];
            for (let i = 0; i < 50; i++) records.push(await join(p, `v${i}`, T0 + i));
            assert.deepEqual(
                records.map((r) => r.position),
                Array.from({ length: 50 }, (_, i) => i + 1),
            );
            assert.ok(records.every((r) => r.kind === "post"));
            const again = await store.join(p, "v7", fresh(), T0 + 100);
            assert.equal(again.created, false);
            assert.deepEqual(again.record, records[7]);
            assert.equal((await store.snapshot(p, T0 + 100)).tail, 50);
        });

        it("draws pre-start joins into a uniform random order at the start, ahead of every later join", async () => {
            const p = room({ opensAtMs: T0 + 10_000 });
            // Sent together: one connection keeps them in this order, and Redis runs them in the order received.
            const pre = await Promise.all(Array.from({ length: 400 }, (_, i) => join(p, `p${i}`, T0 + i)));
            assert.ok(pre.every((r) => r.kind === "pre" && r.position === 0));
            const before = await store.status(p, pre[0], T0 + 500, 1);
            assert.equal(before.position, undefined);
            assert.equal(before.preCount, 400);
            assert.equal((await store.join(p, "p3", fresh(), T0 + 600)).created, false);
            const late = [await join(p, "late1", T0 + 10_000), await join(p, "late2", T0 + 10_001)];
            assert.deepEqual(
                late.map((r) => [r.kind, r.position]),
                [
                    ["post", 401],
                    ["post", 402],
                ],
            );
            const positions = (await Promise.all(pre.map((r) => store.status(p, r, T0 + 10_002, 1)))).map(
                (s) => s.position!,
            );
            assert.deepEqual(
                [...positions].sort((a, b) => a - b),
                Array.from({ length: 400 }, (_, i) => i + 1),
            );
            // Arriving early by a few milliseconds buys nothing: the rank does not follow the join order.
            const rho = spearman(
                pre.map((_, i) => i + 1),
                positions,
            );
            assert.ok(Math.abs(rho) < 0.2, `rank correlation with join order ${rho.toFixed(3)}`);
        });

        it("admits at the configured pace from the start, and nobody before it", async () => {
            const p = room({ opensAtMs: T0 + 1000 });
            await Promise.all(Array.from({ length: 300 }, (_, i) => join(p, `w${i}`, T0)));
            assert.equal((await store.tick(p, T0 + 500, false)).admitted, 0, "not before the start");
            let admitted = 0;
            for (let t = T0 + 1000; t <= T0 + 11_000; t += 100) admitted += (await store.tick(p, t, false)).admitted;
            assert.ok(Math.abs(admitted - 101) <= 1, `${admitted} admitted in 10 s at 600/min`);
            const snap = await store.snapshot(p, T0 + 11_000);
            assert.equal(snap.served, admitted);
            assert.equal(snap.active, admitted);
            assert.deepEqual(
                snap.samples[0],
                [T0 + 1000, 0],
                "the rate is measured from the first step with visitors waiting",
            );
        });

        it("hands an admission out once collected, for the token lifetime; an uncollected one lapses", async () => {
            const p = room({ collectMs: 5_000, tokenTtlMs: 60_000 });
            const a = await join(p, "a", T0);
            const b = await join(p, "b", T0);
            assert.deepEqual((await store.status(p, a, T0, 1)).admission, { state: "waiting" });
            assert.equal((await store.tick(p, T0 + 100, false)).admitted, 1);
            assert.equal((await store.tick(p, T0 + 200, false)).admitted, 1);
            const collected = await store.status(p, a, T0 + 1000, 1);
            assert.deepEqual(collected.admission, { state: "admitted", expiresAtMs: T0 + 61_000, firstCollect: true });
            assert.deepEqual((await store.status(p, a, T0 + 2000, 1)).admission, {
                state: "admitted",
                expiresAtMs: T0 + 61_000,
                firstCollect: false,
            });
            // b never polled within the collect window: its turn passed.
            assert.deepEqual((await store.status(p, b, T0 + 6000, 1)).admission, { state: "over" });
            assert.deepEqual((await store.status(p, a, T0 + 61_000, 1)).admission, { state: "over" });
            // A lapsed visitor who joins again gets a new place at the back; a waiting one keeps its own.
            const c = await join(p, "c", T0 + 7000);
            const again = await store.join(p, "b", fresh(), T0 + 8000);
            assert.equal(again.created, true);
            assert.equal(again.record.position, c.position + 1);
        });

        it("keeps at most maxActive admitted and unfinished; a finished order frees its slot at once", async () => {
            const p = room({ inlet: inletFor(undefined, 3), collectMs: 5_000 });
            const records: TicketRecord[] = [];
            for (let i = 0; i < 10; i++) records.push(await join(p, `m${i}`, T0));
            assert.equal((await store.tick(p, T0 + 100, false)).admitted, 3);
            assert.equal((await store.tick(p, T0 + 200, false)).admitted, 0);
            await store.status(p, records[0], T0 + 300, 1);
            await store.finish(p.roomId, records[0].position);
            assert.equal((await store.tick(p, T0 + 400, false)).admitted, 1);
            // Two never collected: their slots free when the collect window ends.
            await store.status(p, records[3], T0 + 500, 1);
            const later = await store.tick(p, T0 + 5_200, false);
            assert.equal(later.admitted, 2);
            assert.equal(later.active, 3);
        });

        it("holds the inlet while paused and records the pause for every instance to show", async () => {
            const p = room();
            for (let i = 0; i < 20; i++) await join(p, `z${i}`, T0);
            assert.equal((await store.tick(p, T0, false)).admitted, 1);
            assert.equal((await store.tick(p, T0 + 5000, true)).admitted, 0);
            assert.equal((await store.snapshot(p, T0 + 5000)).pausedAtMs, T0 + 5000);
            // Without the pause this step would release a second's worth (10) of credit.
            assert.equal(
                (await store.tick(p, T0 + 5001, false)).admitted,
                1,
                "resumes at the pace, with no credit from the pause",
            );
        });

        it("after losing its data, resumes at the database's floor and never reuses a polled place", async () => {
            const p = room({ opensAtMs: T0 + 1000 });
            const early = await join(p, "early", T0);
            for (let i = 0; i < 30; i++) await join(p, `l${i}`, T0 + 2000);
            const last = await join(p, "last", T0 + 2000);
            await opened.loseEverything();
            const restored = { ...p, servedFloor: 20 };
            // The pre-start ticket is unknown to the drawn (empty) set: reported lost, the visitor joins again.
            assert.equal((await store.status(restored, early, T0 + 3000, 1)).lost, true);
            // A post-start ticket still knows its place and moves the counter past it.
            const status = await store.status(restored, last, T0 + 3000, 1);
            assert.equal(status.position, last.position);
            assert.equal(status.served, 20);
            assert.equal((await join(restored, "newcomer", T0 + 3001)).position, last.position + 1);
            assert.equal((await store.tick(restored, T0 + 3100, false)).served, 21, "admits from the floor on");
        });

        it("puts a pre-start join lost before the draw back into the draw", async () => {
            const p = room({ opensAtMs: T0 + 10_000 });
            const early = await join(p, "early", T0);
            await opened.loseEverything();
            const status = await store.status(p, early, T0 + 1000, 42);
            assert.equal(status.lost, false);
            assert.equal(status.preCount, 1);
            assert.equal((await store.status(p, early, T0 + 10_000, 1)).position, 1);
        });

        it("counts order attempts per event over a sliding minute", async () => {
            const eventId = randomUUID();
            const minute = Math.ceil(T0 / 60_000) * 60_000;
            for (let i = 0; i < 10; i++) await store.countOrder(eventId, minute + 1000);
            // Half-way into the next minute, half of the previous minute's attempts still count.
            assert.equal(await store.countOrder(eventId, minute + 90_000), 6);
            assert.equal(await store.countOrder(randomUUID(), minute + 90_000), 1);
        });
    });
}
