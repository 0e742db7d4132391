import {
    createHash,
    createPrivateKey,
    createPublicKey,
    hkdfSync,
    KeyObject,
    randomBytes,
    sign,
    verify,
} from "node:crypto";

/**
 * Ticket codes: `<keyId>.<body>.<signature>`, base64url, where body = event uuid + ticket uuid +
 * 16 random bytes and the signature is Ed25519 over a domain tag, the key id and the body.
 * Scanners verify offline with the public key from GET /keys; unlike an HMAC, holding the
 * verification key does not let anyone mint codes.
 */
const DOMAIN = Buffer.from("boxoffice-ticket-v1\0");
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), so node can import the seed.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BODY_BYTES = 48;
const SIGNATURE_BYTES = 64;

export interface TicketClaims {
    keyId: string;
    eventId: string;
    ticketId: string;
}

export interface PublicKeyInfo {
    keyId: string;
    algorithm: "Ed25519";
    /** Raw 32-byte public key, base64url. */
    publicKey: string;
    publicKeyPem: string;
}

function uuidToBytes(uuid: string): Buffer {
    return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function bytesToUuid(bytes: Buffer): string {
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Strict base64url: rejects characters outside the alphabet and non-canonical trailing bits. */
function decodeStrict(text: string): Buffer | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
    const bytes = Buffer.from(text, "base64url");
    return bytes.toString("base64url") === text ? bytes : undefined;
}

export class TicketSigner {
    readonly keyId: string;
    private readonly seed: Buffer;
    private readonly privateKey: KeyObject;
    private readonly publicKey: KeyObject;

    /** @param seed the 32-byte Ed25519 seed (TICKET_SIGNING_KEY is its base64). */
    constructor(seed: Buffer, keyId?: string) {
        if (seed.length !== 32) {
            throw new Error(`TICKET_SIGNING_KEY must be base64 of exactly 32 bytes, got ${seed.length} bytes`);
        }
        this.seed = Buffer.from(seed);
        this.privateKey = createPrivateKey({
            key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
            format: "der",
            type: "pkcs8",
        });
        this.publicKey = createPublicKey(this.privateKey);
        this.keyId = keyId ?? createHash("sha256").update(this.rawPublicKey()).digest("base64url").slice(0, 11);
        if (!KEY_ID_PATTERN.test(this.keyId)) {
            throw new Error("TICKET_SIGNING_KEY_ID must be 1-32 characters of A-Z a-z 0-9 _ -");
        }
    }

    /**
     * A 32-byte key for another purpose, derived from the seed with HKDF-SHA256 (RFC 5869) under its
     * own `purpose` label: one secret to provision, and no key used for two things.
     */
    deriveKey(purpose: string): Buffer {
        return Buffer.from(hkdfSync("sha256", this.seed, Buffer.from("boxoffice"), Buffer.from(purpose), 32));
    }

    static fromBase64(value: string, keyId?: string): TicketSigner {
        return new TicketSigner(Buffer.from(value, "base64"), keyId);
    }

    static generateSeed(): Buffer {
        return randomBytes(32);
    }

    private rawPublicKey(): Buffer {
        // The SPKI DER of an Ed25519 key ends with the 32 raw key bytes.
        return (this.publicKey.export({ format: "der", type: "spki" }) as Buffer).subarray(-32);
    }

    publicKeys(): PublicKeyInfo[] {
        return [
            {
                keyId: this.keyId,
                algorithm: "Ed25519",
                publicKey: this.rawPublicKey().toString("base64url"),
                publicKeyPem: this.publicKey.export({ format: "pem", type: "spki" }).toString(),
            },
        ];
    }

    issue(eventId: string, ticketId: string): string {
        const body = Buffer.concat([uuidToBytes(eventId), uuidToBytes(ticketId), randomBytes(16)]);
        const signature = sign(null, this.signedBytes(this.keyId, body), this.privateKey);
        return `${this.keyId}.${body.toString("base64url")}.${signature.toString("base64url")}`;
    }

    /** Returns the claims of a genuine code, or undefined for anything forged, altered or malformed. */
    verify(code: string): TicketClaims | undefined {
        if (typeof code !== "string" || code.length > 256) return undefined;
        const parts = code.split(".");
        if (parts.length !== 3) return undefined;
        const [keyId, bodyText, signatureText] = parts;
        // One active key today; a rotation would keep the previous public key here until events end.
        if (keyId !== this.keyId) return undefined;
        const body = decodeStrict(bodyText);
        const signature = decodeStrict(signatureText);
        if (!body || body.length !== BODY_BYTES || !signature || signature.length !== SIGNATURE_BYTES) return undefined;
        if (!verify(null, this.signedBytes(keyId, body), this.publicKey, signature)) return undefined;
        return { keyId, eventId: bytesToUuid(body.subarray(0, 16)), ticketId: bytesToUuid(body.subarray(16, 32)) };
    }

    private signedBytes(keyId: string, body: Buffer): Buffer {
        return Buffer.concat([DOMAIN, Buffer.from(keyId), Buffer.from([0]), body]);
    }
}
