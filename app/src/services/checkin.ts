import type { Database } from "../db/database";
import { HttpError } from "../errors";
import type { TicketSigner } from "../tickets/codes";
import { iso } from "./stores";

export interface CheckinResult {
    status: "admitted";
    ticketId: string;
    checkedInAt: string;
    gate: string;
}

/**
 * Exactly once by the checkins primary key: the insert either creates the row (admitted) or hits
 * the conflict (already checked in). The signature is checked first, so forged or altered codes
 * never reach the database.
 */
export async function checkIn(
    writer: Database,
    signer: TicketSigner,
    code: string,
    gate: string,
): Promise<CheckinResult> {
    const claims = signer.verify(code);
    if (!claims) throw new HttpError(400, "invalid_code", "the code is not a genuine ticket code");
    // The code must also be the one stored for that ticket: a signed code for a rolled-back
    // purchase (never handed out) or for another ticket does not admit anyone.
    const admitted = await writer.query<{ checked_in_at: Date }>(
        `INSERT INTO checkins (ticket_id, gate)
     SELECT t.id, $2 FROM tickets t WHERE t.id = $1 AND t.event_id = $3 AND t.code = $4
     ON CONFLICT (ticket_id) DO NOTHING
     RETURNING checked_in_at`,
        [claims.ticketId, gate, claims.eventId, code],
    );
    if (admitted.rowCount === 1) {
        return {
            status: "admitted",
            ticketId: claims.ticketId,
            checkedInAt: iso(admitted.rows[0].checked_in_at),
            gate,
        };
    }
    const first = await writer.query<{ checked_in_at: Date; gate: string }>(
        `SELECT c.checked_in_at, c.gate FROM checkins c JOIN tickets t ON t.id = c.ticket_id
     WHERE c.ticket_id = $1 AND t.code = $2`,
        [claims.ticketId, code],
    );
    if (first.rowCount === 0) throw new HttpError(404, "invalid_code", "no ticket was issued with this code");
    throw new HttpError(409, "already_checked_in", "this ticket has already been admitted", {
        ticketId: claims.ticketId,
        checkedInAt: iso(first.rows[0].checked_in_at),
        gate: first.rows[0].gate,
    });
}
