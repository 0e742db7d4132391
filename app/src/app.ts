import { randomUUID } from "node:crypto";
import Fastify, { FastifyBaseLogger, FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import type { Cache } from "./cache/cache";
import { installErrorHandlers } from "./errors";
import { createMetrics } from "./metrics";
import type { ModeStore } from "./mode-store";
import { countBacklog } from "./outbox-worker";
import { adminRoutes } from "./routes/admin";
import { checkinRoutes } from "./routes/checkins";
import { registerDocs } from "./routes/docs";
import type { RouteContext } from "./routes/context";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { orderRoutes } from "./routes/orders";
import { waitingRoomRoutes } from "./routes/waiting-room";
import type { Stores } from "./services/stores";
import type { TicketSigner } from "./tickets/codes";
import { WriteGate } from "./write-gate";
import { createWaitingRoom, WaitingRoom, WaitingRoomOptions } from "./waiting-room";

declare module "fastify" {
    interface FastifyInstance {
        waitingRoom: WaitingRoom;
    }
}

export interface AppDeps {
    stores: Stores;
    cache: Cache;
    mode: ModeStore;
    signer: TicketSigner;
    adminToken: string;
    /** Set draining=true on SIGTERM: health and readiness turn 503 and responses ask clients to reconnect. */
    lifecycle?: { draining: boolean };
    /** A pino logger (see logging.ts); omitted means no request logs (tests). */
    logger?: Logger;
    /** The waiting room's store and settings; omitted: in-process store, defaults, inlet stepped by hand. */
    waitingRoom?: WaitingRoomOptions;
    /** How long a purchase keeps trying while the database is away (PURCHASE_DEADLINE_MS). */
    purchaseDeadlineMs?: number;
    /** How long a write waits in hold mode before 503 on_hold (HOLD_MAX_MS). */
    holdMaxMs?: number;
}

const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

/** A load balancer's trace header is a fine request id, within reason. */
const TRACE_ID = /^[\x21-\x7e]{1,200}$/;

/** Builds the HTTP app without listening (server.ts listens; tests use inject). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
    const app = Fastify({
        ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
        bodyLimit: 64 * 1024,
        requestIdHeader: false,
        genReqId: (request) => {
            const trace = request.headers["x-amzn-trace-id"];
            return typeof trace === "string" && TRACE_ID.test(trace) ? trace : randomUUID();
        },
        // Strict bodies: no silent type coercion, unknown fields are an error rather than dropped.
        ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
        return503OnClosing: true,
        // Fastify's own request lines carry req.url: order and ticket ids, query strings. The onResponse
        // hook below logs the route pattern instead.
        logController: new LogController({ disableRequestLogging: true }),
    });
    const metrics = createMetrics(() => countBacklog(deps.stores.writer));
    deps.cache.onError = (operation) => metrics.cacheErrors.inc({ operation });
    const room = createWaitingRoom(
        {
            writer: deps.stores.writer,
            signer: deps.signer,
            mode: deps.mode,
            registry: metrics.registry,
            logger: deps.logger,
        },
        deps.waitingRoom,
    );
    app.decorate("waitingRoom", room.room);
    app.addHook("onClose", async () => room.close());
    const ctx: RouteContext = {
        stores: deps.stores,
        cache: deps.cache,
        mode: deps.mode,
        signer: deps.signer,
        metrics,
        lifecycle: deps.lifecycle ?? { draining: false },
        adminToken: deps.adminToken,
        waitingRoom: room.room,
        purchaseDeadlineMs: deps.purchaseDeadlineMs,
        writes: new WriteGate(deps.mode, deps.holdMaxMs),
    };
    // Leaving hold means the writer may have moved (a switchover): drop every pooled connection, so
    // the held writes and all after them connect afresh, resolving the writer's DNS name again.
    const unsubscribe = deps.mode.onChange((from, to) => {
        if (from === "hold" && to !== "hold") deps.stores.writer.reset?.();
    });
    app.addHook("onClose", async () => unsubscribe());

    installErrorHandlers(app);
    app.addHook("onRequest", async (request, reply) => {
        reply.header("x-request-id", request.id);
        if (ctx.lifecycle.draining) reply.header("connection", "close");
    });
    app.addHook("onResponse", async (request, reply) => {
        room.room.health.observe(reply.statusCode);
        const route = request.routeOptions.url ?? "unmatched";
        metrics.httpDuration.observe(
            { method: request.method, route, status: String(reply.statusCode) },
            reply.elapsedTime / 1000,
        );
        // The route pattern (/orders/:id), never the URL: ids in paths and query strings stay out of logs.
        // Load balancer and health checks arrive every few seconds per checker: debug only.
        const level = QUIET_ROUTES.has(route) && reply.statusCode < 500 ? "debug" : "info";
        request.log[level](
            {
                method: request.method,
                route,
                statusCode: reply.statusCode,
                responseTimeMs: Math.round(reply.elapsedTime),
            },
            "request",
        );
    });

    await registerDocs(app);
    await app.register(healthRoutes, ctx);
    await app.register(eventRoutes, ctx);
    await app.register(orderRoutes, ctx);
    await app.register(checkinRoutes, ctx);
    await app.register(adminRoutes, ctx);
    await app.register(waitingRoomRoutes, ctx);
    return app;
}
