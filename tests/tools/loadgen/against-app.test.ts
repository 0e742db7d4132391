import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Mailer } from "../../../app/src/mail/mailer";
import { OutboxWorker } from "../../../app/src/outbox-worker";
import { checkInvariants } from "../../../tools/loadgen/invariants";
import { LoadGenerator } from "../../../tools/loadgen/load-generator";
import { steadyProfile } from "../../../tools/loadgen/profile";
import { Backend, pgliteBackend } from "../../app/helpers/harness";
import { createEvent } from "../../app/helpers/fixtures";

/** A mail sink: confirmations counted per order id, the way a drill's sink counts them. */
function countingMailer(sent: Map<string, number>): Mailer {
    return {
        async send(message) {
            const orderId = message.id.replace(/^order-/, "");
            sent.set(orderId, (sent.get(orderId) ?? 0) + 1);
        },
    };
}

async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("load generator against the ticket service (in-process, embedded PostgreSQL)", function () {
    this.timeout(180_000);
    let backend: Backend;
    let app: FastifyInstance;
    let url: string;
    const closers: Array<() => Promise<unknown>> = [];

    before(async () => {
        backend = await pgliteBackend();
        // Correctness, not latency, is under test: on a loaded CI machine a purchase may take longer than
        // the production deadline, and a 503 there would be the machine's doing, not the generator's.
        app = await backend.app({ purchaseDeadlineMs: 60_000 });
        url = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
        for (const close of closers.splice(0)) await close();
        await backend?.close();
    });

    async function drainAndCheck(eventId: string, generator: LoadGenerator) {
        const emailsSent = new Map<string, number>();
        const worker = new OutboxWorker(backend.writer, countingMailer(emailsSent), {
            from: "tickets@example.com",
            idlePollMs: 50,
        });
        worker.start();
        try {
            return await checkInvariants(backend.writer, {
                eventId,
                acknowledged: generator.acknowledgedOrders(),
                admissions: generator.admissions(),
                emailsSent,
                drainTimeoutMs: 30_000,
            });
        } finally {
            await worker.stop();
        }
    }

    it("buys until sold out, scans and re-scans through the real API, and every invariant holds", async () => {
        const event = await createEvent(app, 40);
        const generator = new LoadGenerator({
            baseUrl: url,
            eventId: event.id,
            ticketTypeIds: [event.ticketTypes[0].id],
            profile: steadyProfile(50, 2),
            maxRequests: 300,
            maxSeconds: 30,
            scanShare: 0.4,
            rescanShare: 0.2,
            lookupShare: 0.1,
            seed: 11,
            timeoutMs: 60_000,
        });
        generator.start();
        await generator.done;
        const summary = generator.summary();
        assert.equal(summary.stopReason, "profile-complete");
        assert.deepEqual(summary.errors, {}, JSON.stringify(summary));
        const orders = generator.acknowledgedOrders();
        const sold = orders.reduce((sum, order) => sum + order.quantity, 0);
        assert.equal(sold, 40, "every seat sold, none twice");
        assert.ok(
            generator.records.some((r) => r.kind === "buy" && r.status === 409 && r.error === "sold_out"),
            "the sale ran out",
        );
        const rescans = generator.records.filter((r) => r.rescan);
        assert.ok(rescans.length > 0 && rescans.every((r) => r.status === 409 && r.error === "already_checked_in"));
        assert.ok(generator.admissions().length > 5);
        assert.ok(generator.records.some((r) => r.kind === "lookup" && r.status === 200));

        const result = await drainAndCheck(event.id, generator);
        assert.deepEqual(result.details, []);
        for (const key of [
            "lostOrders",
            "oversold",
            "doubleAdmissions",
            "duplicateEmails",
            "missingEmails",
            "lostOutbox",
            "lostAdmissions",
        ] as const) {
            assert.equal(result[key], 0, key);
        }
        assert.equal(result.counts.storedOrders, orders.length);
        assert.equal(result.counts.emailsSent, orders.length);
    });

    it("retries a purchase whose answer was lost with the same key: one order stored, acknowledged once", async () => {
        const event = await createEvent(app, 100);
        const answered = new Set<string>();
        // A proxy that lets each purchase's first try reach the service, then drops the answer on the way back.
        const proxy = http.createServer((req, res) => {
            const key = String(req.headers["idempotency-key"] ?? "");
            const lose = req.method === "POST" && key !== "" && !answered.has(key);
            answered.add(key);
            const upstream = http.request(`${url}${req.url}`, { method: req.method, headers: req.headers }, (reply) => {
                const chunks: Buffer[] = [];
                reply.on("data", (chunk) => chunks.push(chunk));
                reply.on("end", () => {
                    if (lose) {
                        res.socket?.destroy();
                        return;
                    }
                    res.writeHead(reply.statusCode!, reply.headers);
                    res.end(Buffer.concat(chunks));
                });
            });
            req.pipe(upstream);
        });
        const proxyUrl = await listen(proxy);
        closers.push(
            () =>
                new Promise((resolve) => {
                    proxy.closeAllConnections();
                    proxy.close(resolve);
                }),
        );
        const generator = new LoadGenerator({
            baseUrl: proxyUrl,
            eventId: event.id,
            ticketTypeIds: [event.ticketTypes[0].id],
            profile: steadyProfile(10, 1),
            maxRequests: 100,
            maxSeconds: 60,
            scanShare: 0,
            timeoutMs: 60_000,
        });
        generator.start();
        await generator.done;
        const orders = generator.acknowledgedOrders();
        assert.equal(orders.length, 10);
        for (const order of orders) {
            const tries = generator.records.filter((r) => r.idempotencyKey === order.idempotencyKey);
            // The replay answers 200 (not 201): the service recognised the key and returned the stored order.
            assert.deepEqual(
                tries.map((r) => r.status),
                [0, 200],
            );
        }
        assert.equal(generator.summary().retries, 10);
        const stored = await backend.writer.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM orders WHERE event_id = $1",
            [event.id],
        );
        assert.equal(Number(stored.rows[0].n), 10, "no purchase was stored twice");
        const result = await drainAndCheck(event.id, generator);
        assert.equal(
            result.lostOrders + result.oversold + result.duplicateEmails + result.missingEmails + result.lostOutbox,
            0,
            result.details.join("\n"),
        );
    });
});
