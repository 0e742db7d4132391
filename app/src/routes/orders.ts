import type { FastifyInstance } from "fastify";
import QRCode from "qrcode";
import { HttpError } from "../errors";
import { getOrder, getTicketCode } from "../services/order-lookup";
import { purchase } from "../services/purchase";
import { RouteContext, UUID_PATTERN, uuidParams } from "./context";

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

const secretHeaders = {
    type: "object",
    properties: { "order-secret": { type: "string", maxLength: 200 } },
} as const;

interface OrderBody {
    ticketTypeId: string;
    quantity: number;
    email: string;
}

export async function orderRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    app.post<{
        Params: { id: string };
        Body: OrderBody;
        Headers: { "idempotency-key": string; "admission-token"?: string };
    }>(
        "/events/:id/orders",
        {
            schema: { params: uuidParams, body: orderBody, headers: orderHeaders },
        },
        async (request, reply) => {
            try {
                const eventId = request.params.id.toLowerCase();
                const admission = await ctx.waitingRoom.admit(eventId, request.headers["admission-token"]);
                const { created, order } = await ctx.writes.run(() =>
                    purchase(
                        ctx.stores.writer,
                        ctx.signer,
                        {
                            idempotencyKey: request.headers["idempotency-key"],
                            eventId,
                            ticketTypeId: request.body.ticketTypeId.toLowerCase(),
                            quantity: request.body.quantity,
                            email: request.body.email,
                        },
                        {
                            onRetry: () => ctx.metrics.purchaseRetries.inc(),
                            deadlineMs: ctx.purchaseDeadlineMs,
                            guard: admission.guard,
                        },
                    ),
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

    // The buyer's order secret (from the purchase answer) travels in a header, never in the URL:
    // load balancer access logs record every request line, query string included ("request" field,
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-format).
    const lookupSchema = { params: uuidParams, headers: secretHeaders };
    const notFound = (what: string) =>
        new HttpError(404, "not_found", `no such ${what} (or a missing or wrong Order-Secret)`);

    app.get<{ Params: { id: string }; Headers: { "order-secret"?: string } }>(
        "/orders/:id",
        { schema: lookupSchema },
        async (request, reply) => {
            const order = await getOrder(ctx.stores, request.params.id.toLowerCase(), request.headers["order-secret"]);
            if (!order) throw notFound("order");
            // The order carries ticket codes: never let a shared cache keep it.
            reply.header("cache-control", "private, no-store");
            return order;
        },
    );

    app.get<{ Params: { id: string }; Headers: { "order-secret"?: string } }>(
        "/tickets/:id/qr.svg",
        { schema: lookupSchema },
        async (request, reply) => {
            const code = await getTicketCode(
                ctx.stores,
                request.params.id.toLowerCase(),
                request.headers["order-secret"],
            );
            if (!code) throw notFound("ticket");
            const svg = await QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
            return reply.header("cache-control", "private, no-store").type("image/svg+xml").send(svg);
        },
    );
}
