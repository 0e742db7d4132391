import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import QRCode from "qrcode";
import { BacklogPublisher } from "../../app/src/backlog-publisher";
import { createLogger } from "../../app/src/logging";
import { FileMailer, MailMessage, Mailer } from "../../app/src/mail/mailer";
import { MAX_SEND_ATTEMPTS, OutboxWorker, backoffSeconds, countBacklog } from "../../app/src/outbox-worker";
import { buy, createEvent } from "./helpers/fixtures";
import { Backend, pgliteBackend } from "./helpers/harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drain(worker: OutboxWorker): Promise<void> {
    while ((await worker.runOnce()) > 0);
}

/** Polls check until it holds; fails with message after a minute (generous: machines get busy). */
async function until(check: () => boolean | Promise<boolean>, message: string): Promise<void> {
    for (const giveUpAt = Date.now() + 60_000; Date.now() < giveUpAt; await sleep(20)) {
        if (await check()) return;
    }
    assert.fail(message);
}

/** Fails with message instead of hanging when the promise does not settle in time. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([
            promise,
            new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
        ]);
    } finally {
        clearTimeout(timer);
    }
}

describe("outbox worker", () => {
    let backend: Backend;
    let dir: string;

    before(async () => {
        backend = await pgliteBackend();
        dir = await mkdtemp(path.join(os.tmpdir(), "boxoffice-mail-"));
    });
    after(async () => {
        await backend.close();
        await rm(dir, { recursive: true, force: true });
    });

    it("sends one confirmation per order as an .eml file, also when the purchase is replayed", async () => {
        const app = await backend.app();
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        const event = await createEvent(app, 5);
        const key = randomUUID();
        const order = (await buy(app, event, key, 2, "buyer@example.com")).json();
        await buy(app, event, key, 2, "buyer@example.com");
        assert.ok((await countBacklog(backend.writer)) >= 1);
        const worker = new OutboxWorker(backend.writer, new FileMailer(dir), { from: "tickets@example.com" });
        await drain(worker);
        assert.equal(await countBacklog(backend.writer), 0);
        const files = await readdir(dir);
        assert.deepEqual(files, [`order-${order.id}.eml`]);
        const mail = await readFile(path.join(dir, files[0]), "utf8");
        assert.match(mail, /^From: tickets@example\.com\r\n/);
        assert.match(mail, /To: buyer@example\.com/);
        assert.match(mail, new RegExp(`Message-ID: <order-${order.id}@boxoffice>`));
        // The tickets travel as QR images of their codes, one attachment each, in ticket id order.
        assert.match(mail, /Content-Type: multipart\/mixed; boundary="boxoffice-[0-9a-f]{24}"/);
        const images = [
            ...mail.matchAll(
                /filename="(ticket-\d\.png)"\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)\r\n--/g,
            ),
        ];
        assert.deepEqual(
            images.map((m) => m[1]),
            ["ticket-1.png", "ticket-2.png"],
        );
        for (const [index, ticket] of order.tickets.entries()) {
            const expected = await QRCode.toBuffer(ticket.code, {
                type: "png",
                errorCorrectionLevel: "M",
                margin: 2,
                scale: 8,
            });
            assert.ok(
                Buffer.from(images[index][2].replace(/\r\n/g, ""), "base64").equals(expected),
                `ticket ${index + 1}`,
            );
        }
        // No links (they would carry the order secret in a URL), no code or secret in the text.
        assert.doesNotMatch(mail, /https?:\/\/|qr\.svg/);
        assert.ok(!mail.includes(order.tickets[0].code));
        assert.ok(!mail.includes(order.secret));
    });

    it("retries a failed send later with backoff and keeps it in the backlog", async () => {
        const app = await backend.app();
        const event = await createEvent(app, 5);
        const order = (await buy(app, event)).json();
        const failing: Mailer = {
            async send(message: MailMessage) {
                if (message.id === `order-${order.id}`) throw new Error("SES throttled");
            },
        };
        let logs = "";
        const logger = createLogger(
            "debug",
            "test",
            new Writable({
                write(chunk, _enc, done) {
                    logs += chunk;
                    done();
                },
            }),
        );
        await drain(new OutboxWorker(backend.writer, failing, { from: "x@example.com", logger }));
        // The warning names the outbox row, not the order: order ids stay out of the logs.
        assert.match(logs, /"outboxId":\d+.*"msg":"confirmation not sent; will retry"/);
        assert.ok(!logs.includes(order.id), logs);
        const row = await backend.writer.query<{
            attempts: number;
            last_error: string;
            due: boolean;
            sent_at: Date | null;
        }>(
            "SELECT attempts, last_error, next_attempt_at > now() + interval '5 seconds' AS due, sent_at FROM outbox WHERE order_id = $1",
            [order.id],
        );
        assert.equal(row.rows[0].attempts, 1);
        assert.equal(row.rows[0].last_error, "SES throttled");
        assert.equal(row.rows[0].due, true);
        assert.equal(row.rows[0].sent_at, null);
        assert.equal(await countBacklog(backend.writer), 1);
        // Not due yet: another pass leaves it alone.
        assert.equal(await new OutboxWorker(backend.writer, failing, { from: "x@example.com" }).runOnce(), 0);
        await backend.writer.query("UPDATE outbox SET next_attempt_at = now() WHERE order_id = $1", [order.id]);
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        assert.equal(await countBacklog(backend.writer), 0);
    });

    it("gives a confirmation up after the last attempt and drops it from the backlog", async () => {
        const app = await backend.app();
        const event = await createEvent(app, 5);
        const order = (await buy(app, event)).json();
        await backend.writer.query("UPDATE outbox SET attempts = $2 WHERE order_id = $1", [
            order.id,
            MAX_SEND_ATTEMPTS - 1,
        ]);
        const before = await countBacklog(backend.writer);
        const bounce: Mailer = { send: async () => Promise.reject(new Error("address rejected")) };
        await new OutboxWorker(backend.writer, bounce, { from: "x@example.com" }).runOnce();
        const row = await backend.writer.query<{ attempts: number; failed: boolean }>(
            "SELECT attempts, failed_at IS NOT NULL AS failed FROM outbox WHERE order_id = $1",
            [order.id],
        );
        assert.deepEqual(row.rows[0], { attempts: MAX_SEND_ATTEMPTS, failed: true });
        assert.equal(await countBacklog(backend.writer), before - 1);
    });

    it("backs off exponentially up to an hour", () => {
        assert.deepEqual([1, 2, 3, 4].map(backoffSeconds), [10, 20, 40, 80]);
        assert.equal(backoffSeconds(30), 3600);
    });

    it("runs its loop until stopped: sends new orders, stops promptly even mid-poll, then sends nothing", async () => {
        const app = await backend.app();
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        const sent: string[] = [];
        const worker = new OutboxWorker(
            backend.writer,
            { send: async (message) => void sent.push(message.id) },
            { from: "x@example.com", idlePollMs: 20 },
        );
        worker.start();
        worker.start(); // a second start is a no-op, not a second loop
        const event = await createEvent(app, 5);
        const first = (await buy(app, event)).json();
        await until(() => sent.includes(`order-${first.id}`), "the running loop did not send the new order");
        assert.deepEqual(sent, [`order-${first.id}`]);
        assert.equal(await countBacklog(backend.writer), 0);

        // A worker waiting out a long idle poll wakes up for stop() instead of finishing the wait.
        const sleeper = new OutboxWorker(
            backend.writer,
            { send: async () => undefined },
            { from: "x@example.com", idlePollMs: 60_000 },
        );
        sleeper.start();
        await sleep(50);
        const stopping = Date.now();
        await sleeper.stop();
        assert.ok(Date.now() - stopping < 30_000, "stop() waited for the 60 s idle poll");

        await worker.stop();
        const second = (await buy(app, event)).json();
        await sleep(150);
        assert.ok(!sent.includes(`order-${second.id}`), "a stopped worker still sent");
        assert.equal(await countBacklog(backend.writer), 1);
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
    });

    it("sends outside any transaction and hides a claimed row until its lease runs out (then resends it)", async () => {
        const app = await backend.app();
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        const event = await createEvent(app, 5);
        const order = (await buy(app, event)).json();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const sent: string[] = [];
        const stalled: Mailer = {
            send: async (message) => {
                await held;
                sent.push(message.id);
            },
        };
        const first = new OutboxWorker(backend.writer, stalled, {
            from: "x@example.com",
            leaseMs: 60_000,
            sendTimeoutMs: 30_000,
        }).runOnce();

        // While that send hangs, the database answers (on PGlite: no transaction holds its only
        // connection) and the row is leased, not locked.
        const leased = async () =>
            (
                await backend.writer.query<{ leased: boolean }>(
                    "SELECT next_attempt_at > now() + interval '30 seconds' AS leased FROM outbox WHERE order_id = $1",
                    [order.id],
                )
            ).rows[0].leased;
        // "Answers" means within seconds, where a blocked PGlite would never answer; generous for busy machines.
        await until(
            () => within(leased(), 15_000, "the database is blocked while a mail is being sent"),
            "the row was not leased",
        );
        const other = new OutboxWorker(
            backend.writer,
            { send: async (message) => void sent.push(message.id) },
            { from: "x@example.com" },
        );
        assert.equal(await within(other.runOnce(), 15_000, "a second worker waited on the claimed row"), 0);
        assert.equal(await countBacklog(backend.writer), 1, "a claimed row is still backlog");

        // The first worker outlives its lease (stalled or dead): the row is due again and resent.
        await backend.writer.query("UPDATE outbox SET next_attempt_at = now() WHERE order_id = $1", [order.id]);
        assert.equal(await other.runOnce(), 1);
        release();
        assert.equal(await first, 1);
        // At least once: two sends of the same message, one sent mark.
        assert.deepEqual(sent, [`order-${order.id}`, `order-${order.id}`]);
        const row = await backend.writer.query<{ attempts: number; sent: boolean }>(
            "SELECT attempts, sent_at IS NOT NULL AS sent FROM outbox WHERE order_id = $1",
            [order.id],
        );
        assert.deepEqual(row.rows[0], { attempts: 1, sent: true });
        assert.equal(await countBacklog(backend.writer), 0);
    });

    it("counts a send that exceeds its timeout as a failed attempt and aborts it", async () => {
        const app = await backend.app();
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        const order = (await buy(app, await createEvent(app, 5))).json();
        let aborted = false;
        const hanging: Mailer = {
            send: (_message, options) =>
                new Promise((_, reject) =>
                    options?.signal?.addEventListener("abort", () => {
                        aborted = true;
                        reject(new Error("aborted"));
                    }),
                ),
        };
        // A lease far longer than the send timeout: however slow the claim, the send is started.
        assert.equal(
            await new OutboxWorker(backend.writer, hanging, {
                from: "x@example.com",
                sendTimeoutMs: 50,
                leaseMs: 60_000,
            }).runOnce(),
            1,
        );
        assert.ok(aborted, "the mailer was not told to give up");
        const row = await backend.writer.query<{ attempts: number; last_error: string; later: boolean }>(
            "SELECT attempts, last_error, next_attempt_at > now() + interval '5 seconds' AS later FROM outbox WHERE order_id = $1",
            [order.id],
        );
        assert.deepEqual(row.rows[0], { attempts: 1, last_error: "send timed out after 50 ms", later: true });
        await backend.writer.query("UPDATE outbox SET sent_at = now() WHERE order_id = $1", [order.id]);
    });

    it("hands claimed rows back at once when their lease would run out before it gets to them", async () => {
        const app = await backend.app();
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        const event = await createEvent(app, 5);
        for (let i = 0; i < 3; i++) assert.equal((await buy(app, event)).statusCode, 201);
        const sent: string[] = [];
        const slow: Mailer = {
            send: async (message) => {
                await sleep(2000);
                sent.push(message.id);
            },
        };
        // 4 s lease, 2.1 s send timeout: the first send starts unless the claim itself took 1.9 s; after
        // that 2 s send, another could outlive the lease whatever the load.
        const worker = new OutboxWorker(backend.writer, slow, {
            from: "x@example.com",
            batchSize: 3,
            leaseMs: 4000,
            sendTimeoutMs: 2100,
        });
        assert.equal(await worker.runOnce(), 3);
        assert.equal(sent.length, 1);
        const due = await backend.writer.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND attempts = 0 AND next_attempt_at <= now()",
        );
        assert.equal(due.rows[0].n, 2, "the two unsent rows are due again, with no attempt counted");
        await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
        assert.equal(await countBacklog(backend.writer), 0);
    });

    it("refuses a send timeout that does not fit in the lease", () => {
        assert.throws(
            () =>
                new OutboxWorker(
                    backend.writer,
                    { send: async () => undefined },
                    { from: "x@example.com", leaseMs: 1000, sendTimeoutMs: 1000 },
                ),
            /sendTimeoutMs \(1000\) must be shorter than leaseMs \(1000\)/,
        );
    });

    it("publishes OrderBacklog (Count, dimension Stack) to CloudWatch", async () => {
        const sent: PutMetricDataCommand[] = [];
        const publisher = new BacklogPublisher({
            namespace: "Boxoffice/Worker",
            stack: "prod",
            count: async () => 42,
            client: { send: async (command: unknown) => void sent.push(command as PutMetricDataCommand) } as never,
        });
        assert.equal(await publisher.publishOnce(), 42);
        assert.equal(sent[0].input.Namespace, "Boxoffice/Worker");
        const datum = sent[0].input.MetricData![0];
        assert.equal(datum.MetricName, "OrderBacklog");
        assert.equal(datum.Unit, "Count");
        assert.equal(datum.Value, 42);
        assert.deepEqual(datum.Dimensions, [{ Name: "Stack", Value: "prod" }]);
    });
});

describe("outbox worker on PostgreSQL", () => {
    it("lets concurrent workers share the queue without sending an order twice (SKIP LOCKED)", async function () {
        const { REAL_ENV, realBackend } = await import("./helpers/harness");
        if (!REAL_ENV.database || !REAL_ENV.redis || !REAL_ENV.memcached) this.skip(); // needs the BOXOFFICE_TEST_* services
        const backend = await realBackend();
        try {
            const app = await backend.app();
            const event = await createEvent(app, 60);
            await Promise.all(Array.from({ length: 30 }, () => buy(app, event)));
            const sent: string[] = [];
            let openTransactions = 0;
            const slowMailer: Mailer = {
                async send(message) {
                    // No worker holds a transaction (or a row lock) while it talks to the mail provider.
                    const open = await backend.writer.query<{ n: number }>(
                        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
                    );
                    openTransactions = Math.max(openTransactions, open.rows[0].n);
                    await new Promise((resolve) => setTimeout(resolve, 5));
                    sent.push(message.id);
                },
            };
            const workers = Array.from(
                { length: 4 },
                () => new OutboxWorker(backend.writer, slowMailer, { from: "x@example.com", batchSize: 3 }),
            );
            await Promise.all(
                workers.map(async (worker) => {
                    while ((await worker.runOnce()) > 0);
                }),
            );
            assert.equal(sent.length, 30);
            assert.equal(new Set(sent).size, 30);
            assert.equal(openTransactions, 0, "a transaction stayed open during a send");
            assert.equal(await countBacklog(backend.writer), 0);
        } finally {
            await backend.close();
        }
    });
});
