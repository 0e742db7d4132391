import type { FastifyInstance } from "fastify";
import { HttpError } from "../errors";
import { MODES, Mode } from "../mode-store";
import { RouteContext, requireAdmin } from "./context";

export async function adminRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    const admin = requireAdmin(ctx.adminToken);

    // This instance's write counts: a switchover waits until writesInFlight is 0 on every instance.
    app.get("/admin/mode", { onRequest: admin }, async () => ({
        mode: ctx.mode.current(),
        writesInFlight: ctx.writes.inFlight,
        writesHeld: ctx.writes.held,
    }));

    app.post<{ Body: { mode: Mode } }>(
        "/admin/mode",
        {
            onRequest: admin,
            schema: {
                body: {
                    type: "object",
                    additionalProperties: false,
                    required: ["mode"],
                    properties: { mode: { type: "string", enum: [...MODES] } },
                },
            },
        },
        async (request) => {
            const { shared } = await ctx.mode.set(request.body.mode);
            request.log.warn({ mode: request.body.mode, shared }, "service mode changed");
            if (!shared) {
                throw new HttpError(
                    503,
                    "mode_not_shared",
                    "applied to this instance only: Redis did not accept the change",
                    {
                        mode: request.body.mode,
                    },
                );
            }
            return { mode: request.body.mode };
        },
    );
}
