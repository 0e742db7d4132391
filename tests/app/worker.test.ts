import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { BacklogPublisher } from "../../app/src/backlog-publisher";
import { FileMailer, MailMessage, Mailer } from "../../app/src/mail/mailer";
import { MAX_SEND_ATTEMPTS, OutboxWorker, backoffSeconds, countBacklog } from "../../app/src/outbox-worker";
import { buy, createEvent } from "./helpers/fixtures";
import { Backend, pgliteBackend } from "./helpers/harness";

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

  async function drain(worker: OutboxWorker): Promise<void> {
    while ((await worker.runOnce()) > 0);
  }

  it("sends one confirmation per order as an .eml file, also when the purchase is replayed", async () => {
    const app = await backend.app();
    await drain(new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com" }));
    const event = await createEvent(app, 5);
    const key = randomUUID();
    const order = (await buy(app, event, key, 2, "buyer@example.com")).json();
    await buy(app, event, key, 2, "buyer@example.com");
    assert.ok((await countBacklog(backend.writer)) >= 1);
    const worker = new OutboxWorker(backend.writer, new FileMailer(dir), { from: "tickets@example.com", publicUrl: "https://t.example" });
    await drain(worker);
    assert.equal(await countBacklog(backend.writer), 0);
    const files = await readdir(dir);
    assert.deepEqual(files, [`order-${order.id}.eml`]);
    const mail = await readFile(path.join(dir, files[0]), "utf8");
    assert.match(mail, /^From: tickets@example\.com\r\n/);
    assert.match(mail, /To: buyer@example\.com/);
    assert.match(mail, new RegExp(`Message-ID: <order-${order.id}@boxoffice>`));
    for (const ticket of order.tickets) assert.ok(mail.includes(`https://t.example/tickets/${ticket.id}/qr.svg`));
    // Codes themselves stay out of the e-mail text: it links to the QR instead.
    assert.ok(!mail.includes(order.tickets[0].code));
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
    await drain(new OutboxWorker(backend.writer, failing, { from: "x@example.com" }));
    const row = await backend.writer.query<{ attempts: number; last_error: string; due: boolean; sent_at: Date | null }>(
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
    await backend.writer.query("UPDATE outbox SET attempts = $2 WHERE order_id = $1", [order.id, MAX_SEND_ATTEMPTS - 1]);
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

  it("starts and stops its loop cleanly", async () => {
    const worker = new OutboxWorker(backend.writer, { send: async () => undefined }, { from: "x@example.com", idlePollMs: 50 });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await worker.stop();
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
      const slowMailer: Mailer = {
        async send(message) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          sent.push(message.id);
        },
      };
      const workers = Array.from({ length: 4 }, () => new OutboxWorker(backend.writer, slowMailer, { from: "x@example.com", batchSize: 3 }));
      await Promise.all(workers.map(async (worker) => {
        while ((await worker.runOnce()) > 0);
      }));
      assert.equal(sent.length, 30);
      assert.equal(new Set(sent).size, 30);
      assert.equal(await countBacklog(backend.writer), 0);
    } finally {
      await backend.close();
    }
  });
});
