import type { FastifyInstance } from "fastify";
import { HttpError } from "../errors";
import { checkIn } from "../services/checkin";
import { PLAIN_TEXT_PATTERN, RouteContext } from "./context";

const checkinBody = {
    type: "object",
    additionalProperties: false,
    required: ["code", "gate"],
    properties: {
        code: { type: "string", minLength: 1, maxLength: 256 },
        gate: { type: "string", minLength: 1, maxLength: 64, pattern: PLAIN_TEXT_PATTERN },
    },
} as const;

export async function checkinRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    app.post<{ Body: { code: string; gate: string } }>(
        "/checkins",
        { schema: { body: checkinBody } },
        async (request) => {
            try {
                const result = await ctx.writes.run(() =>
                    checkIn(ctx.stores.writer, ctx.signer, request.body.code, request.body.gate),
                );
                ctx.metrics.checkins.inc({ result: "admitted" });
                return {
                    status: result.status,
                    ticketId: result.ticketId,
                    checkedInAt: result.checkedInAt,
                    gate: result.gate,
                };
            } catch (error) {
                if (error instanceof HttpError) ctx.metrics.checkins.inc({ result: error.code });
                throw error;
            }
        },
    );
}
