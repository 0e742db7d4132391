import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { TicketSigner } from "../../../app/src/tickets/codes";
import { AdmissionToken, QueueTicket, RoomPasses } from "../../../app/src/waiting-room/passes";

const seed = Buffer.alloc(32, 7);
const signer = new TicketSigner(seed, "test");
const passes = new RoomPasses(signer.deriveKey("waiting-room-v1"));

const ticket: QueueTicket = {
    roomId: randomUUID(),
    ticketId: randomUUID(),
    kind: "post",
    position: 123_456,
    joinedAtMs: 1_790_000_000_123,
    visitor: passes.visitorHash("visitor-aaaaaaaaaaaa"),
};
const token: AdmissionToken = {
    roomId: ticket.roomId,
    eventId: randomUUID(),
    ticketId: ticket.ticketId,
    position: 123_456,
    expiresAtMs: 1_790_000_600_000,
};

/** Every single-character change of a base64url string. */
function mutations(text: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < text.length; i++)
        out.push(text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1));
    return out;
}

describe("waiting room tickets and admission tokens", () => {
    it("round-trip their claims; a ticket fits a default Fastify path parameter (100 characters)", () => {
        const text = passes.ticket(ticket);
        assert.ok(text.length <= 100, `${text.length} characters`);
        assert.deepEqual(passes.readTicket(text), ticket);
        assert.deepEqual(passes.readTicket(passes.ticket({ ...ticket, kind: "pre", position: 0 })), {
            ...ticket,
            kind: "pre",
            position: 0,
        });
        assert.deepEqual(passes.readToken(passes.token(token)), token);
    });

    it("reject every altered character, truncation, extension and foreign input", () => {
        const t = passes.token(token);
        for (const forged of [...mutations(t), t.slice(0, -1), `${t}A`, "", "x", 5, null, t.toLowerCase()]) {
            assert.equal(passes.readToken(forged), undefined, String(forged));
        }
        const q = passes.ticket(ticket);
        for (const forged of [...mutations(q), q.slice(1)]) assert.equal(passes.readTicket(forged), undefined, forged);
    });

    it("are domain-separated: a ticket never reads as a token or the reverse", () => {
        assert.equal(passes.readToken(passes.ticket(ticket)), undefined);
        assert.equal(passes.readTicket(passes.token(token)), undefined);
    });

    it("are bound to the key: another deployment's (or the signing seed used raw) does not verify", () => {
        const other = new RoomPasses(new TicketSigner(Buffer.alloc(32, 8)).deriveKey("waiting-room-v1"));
        assert.equal(other.readToken(passes.token(token)), undefined);
        const rawSeed = new RoomPasses(seed);
        assert.equal(rawSeed.readToken(passes.token(token)), undefined);
    });

    it("derive a key per purpose that is not the seed, the same on every instance", () => {
        const key = signer.deriveKey("waiting-room-v1");
        assert.equal(key.length, 32);
        assert.notDeepEqual(key, seed);
        assert.notDeepEqual(key, signer.deriveKey("something-else"));
        assert.deepEqual(new TicketSigner(Buffer.from(seed), "other-id").deriveKey("waiting-room-v1"), key);
    });

    it("hash visitor ids with the key, so equal ids match and others do not", () => {
        assert.equal(passes.visitorHash("visitor-aaaaaaaaaaaa"), ticket.visitor);
        assert.notEqual(passes.visitorHash("visitor-aaaaaaaaaaab"), ticket.visitor);
        assert.notEqual(new RoomPasses(Buffer.alloc(32, 1)).visitorHash("visitor-aaaaaaaaaaaa"), ticket.visitor);
    });
});
