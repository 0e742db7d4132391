import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { TicketSigner } from "../../app/src/tickets/codes";

describe("ticket codes", () => {
    const seed = Buffer.alloc(32, 1);
    const signer = new TicketSigner(seed);

    it("round-trips the claims and derives a stable key id from the public key", () => {
        const eventId = randomUUID();
        const ticketId = randomUUID();
        const code = signer.issue(eventId, ticketId);
        assert.deepEqual(signer.verify(code), { keyId: signer.keyId, eventId, ticketId });
        assert.equal(new TicketSigner(seed).keyId, signer.keyId);
        assert.notEqual(signer.issue(eventId, ticketId), code, "each code carries its own random secret");
    });

    it("accepts the base64 seed Pulumi RandomBytes produces and an explicit key id", () => {
        const fromConfig = TicketSigner.fromBase64(seed.toString("base64"), "2030-a");
        assert.equal(fromConfig.keyId, "2030-a");
        assert.equal(fromConfig.publicKeys()[0].publicKey, signer.publicKeys()[0].publicKey);
    });

    it("rejects every single-character alteration", () => {
        const code = signer.issue(randomUUID(), randomUUID());
        for (let i = 0; i < code.length; i++) {
            const altered = code.slice(0, i) + (code[i] === "A" ? "B" : "A") + code.slice(i + 1);
            if (altered !== code) assert.equal(signer.verify(altered), undefined, `position ${i}`);
        }
    });

    it("rejects codes from another key, truncated codes and junk", () => {
        const other = new TicketSigner(Buffer.alloc(32, 2), signer.keyId);
        assert.equal(signer.verify(other.issue(randomUUID(), randomUUID())), undefined);
        const code = signer.issue(randomUUID(), randomUUID());
        for (const junk of [
            "",
            ".",
            "..",
            code.slice(0, -2),
            `${code}=`,
            code.replace(".", ".."),
            "a".repeat(1000),
            42 as unknown as string,
        ]) {
            assert.equal(signer.verify(junk), undefined);
        }
    });

    it("refuses a seed that is not 32 bytes and a bad key id", () => {
        assert.throws(() => TicketSigner.fromBase64(Buffer.alloc(16).toString("base64")), /exactly 32 bytes, got 16/);
        assert.throws(() => new TicketSigner(seed, "has space"), /TICKET_SIGNING_KEY_ID/);
    });
});
