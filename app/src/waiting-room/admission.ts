/**
 * The waiting room's side of an order: the Admission-Token checked on arrival (signature, event, room, expiry),
 * then spent exactly once inside the purchase transaction. Every refusal is counted by its reason.
 */
import type { Queryable } from "../db/database";
import { HttpError } from "../errors";
import type { RoomMetrics } from "./metrics";
import type { AdmissionToken, RoomPasses } from "./passes";
import type { RoomConfig } from "./rooms";

export class AdmissionChecks {
    constructor(
        private readonly passes: RoomPasses,
        private readonly metrics: RoomMetrics,
        private readonly clock: () => number,
    ) {}

    refuse(status: number, code: string, message: string): never {
        this.metrics.refusals.inc({ reason: code });
        throw new HttpError(status, code, message);
    }

    check(eventId: string, config: RoomConfig | undefined, header: string | undefined): AdmissionToken {
        if (!header)
            return this.refuse(
                403,
                "admission_required",
                "this event sells through its waiting room: join the queue and send its Admission-Token",
            );
        const token = this.passes.readToken(header);
        if (!token) return this.refuse(403, "admission_invalid", "the Admission-Token is not one this service issued");
        if (token.eventId !== eventId)
            return this.refuse(403, "admission_wrong_event", "the Admission-Token was issued for another event");
        if (config && token.roomId !== config.roomId)
            return this.refuse(
                403,
                "admission_stale",
                "the Admission-Token belongs to an earlier waiting room for this event; join again",
            );
        if (token.expiresAtMs <= this.clock())
            return this.refuse(403, "admission_expired", "the Admission-Token has expired; join the queue again");
        return token;
    }

    /**
     * Inside the purchase transaction, after the order row, which read the event's open room in the same
     * statement: the database decides, not this instance's cached configuration.
     */
    async guard(
        tx: Queryable,
        eventId: string,
        token: AdmissionToken | undefined,
        orderId: string,
        openRoomId: string | null,
    ): Promise<void> {
        if (openRoomId === null) return; // no room (any more): the order needs no admission
        if (!token)
            return this.refuse(
                403,
                "admission_required",
                "this event sells through its waiting room: join the queue and send its Admission-Token",
            );
        if (openRoomId !== token.roomId)
            return this.refuse(
                403,
                "admission_stale",
                "the Admission-Token belongs to an earlier waiting room for this event; join again",
            );
        const used = await tx.query(
            `INSERT INTO admission_uses (queue_ticket_id, event_id, room_id, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (queue_ticket_id) DO NOTHING RETURNING queue_ticket_id`,
            [token.ticketId, eventId, token.roomId, orderId],
        );
        if (used.rowCount === 0)
            this.refuse(
                409,
                "admission_used",
                "this admission has already bought; its order is found with the original Idempotency-Key",
            );
    }
}
