import { performance } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import type { RouteContext } from "./context";

/** Per dependency; every probe runs at once, so /readyz answers within this even when all hang. */
const PROBE_TIMEOUT_MS = 2000;

export interface DependencyCheck {
    status: "up" | "down";
    latencyMs: number;
    /** An error code (ECONNREFUSED, 57P03) or "timeout": never a message, which may name hosts. */
    error?: string;
}

class ProbeTimeout extends Error {}

function reason(error: unknown): string {
    if (error instanceof ProbeTimeout) return "timeout";
    const code = error && typeof error === "object" ? (error as { code?: unknown }).code : undefined;
    return typeof code === "string" ? code : "error";
}

export async function probe(check: () => Promise<unknown>, timeoutMs = PROBE_TIMEOUT_MS): Promise<DependencyCheck> {
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    let timer: NodeJS.Timeout | undefined;
    try {
        await Promise.race([
            check(),
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
            }),
        ]);
        return { status: "up", latencyMs: latency() };
    } catch (error) {
        return { status: "down", latencyMs: latency(), error: reason(error) };
    } finally {
        clearTimeout(timer);
    }
}

/**
 * The health model (see the README):
 * - `/healthz` says whether this task can serve requests. It touches no shared dependency, so a
 *   database failover or a Redis outage never makes load balancers, Route 53 or ECS take every
 *   task out at once (ECS replaces tasks its target group calls unhealthy). 503 only while
 *   draining after SIGTERM.
 * - `/readyz` reports each dependency (up/down, latency) for people, dashboards and drills; 200
 *   when the writer answers. No load balancer checks it.
 */
export async function healthRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    app.get("/healthz", async (_request, reply) => {
        if (ctx.lifecycle.draining) return reply.code(503).send({ error: "draining", message: "shutting down" });
        return { status: "ok" };
    });

    app.get("/readyz", async (_request, reply) => {
        if (ctx.lifecycle.draining) {
            return reply.code(503).send({ error: "draining", message: "shutting down" });
        }
        const [writer, redis, memcached] = await Promise.all([
            probe(() => ctx.stores.writer.query("SELECT 1")),
            ctx.mode.ping ? probe(() => ctx.mode.ping!()) : undefined,
            ctx.cache.ping ? Promise.all(ctx.cache.ping().map((ping) => probe(() => ping))) : undefined,
        ]);
        const report = {
            mode: ctx.mode.current(),
            writes: { inFlight: ctx.writes.inFlight, held: ctx.writes.held },
            writer,
            // Sampled in the background (lag and reachability), not probed per request.
            readers: ctx.stores.replicas?.status() ?? [],
            redis: redis ?? { status: "not_configured" },
            memcached: memcached ?? { status: "not_configured" },
        };
        if (writer.status === "up") return { status: "ready", ...report };
        return reply.code(503).send({
            error: "database_unavailable",
            message: "the database writer does not answer",
            status: "not_ready",
            ...report,
        });
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
