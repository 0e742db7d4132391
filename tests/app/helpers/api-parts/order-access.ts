import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { createLogger } from "../../../../app/src/logging";
import type { SuiteContext } from "../api-suite";
import { buy, createEvent } from "../fixtures";

export function orderAccessPart(t: SuiteContext): void {
    it("shows an order and its QR codes only with the order secret; missing or wrong is the 404 of a missing order", async () => {
        const event = await createEvent(t.app, 5);
        const key = randomUUID();
        const bought = await buy(t.app, event, key, 2);
        assert.equal(bought.statusCode, 201, bought.body);
        const order = bought.json();
        assert.match(order.secret, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
        const other = (await buy(t.app, event)).json();
        assert.notEqual(other.secret, order.secret);

        const lookup = (url: string, secret?: string) =>
            t.app.inject({ url, headers: secret === undefined ? {} : { "order-secret": secret } });
        const absent = await lookup(`/orders/${randomUUID()}`, order.secret);
        assert.equal(absent.statusCode, 404);
        const denied = [
            await lookup(`/orders/${order.id}`),
            await lookup(`/orders/${order.id}`, ""),
            await lookup(`/orders/${order.id}`, randomBytes(32).toString("base64url")),
            await lookup(`/orders/${order.id}`, other.secret),
            await lookup(`/orders/${order.id}`, order.secret.slice(0, -1)),
            // Never from the URL: access logs keep query strings.
            await lookup(`/orders/${order.id}?secret=${order.secret}`),
        ];
        for (const response of denied) {
            assert.equal(response.statusCode, 404);
            assert.deepEqual(response.json(), absent.json(), "no existence oracle");
        }
        const shown = await lookup(`/orders/${order.id}`, order.secret);
        assert.equal(shown.statusCode, 200);
        const { secret: _secret, ...withoutSecret } = order;
        assert.deepEqual(shown.json(), withoutSecret, "the secret is not echoed back");

        const ticket = order.tickets[1].id;
        const qrAbsent = await lookup(`/tickets/${randomUUID()}/qr.svg`, order.secret);
        for (const response of [
            await lookup(`/tickets/${ticket}/qr.svg`),
            await lookup(`/tickets/${ticket}/qr.svg`, other.secret),
        ]) {
            assert.equal(response.statusCode, 404);
            assert.deepEqual(response.json(), qrAbsent.json());
        }
        assert.equal((await lookup(`/tickets/${ticket}/qr.svg`, order.secret)).statusCode, 200);

        // A lost answer replayed with the same key brings back the same secret.
        const replay = await buy(t.app, event, key, 2);
        assert.equal(replay.statusCode, 200);
        assert.equal(replay.json().secret, order.secret);

        // Stored as a hash and a sealed copy; neither is the secret.
        const row = (
            await t.backend.writer.query<{ access_hash: Uint8Array; access_sealed: Uint8Array }>(
                "SELECT access_hash, access_sealed FROM orders WHERE id = $1",
                [order.id],
            )
        ).rows[0];
        assert.deepEqual(Buffer.from(row.access_hash), createHash("sha256").update(order.secret).digest());
        assert.ok(!Buffer.from(row.access_sealed).includes(Buffer.from(order.secret)));
    });

    it("logs route patterns only: no order or ticket id, code, secret, e-mail address or query string", async () => {
        let output = "";
        const logger = createLogger(
            "debug",
            "test",
            new Writable({
                write(chunk, _enc, done) {
                    output += chunk;
                    done();
                },
            }),
        );
        const app = await t.backend.app({ logger });
        const event = await createEvent(app, 5);
        const key = randomUUID();
        const email = `fan-${randomUUID().slice(0, 8)}@example.com`;
        const order = (await buy(app, event, key, 1, email)).json();
        const ticket = order.tickets[0];
        const marker = randomUUID();
        const secret = { "order-secret": order.secret };
        await app.inject({ url: `/orders/${order.id}?utm=${marker}`, headers: secret });
        await app.inject({ url: `/orders/${order.id}`, headers: { "order-secret": marker } });
        await app.inject({ url: `/tickets/${ticket.id}/qr.svg`, headers: secret });
        await app.inject({ url: `/no/such/${order.id}?secret=${order.secret}` });
        await app.inject({ method: "POST", url: "/checkins", payload: { code: ticket.code, gate: "north" } });
        await app.inject({
            method: "POST",
            url: "/checkins",
            payload: { code: ticket.code, gate: marker.slice(0, 8) },
        });

        const lines = output
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line));
        const routes = lines
            .filter((line) => line.msg === "request")
            .map((line) => `${line.method} ${line.route} ${line.statusCode}`);
        assert.ok(routes.includes("POST /events/:id/orders 201"), routes.join("\n"));
        assert.ok(routes.includes("GET /orders/:id 200"));
        assert.ok(routes.includes("GET /orders/:id 404"));
        assert.ok(routes.includes("GET /tickets/:id/qr.svg 200"));
        assert.ok(routes.includes("GET unmatched 404"));
        assert.ok(routes.includes("POST /checkins 409"));
        for (const [what, value] of Object.entries({
            "order id": order.id,
            "ticket id": ticket.id,
            "ticket code": ticket.code,
            "order secret": order.secret,
            "e-mail address": email,
            "Idempotency-Key": key,
            "query string": marker,
        })) {
            assert.ok(!output.includes(value), `${what} in the logs:\n${output}`);
        }
    });
}
