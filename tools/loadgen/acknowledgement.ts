/**
 * What a purchase answer must carry before the load generator counts the order as acknowledged: the
 * order id from the body and a ticket code per ticket. A 2xx without them is no acknowledgement.
 */

export interface AcknowledgedOrder {
    orderId: string;
    idempotencyKey: string;
    ticketTypeId: string;
    quantity: number;
    ticketCodes: string[];
}

/** The order a 2xx body names, or undefined when the body does not carry a complete one. */
export function acknowledgement(
    purchase: { key: string; ticketTypeId: string; quantity: number },
    body: Record<string, unknown>,
): AcknowledgedOrder | undefined {
    const tickets = body.tickets;
    if (typeof body.id !== "string" || !Array.isArray(tickets)) return undefined;
    const codes = tickets.map((ticket) => (ticket as { code?: unknown })?.code);
    if (!codes.every((code): code is string => typeof code === "string")) return undefined;
    const quantity = typeof body.quantity === "number" ? body.quantity : purchase.quantity;
    if (codes.length !== quantity) return undefined;
    return {
        orderId: body.id,
        idempotencyKey: purchase.key,
        ticketTypeId: typeof body.ticketTypeId === "string" ? body.ticketTypeId : purchase.ticketTypeId,
        quantity,
        ticketCodes: codes,
    };
}
