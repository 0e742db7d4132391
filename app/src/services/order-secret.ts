import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { TicketSigner } from "../tickets/codes";

/**
 * The order secret: what a buyer shows to read their order and ticket QR codes again
 * (`Order-Secret` header). 32 random bytes, so it cannot be derived from the order id or guessed.
 *
 * Stored twice, never in clear: a SHA-256 hash, which is all a lookup needs (compared in constant
 * time), and a copy sealed with AES-256-GCM under a key derived from the ticket signing key, bound to
 * the order id, which only the purchase path opens: an idempotent replay of the purchase must hand
 * the buyer who lost the first answer the same secret. A database dump, backup or replica thus holds
 * nothing a reader could present.
 */
export interface IssuedSecret {
    secret: string;
    hash: Buffer;
    sealed: Buffer;
}

const SEAL_PURPOSE = "order-secret-seal-v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Compared against when there is no order, so a miss costs what a wrong secret costs. */
const NO_HASH = Buffer.alloc(32);

const sealKeys = new WeakMap<TicketSigner, Buffer>();
function sealKey(signer: TicketSigner): Buffer {
    let key = sealKeys.get(signer);
    if (!key) {
        key = signer.deriveKey(SEAL_PURPOSE);
        sealKeys.set(signer, key);
    }
    return key;
}

export function hashSecret(secret: string): Buffer {
    return createHash("sha256").update(secret, "utf8").digest();
}

export function issueSecret(signer: TicketSigner, orderId: string): IssuedSecret {
    const secret = randomBytes(32).toString("base64url");
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", sealKey(signer), iv);
    cipher.setAAD(Buffer.from(orderId));
    const sealed = Buffer.concat([iv, cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return { secret, hash: hashSecret(secret), sealed };
}

/** The secret of a replayed order; undefined when it was sealed under another key (rotated). */
export function unsealSecret(signer: TicketSigner, orderId: string, sealed: Uint8Array | null): string | undefined {
    if (!sealed || sealed.length <= IV_BYTES + TAG_BYTES) return undefined;
    const bytes = Buffer.from(sealed);
    try {
        const decipher = createDecipheriv("aes-256-gcm", sealKey(signer), bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(orderId));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
            decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
            decipher.final(),
        ]).toString("utf8");
    } catch {
        return undefined;
    }
}

/**
 * Whether `given` is the secret whose hash is `stored`. Always hashes and compares, also without a
 * secret or an order, so the answer's timing says nothing about whether the order exists.
 */
export function secretMatches(given: string | undefined, stored: Uint8Array | null | undefined): boolean {
    const expected = stored && stored.length === 32 ? Buffer.from(stored) : NO_HASH;
    const equal = timingSafeEqual(hashSecret(given ?? ""), expected);
    return equal && given !== undefined && expected !== NO_HASH;
}
