import assert from "node:assert/strict";
import { HttpError } from "../../app/src/errors";
import { LocalModeStore } from "../../app/src/mode-store";
import { WriteGate } from "../../app/src/write-gate";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until check holds; a minute at most. */
async function until(check: () => boolean): Promise<void> {
    for (const giveUpAt = Date.now() + 60_000; !check(); await sleep(10)) {
        assert.ok(Date.now() < giveUpAt, "condition not reached within a minute");
    }
}

function rejectsWith(code: string) {
    return (error: unknown) => {
        assert.ok(error instanceof HttpError, String(error));
        assert.equal(error.code, code);
        assert.equal(error.statusCode, 503);
        assert.ok(Number(error.headers["retry-after"]) > 0);
        return true;
    };
}

describe("write gate (read-write, read-only, hold)", () => {
    it("runs writes in read-write and counts them while they run", async () => {
        const gate = new WriteGate(new LocalModeStore());
        let finish!: () => void;
        const running = gate.run(() => new Promise<string>((resolve) => (finish = () => resolve("done"))));
        await until(() => gate.inFlight === 1);
        finish();
        assert.equal(await running, "done");
        assert.equal(gate.inFlight, 0);
        await assert.rejects(
            gate.run(async () => Promise.reject(new Error("boom"))),
            /boom/,
        );
        assert.equal(gate.inFlight, 0, "a failed write is counted out too");
    });

    it("refuses writes at once in read-only mode", async () => {
        const mode = new LocalModeStore();
        await mode.set("read-only");
        let ran = false;
        await assert.rejects(
            new WriteGate(mode).run(async () => (ran = true)),
            rejectsWith("read_only"),
        );
        assert.equal(ran, false);
    });

    it("holds writes while the mode is hold and lets them through when it returns to read-write", async () => {
        const mode = new LocalModeStore();
        const gate = new WriteGate(mode, 60_000);
        await mode.set("hold");
        const order: string[] = [];
        mode.onChange((from, to) => order.push(`${from}->${to}`));
        const held = [
            gate.run(async () => (order.push("write 1"), 1)),
            gate.run(async () => (order.push("write 2"), 2)),
        ];
        await until(() => gate.held === 2);
        assert.deepEqual(order, [], "nothing ran while on hold");
        assert.equal(gate.inFlight, 0);
        await mode.set("read-write");
        assert.deepEqual(await Promise.all(held), [1, 2]);
        // The change (where the writer's pool is reset) comes before any held write runs.
        assert.deepEqual(order, ["hold->read-write", "write 1", "write 2"]);
        assert.deepEqual([gate.held, gate.inFlight], [0, 0]);
    });

    it("answers 503 on_hold when the hold outlasts HOLD_MAX_MS, and 503 read_only when it turns read-only", async () => {
        const mode = new LocalModeStore();
        await mode.set("hold");
        let ran = false;
        await assert.rejects(
            new WriteGate(mode, 200).run(async () => (ran = true)),
            rejectsWith("on_hold"),
        );
        const gate = new WriteGate(mode, 60_000);
        const waiting = gate.run(async () => (ran = true));
        await until(() => gate.held === 1);
        await mode.set("read-only");
        await assert.rejects(waiting, rejectsWith("read_only"));
        assert.equal(ran, false);
        assert.equal(gate.held, 0);
    });

    it("lets a write that was running when the hold began finish, and shows when none is left", async () => {
        const mode = new LocalModeStore();
        const gate = new WriteGate(mode, 60_000);
        let finish!: () => void;
        const running = gate.run(() => new Promise<string>((resolve) => (finish = () => resolve("committed"))));
        await until(() => gate.inFlight === 1);
        await mode.set("hold");
        const next = gate.run(async () => "after the switchover");
        await until(() => gate.held === 1);
        assert.deepEqual([gate.inFlight, gate.held], [1, 1], "the operator waits: one write still in flight");
        finish();
        assert.equal(await running, "committed");
        assert.deepEqual([gate.inFlight, gate.held], [0, 1], "now the writer can move");
        await mode.set("read-write");
        assert.equal(await next, "after the switchover");
    });
});
