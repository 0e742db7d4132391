import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Cache } from "../cache/cache";
import { HttpError } from "../errors";
import type { Metrics } from "../metrics";
import type { ModeStore } from "../mode-store";
import type { Stores } from "../services/stores";
import type { TicketSigner } from "../tickets/codes";
import type { WaitingRoom } from "../waiting-room/service";
import type { WriteGate } from "../write-gate";

/** What the routes share; built once per app by buildApp. */
export interface RouteContext {
    stores: Stores;
    cache: Cache;
    mode: ModeStore;
    signer: TicketSigner;
    metrics: Metrics;
    lifecycle: { draining: boolean };
    adminToken: string;
    waitingRoom: WaitingRoom;
    /** See purchase(); undefined means its default. */
    purchaseDeadlineMs?: number;
    /** Every write request runs through it (modes, hold, in-flight count). */
    writes: WriteGate;
}

/**
 * The credentials of `Authorization: Bearer <token>`. The scheme is case-insensitive and may be
 * followed by one or more spaces (RFC 9110 §11.1 and §11.4: `auth-scheme 1*SP token68`), so
 * `bearer`, `BEARER` and `Bearer  x` all carry the token x.
 */
export function bearerToken(header: string | undefined): string | undefined {
    const match = /^bearer +(.+)$/i.exec(header ?? "");
    return match?.[1];
}

export function requireAdmin(adminToken: string) {
    // Compare digests so the comparison takes the same time whatever the length of the guess.
    const expected = createHash("sha256").update(adminToken).digest();
    return async (request: FastifyRequest) => {
        const token = bearerToken(request.headers.authorization);
        const given = createHash("sha256")
            .update(token ?? "")
            .digest();
        if (token === undefined || !timingSafeEqual(given, expected)) {
            throw new HttpError(401, "unauthorized", "admin calls need Authorization: Bearer <ADMIN_TOKEN>");
        }
    };
}

/**
 * A UUID exactly as PostgreSQL's uuid type reads it back. Not ajv's `format: "uuid"`: that also
 * accepts `urn:uuid:...`, which PostgreSQL rejects, so the request would end in a 500.
 */
export const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/**
 * Free text we store (names, gates): no control characters. PostgreSQL refuses NUL in text (a 500
 * otherwise), and the others have no business in a name shown on tickets and dashboards.
 */
export const PLAIN_TEXT_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

export const uuidParams = {
    type: "object",
    required: ["id"],
    properties: { id: { type: "string", pattern: UUID_PATTERN } },
} as const;
