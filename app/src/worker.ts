import { BacklogPublisher } from "./backlog-publisher";
import { ConfigError, loadConfig } from "./config";
import { migrate } from "./db/migrations";
import { createLogger } from "./logging";
import { createMailer } from "./mail/mailer";
import { OutboxWorker, countBacklog } from "./outbox-worker";
import { openWriter } from "./runtime";

/** The worker service: sends order confirmations and publishes the backlog metric. */
async function main(): Promise<void> {
    const config = loadConfig();
    if (!config.databaseUrl) {
        throw new ConfigError(
            "the worker needs DATABASE_URL; with the embedded default the server runs the worker itself",
        );
    }
    const logger = createLogger(config.logLevel, "boxoffice-worker");
    const db = openWriter(config, logger, "boxoffice-worker");
    // Safe when the API runs them at the same moment (advisory lock), and lets the worker start first.
    await migrate(db);
    const worker = new OutboxWorker(db, createMailer(config), { from: config.mailFrom, logger });
    const publisher = config.backlogMetricNamespace
        ? new BacklogPublisher({
              namespace: config.backlogMetricNamespace,
              stack: config.stack,
              count: () => countBacklog(db),
              logger,
          })
        : undefined;
    worker.start();
    publisher?.start();
    logger.info({ backlogMetric: Boolean(publisher) }, "worker started");

    let stopping = false;
    const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "worker stopping");
        const deadline = setTimeout(() => process.exit(1), 25_000);
        deadline.unref();
        publisher?.stop();
        await worker.stop();
        await db.close();
        process.exit(0);
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
    process.stderr.write(
        `boxoffice worker: ${error instanceof ConfigError ? error.message : (error?.stack ?? error)}\n`,
    );
    process.exit(1);
});
