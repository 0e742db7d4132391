import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { SuiteContext } from "../api-suite";
import { admin, buy, createEvent } from "../fixtures";

async function setMode(app: FastifyInstance, mode: string): Promise<void> {
    const response = await app.inject({ method: "POST", url: "/admin/mode", headers: admin, payload: { mode } });
    assert.equal(response.statusCode, 200, response.body);
}

async function writes(app: FastifyInstance): Promise<{ mode: string; writesInFlight: number; writesHeld: number }> {
    return (await app.inject({ url: "/admin/mode", headers: admin })).json();
}

export function holdPart(t: SuiteContext): void {
    it("holds purchases during a planned switchover and completes them on fresh writer connections", async () => {
        const app = await t.backend.app();
        const event = await createEvent(app, 5);
        assert.equal((await buy(app, event)).statusCode, 201);
        const pid = async () =>
            (await t.backend.writer.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
        const before =
            t.backend.writer.kind === "postgres"
                ? new Set(await Promise.all([pid(), pid(), pid()]))
                : new Set<number>();
        await setMode(app, "hold");
        try {
            let answered = false;
            const held = buy(app, event).then((response) => ((answered = true), response));
            for (
                const giveUpAt = Date.now() + 60_000;
                (await writes(app)).writesHeld < 1;
                await new Promise((r) => setTimeout(r, 20))
            ) {
                assert.ok(Date.now() < giveUpAt, "the purchase was never held");
            }
            assert.deepEqual(
                await writes(app),
                { mode: "hold", writesInFlight: 0, writesHeld: 1 },
                "nothing in flight: the writer can move",
            );
            const ready = (await app.inject("/readyz")).json();
            assert.deepEqual([ready.mode, ready.writes], ["hold", { inFlight: 0, held: 1 }]);
            assert.equal(answered, false, "a held purchase waits instead of being refused");
            await setMode(app, "read-write");
            const response = await held;
            assert.equal(response.statusCode, 201, response.body);
            if (t.backend.writer.kind === "postgres") {
                // The pool was replaced when the hold ended: no connection from before is used again.
                const after = await Promise.all([pid(), pid(), pid()]);
                assert.ok(
                    after.every((p) => !before.has(p)),
                    `reused ${after} from ${[...before]}`,
                );
            }
        } finally {
            await setMode(app, "read-write");
        }
    });

    it("answers 503 on_hold with Retry-After when a hold lasts longer than HOLD_MAX_MS", async () => {
        const app = await t.backend.app({ holdMaxMs: 300 });
        const event = await createEvent(app, 5);
        await setMode(app, "hold");
        try {
            const refused = await buy(app, event);
            assert.equal(refused.statusCode, 503, refused.body);
            assert.equal(refused.json().error, "on_hold");
            assert.ok(Number(refused.headers["retry-after"]) > 0);
            assert.equal(await t.count("SELECT sold AS n FROM ticket_types WHERE event_id = $1", [event.id]), 0);
        } finally {
            await setMode(app, "read-write");
        }
    });
}
