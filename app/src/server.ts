import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logging";
import { createMailer } from "./mail/mailer";
import { OutboxWorker } from "./outbox-worker";
import { createRuntime } from "./runtime";

/** Hard stop: ECS sends SIGKILL 30 s after SIGTERM by default; finish well before it. */
const SHUTDOWN_DEADLINE_MS = 25_000;

async function main(): Promise<void> {
    const config = loadConfig();
    const logger = createLogger(config.logLevel);
    const runtime = await createRuntime(config, logger);
    const lifecycle = { draining: false };
    const app = await buildApp({
        ...runtime,
        lifecycle,
        logger,
        purchaseDeadlineMs: config.purchaseDeadlineMs,
        holdMaxMs: config.holdMaxMs,
    });

    // PGlite is one process's database, so the embedded default runs the outbox worker in-process.
    const worker = runtime.embedded
        ? new OutboxWorker(runtime.stores.writer, createMailer(config), { from: config.mailFrom, logger })
        : undefined;

    const address = await app.listen({ port: config.port, host: config.host });
    worker?.start();
    logger.info({ address, embedded: runtime.embedded }, "boxoffice listening");
    if (runtime.embedded) {
        const url = address.replace("0.0.0.0", "127.0.0.1");
        // Printed on purpose (not logged): the operator needs the token to create events locally.
        process.stdout.write(
            `\nboxoffice is running at ${url}\n` +
                `data directory: ${config.dataDir}\n` +
                (runtime.generatedAdminToken ? `admin token:    ${runtime.adminToken}\n` : "") +
                `api docs:       ${url}/docs\n` +
                `try:            curl ${url}/events\n\n`,
        );
    }

    let stopping = false;
    const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, "draining");
        const deadline = setTimeout(() => {
            logger.error("shutdown deadline passed; exiting");
            process.exit(1);
        }, SHUTDOWN_DEADLINE_MS);
        deadline.unref();
        lifecycle.draining = true;
        // Keep answering (health 503) while the load balancers notice and stop sending traffic.
        if (config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
        try {
            await app.close(); // stops accepting, waits for in-flight requests
            await worker?.stop();
            await runtime.close();
            logger.info("stopped");
            process.exit(0);
        } catch (error) {
            logger.error({ err: error }, "error during shutdown");
            process.exit(1);
        }
    };
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
    if (error instanceof ConfigError) {
        process.stderr.write(`boxoffice: ${error.message}\n`);
    } else {
        process.stderr.write(`boxoffice failed to start: ${error?.stack ?? error}\n`);
    }
    process.exit(1);
});
