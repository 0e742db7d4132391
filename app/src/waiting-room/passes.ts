import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Queue tickets and admission tokens: small binary records with an HMAC-SHA256 tag (truncated to
 * 128 bits, as RFC 4868 does for HMAC-SHA256), base64url. Only the service verifies them, so a shared
 * secret is enough and far cheaper than a signature on a path polled thousands of times a second.
 * The key is derived from TICKET_SIGNING_KEY (see TicketSigner.deriveKey), so every instance shares
 * it; each record type has its own domain tag, so a ticket can never pass as a token or vice versa.
 *
 * A queue ticket is a receipt, not a secret: it names the room, the ticket id, the place (a post-start
 * position, or "drawn at the start" for pre-start joins), the join time and a keyed hash of the
 * visitor id. It appears in URLs (and so in access logs); the status call hands out the admission
 * token only to a caller that also proves the visitor id, which travels in a header.
 */
const TAG_BYTES = 16;
const TICKET_VERSION = 1;
const TOKEN_VERSION = 2;
const TICKET_DOMAIN = Buffer.from("boxoffice-queue-ticket-v1\0");
const TOKEN_DOMAIN = Buffer.from("boxoffice-admission-token-v1\0");
const VISITOR_DOMAIN = Buffer.from("boxoffice-visitor-v1\0");
/** 96 bits: a visitor id is checked against it, and nobody without the key can compute one. */
const VISITOR_HASH_BYTES = 12;
// version, room, ticket, kind, position (48-bit), joined at (48-bit ms), visitor hash: 74 bytes with the
// tag, 99 characters, within Fastify's default 100-character limit for a path parameter.
const TICKET_BODY = 1 + 16 + 16 + 1 + 6 + 6 + VISITOR_HASH_BYTES;
// version, room, event, ticket, position (48-bit), expires at (48-bit ms)
const TOKEN_BODY = 1 + 16 + 16 + 16 + 6 + 6;

/** `pre`: joined before the start, place drawn at random then; `post`: first come, first served. */
export type TicketKind = "pre" | "post";

export interface QueueTicket {
    roomId: string;
    ticketId: string;
    kind: TicketKind;
    /** The place in line for `post` tickets; 0 for `pre` (the draw decides). */
    position: number;
    joinedAtMs: number;
    /** Keyed hash of the visitor id, base64url. */
    visitor: string;
}

export interface AdmissionToken {
    roomId: string;
    eventId: string;
    /** The queue ticket this admission was issued for: the single-use key. */
    ticketId: string;
    position: number;
    expiresAtMs: number;
}

function uuidBytes(uuid: string): Buffer {
    return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function uuidText(bytes: Buffer): string {
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Strict base64url (no padding, canonical trailing bits): one record has exactly one spelling. */
function decode(text: unknown, bytes: number): Buffer | undefined {
    if (typeof text !== "string" || text.length !== Math.ceil((bytes * 4) / 3)) return undefined;
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
    const buffer = Buffer.from(text, "base64url");
    return buffer.length === bytes && buffer.toString("base64url") === text ? buffer : undefined;
}

export class RoomPasses {
    constructor(private readonly key: Buffer) {
        if (key.length < 32) throw new Error("waiting-room key must be at least 32 bytes");
    }

    /** Keyed, so a Redis dump does not let anyone test guesses of visitor ids offline. */
    visitorHash(visitorId: string): string {
        return createHmac("sha256", this.key)
            .update(VISITOR_DOMAIN)
            .update(visitorId)
            .digest()
            .subarray(0, VISITOR_HASH_BYTES)
            .toString("base64url");
    }

    ticket(t: QueueTicket): string {
        const body = Buffer.alloc(TICKET_BODY);
        let at = body.writeUInt8(TICKET_VERSION, 0);
        at += uuidBytes(t.roomId).copy(body, at);
        at += uuidBytes(t.ticketId).copy(body, at);
        at = body.writeUInt8(t.kind === "pre" ? 0 : 1, at);
        at = body.writeUIntBE(t.position, at, 6);
        at = body.writeUIntBE(t.joinedAtMs, at, 6);
        Buffer.from(t.visitor, "base64url").copy(body, at);
        return this.seal(TICKET_DOMAIN, body);
    }

    readTicket(text: unknown): QueueTicket | undefined {
        const body = this.open(TICKET_DOMAIN, text, TICKET_BODY);
        if (!body || body[0] !== TICKET_VERSION || body[33] > 1) return undefined;
        return {
            roomId: uuidText(body.subarray(1, 17)),
            ticketId: uuidText(body.subarray(17, 33)),
            kind: body[33] === 0 ? "pre" : "post",
            position: body.readUIntBE(34, 6),
            joinedAtMs: body.readUIntBE(40, 6),
            visitor: body.subarray(46, 46 + VISITOR_HASH_BYTES).toString("base64url"),
        };
    }

    token(t: AdmissionToken): string {
        const body = Buffer.alloc(TOKEN_BODY);
        let at = body.writeUInt8(TOKEN_VERSION, 0);
        at += uuidBytes(t.roomId).copy(body, at);
        at += uuidBytes(t.eventId).copy(body, at);
        at += uuidBytes(t.ticketId).copy(body, at);
        at = body.writeUIntBE(t.position, at, 6);
        body.writeUIntBE(t.expiresAtMs, at, 6);
        return this.seal(TOKEN_DOMAIN, body);
    }

    /** The claims of a genuine token (expired or not: the caller decides), or undefined. */
    readToken(text: unknown): AdmissionToken | undefined {
        const body = this.open(TOKEN_DOMAIN, text, TOKEN_BODY);
        if (!body || body[0] !== TOKEN_VERSION) return undefined;
        return {
            roomId: uuidText(body.subarray(1, 17)),
            eventId: uuidText(body.subarray(17, 33)),
            ticketId: uuidText(body.subarray(33, 49)),
            position: body.readUIntBE(49, 6),
            expiresAtMs: body.readUIntBE(55, 6),
        };
    }

    private tag(domain: Buffer, body: Buffer): Buffer {
        return createHmac("sha256", this.key).update(domain).update(body).digest().subarray(0, TAG_BYTES);
    }

    private seal(domain: Buffer, body: Buffer): string {
        return Buffer.concat([body, this.tag(domain, body)]).toString("base64url");
    }

    private open(domain: Buffer, text: unknown, bodyBytes: number): Buffer | undefined {
        const raw = decode(text, bodyBytes + TAG_BYTES);
        if (!raw) return undefined;
        const body = raw.subarray(0, bodyBytes);
        return timingSafeEqual(raw.subarray(bodyBytes), this.tag(domain, body)) ? body : undefined;
    }
}
