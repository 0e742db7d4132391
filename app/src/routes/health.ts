import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./context";

const READINESS_TIMEOUT_MS = 2000;

export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  // Liveness only says the event loop answers: a database outage must not make ECS kill every task.
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (request, reply) => {
    if (ctx.lifecycle.draining) {
      return reply.code(503).send({ error: "draining", message: "shutting down" });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ctx.stores.writer.query("SELECT 1"),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("database ping timed out")), READINESS_TIMEOUT_MS);
        }),
      ]);
      return { status: "ready", mode: ctx.mode.current() };
    } catch (error) {
      request.log.warn({ err: error }, "readiness check failed");
      return reply.code(503).send({ error: "database_unavailable", message: "the database does not answer" });
    } finally {
      clearTimeout(timer);
    }
  });

  app.get("/metrics", async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  app.get("/keys", async (_request, reply) => {
    reply.header("cache-control", "public, max-age=300");
    return { keys: ctx.signer.publicKeys() };
  });
}
