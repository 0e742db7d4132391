import type { FastifyInstance } from "fastify";
import QRCode from "qrcode";
import { HttpError } from "../errors";
import { getOrder, purchase } from "../services/purchase";
import { RouteContext, UUID_PATTERN, requireWritable, uuidParams } from "./context";

const orderBody = {
  type: "object",
  additionalProperties: false,
  required: ["ticketTypeId", "quantity", "email"],
  properties: {
    ticketTypeId: { type: "string", pattern: UUID_PATTERN },
    quantity: { type: "integer", minimum: 1, maximum: 10 },
    email: { type: "string", format: "email", maxLength: 254 },
  },
} as const;

const orderHeaders = {
  type: "object",
  required: ["idempotency-key"],
  properties: {
    "idempotency-key": { type: "string", minLength: 1, maxLength: 200, pattern: "^[\\x21-\\x7e]+$" },
    // Required while the event's waiting room is on (403 admission_required); see routes/waiting-room.ts.
    "admission-token": { type: "string", maxLength: 512 },
  },
} as const;

interface OrderBody {
  ticketTypeId: string;
  quantity: number;
  email: string;
}

export async function orderRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.post<{ Params: { id: string }; Body: OrderBody; Headers: { "idempotency-key": string; "admission-token"?: string } }>(
    "/events/:id/orders",
    {
      schema: { params: uuidParams, body: orderBody, headers: orderHeaders },
      preHandler: async (request, reply) => {
        try {
          await requireWritable(ctx.mode)(request, reply);
        } catch (error) {
          ctx.metrics.orders.inc({ result: "read_only" });
          throw error;
        }
      },
    },
    async (request, reply) => {
      try {
        const eventId = request.params.id.toLowerCase();
        const admission = await ctx.waitingRoom.admit(eventId, request.headers["admission-token"]);
        const { created, order } = await purchase(
          ctx.stores.writer,
          ctx.signer,
          {
            idempotencyKey: request.headers["idempotency-key"],
            eventId,
            ticketTypeId: request.body.ticketTypeId.toLowerCase(),
            quantity: request.body.quantity,
            email: request.body.email,
          },
          { onRetry: () => ctx.metrics.purchaseRetries.inc(), deadlineMs: ctx.purchaseDeadlineMs, guard: admission.guard },
        );
        if (created) admission.finished();
        ctx.metrics.orders.inc({ result: created ? "created" : "replayed" });
        return reply.code(created ? 201 : 200).send(order);
      } catch (error) {
        if (error instanceof HttpError) {
          ctx.metrics.orders.inc({ result: error.code });
          if (error.code === "sold_out") ctx.metrics.soldOut.inc();
        }
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string } }>("/orders/:id", { schema: { params: uuidParams } }, async (request, reply) => {
    const order = await getOrder(ctx.stores, request.params.id.toLowerCase());
    if (!order) throw new HttpError(404, "not_found", "no such order");
    // The order carries ticket codes: never let a shared cache keep it.
    reply.header("cache-control", "private, no-store");
    return order;
  });

  app.get<{ Params: { id: string } }>("/tickets/:id/qr.svg", { schema: { params: uuidParams } }, async (request, reply) => {
    const found = await ctx.stores.read<{ code: string }>("SELECT code FROM tickets WHERE id = $1", [
      request.params.id.toLowerCase(),
    ]);
    const code =
      found.rows[0]?.code ??
      // Just bought and the replica has not caught up: ask the writer.
      (await ctx.stores.writer.query<{ code: string }>("SELECT code FROM tickets WHERE id = $1", [request.params.id.toLowerCase()]))
        .rows[0]?.code;
    if (!code) throw new HttpError(404, "not_found", "no such ticket");
    const svg = await QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return reply.header("cache-control", "private, no-store").type("image/svg+xml").send(svg);
  });
}
