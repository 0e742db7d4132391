import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { buildApp } from "../../app/src/app";
import { MemoryCache } from "../../app/src/cache/cache";
import type { Database, Queryable } from "../../app/src/db/database";
import { createLogger } from "../../app/src/logging";
import { LocalModeStore } from "../../app/src/mode-store";
import { purchase } from "../../app/src/services/purchase";
import { ReplicaSet } from "../../app/src/db/replicas";
import { Stores } from "../../app/src/services/stores";
import { buy, createEvent } from "./helpers/fixtures";
import { ADMIN_TOKEN, pglite, pgliteBackend } from "./helpers/harness";

/** Wraps a database so the next transactions fail the way a failover makes them fail. */
function flaky(db: Database, plan: Array<"before" | "after-commit">): Database {
    return {
        kind: db.kind,
        query: (sql, params) => db.query(sql, params),
        exec: (sql) => db.exec(sql),
        close: async () => undefined,
        async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
            const step = plan.shift();
            if (step === "before") throw Object.assign(new Error("could not serialize access"), { code: "40001" });
            const value = await db.transaction(fn);
            if (step === "after-commit") throw Object.assign(new Error("Connection terminated unexpectedly"), {});
            return value;
        },
    } as Database;
}

/** A backend with a 3-seat event, a database handle, and a purchase of `quantity` tickets from it. */
async function purchaseSetup(quantity: number) {
    const backend = await pgliteBackend();
    const event = await createEvent(await backend.app(), 3);
    const db = await pglite();
    const input = {
        idempotencyKey: randomUUID(),
        eventId: event.id,
        ticketTypeId: event.ticketTypes[0].id,
        quantity,
        email: "a@example.com",
    };
    return { backend, event, db, input };
}

describe("purchase retries and degraded dependencies", () => {
    it("retries a serialization failure and still sells exactly once", async () => {
        const { backend, db, input } = await purchaseSetup(2);
        let retries = 0;
        const result = await purchase(flaky(db, ["before", "before"]), backend.signer, input, {
            onRetry: () => retries++,
        });
        assert.equal(result.created, true);
        assert.equal(retries, 2);
        const sold = await db.query<{ sold: number }>("SELECT sold FROM ticket_types WHERE id = $1", [
            input.ticketTypeId,
        ]);
        assert.equal(sold.rows[0].sold, 2);
        await backend.close();
    });

    it("finds its own order when the COMMIT answer was lost, instead of selling again", async () => {
        const { backend, event, db, input } = await purchaseSetup(1);
        const result = await purchase(flaky(db, ["after-commit"]), backend.signer, input);
        assert.equal(result.created, true, "the retry is still the creating request");
        const orders = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE event_id = $1", [
            event.id,
        ]);
        assert.equal(orders.rows[0].n, 1);
        await backend.close();
    });

    it("answers a retried attempt that finds a racing request's order as a replay (created: false)", async () => {
        const { backend, event, db, input } = await purchaseSetup(1);
        let racer: Awaited<ReturnType<typeof purchase>> | undefined;
        // The first attempt fails retryably; meanwhile another request with the same key commits.
        const racing = {
            ...flaky(db, []),
            async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
                if (!racer) {
                    racer = await purchase(db, backend.signer, input);
                    throw Object.assign(new Error("could not serialize access"), { code: "40001" });
                }
                return db.transaction(fn);
            },
        } as Database;
        const result = await purchase(racing, backend.signer, input);
        assert.equal(racer!.created, true);
        assert.equal(result.order.id, racer!.order.id);
        assert.equal(result.created, false, "the order was made by the racing request");
        const orders = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE event_id = $1", [
            event.id,
        ]);
        assert.equal(orders.rows[0].n, 1);
        await backend.close();
    });

    it("reads from the writer when the replica fails", async () => {
        const db = await pglite();
        const broken = { query: async () => Promise.reject(new Error("replica down")) } as unknown as Database;
        const replicas = new ReplicaSet([broken], { measure: async () => 0 });
        await replicas.sample();
        const stores = new Stores(db, replicas);
        const result = await stores.read<{ one: number }>("SELECT 1 AS one");
        assert.equal(result.rows[0].one, 1);
    });

    it("keeps tokens and ticket codes out of the logs", async () => {
        let output = "";
        const sink = new Writable({
            write(chunk, _enc, done) {
                output += chunk;
                done();
            },
        });
        const logger = createLogger("debug", "test", sink);
        const app = await buildApp({
            stores: new Stores(await pglite()),
            cache: new MemoryCache(),
            mode: new LocalModeStore(),
            signer: (await pgliteBackend()).signer,
            adminToken: ADMIN_TOKEN,
            logger,
        });
        const event = await createEvent(app, 2);
        const code = (await buy(app, event)).json().tickets[0].code as string;
        await app.inject({ method: "POST", url: "/checkins", payload: { code, gate: "A" } });
        logger.info(
            { code, token: ADMIN_TOKEN, req: { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: { code } } },
            "probe",
        );

        // A database error carrying the statement's parameters (the code, the ticket id) reaches the
        // 500 handler: the SQLSTATE stays readable, the parameters do not.
        const db = await pglite();
        const failing = {
            kind: db.kind,
            exec: (sql: string) => db.exec(sql),
            transaction: db.transaction.bind(db),
            close: async () => undefined,
            query: (sql: string, params?: unknown[]) =>
                sql.includes("INSERT INTO checkins")
                    ? db.query("SELECT 1 / 0 FROM (SELECT $1::text, $2::text, $3::text, $4::text) s", params)
                    : db.query(sql, params),
        } as unknown as Database;
        const broken = await buildApp({
            stores: new Stores(failing),
            cache: new MemoryCache(),
            mode: new LocalModeStore(),
            signer: (await pgliteBackend()).signer,
            adminToken: ADMIN_TOKEN,
            logger,
        });
        const failed = await broken.inject({ method: "POST", url: "/checkins", payload: { code, gate: "B" } });
        assert.equal(failed.statusCode, 500);
        await broken.close();
        await app.close();

        assert.match(output, /"msg":"probe"/);
        assert.ok(!output.includes(ADMIN_TOKEN), "admin token leaked");
        assert.ok(!output.includes(code), "ticket code leaked");
        assert.match(output, /\[redacted\]/);
        const errorLine = output.split("\n").find((line) => line.includes('"msg":"request failed"'));
        assert.ok(errorLine, output);
        const logged = JSON.parse(errorLine).err;
        assert.equal(logged.code, "22012", "the SQLSTATE must stay visible");
        assert.equal(logged.params, "[redacted]");
    });
});
