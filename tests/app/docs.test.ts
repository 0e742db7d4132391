import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../app/src/app";
import { MemoryCache } from "../../app/src/cache/cache";
import type { Database } from "../../app/src/db/database";
import { LocalModeStore } from "../../app/src/mode-store";
import { Stores } from "../../app/src/services/stores";
import { TicketSigner } from "../../app/src/tickets/codes";

/** Every method and full path of the app's router, from Fastify's own route tree (printRoutes). */
function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
    const routes: Array<{ method: string; url: string }> = [];
    const stack: Array<{ indent: number; path: string }> = [];
    for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
        const match = /^([\s│]*)[└├]── (.+?) \(([A-Z, ]+)\)$/.exec(line);
        if (!match) continue;
        const indent = match[1].length;
        while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
        const path = (stack[stack.length - 1]?.path ?? "") + match[2];
        stack.push({ indent, path });
        for (const method of match[3].split(", ")) routes.push({ method, url: path });
    }
    return routes;
}

describe("OpenAPI document, /docs and GET /", () => {
    let app: FastifyInstance;
    before(async () => {
        // No request here reaches the database; building the app does not either.
        const db = { query: async () => ({ rows: [], rowCount: 0 }), kind: "pglite" } as unknown as Database;
        app = await buildApp({
            stores: new Stores(db),
            cache: new MemoryCache(),
            mode: new LocalModeStore(),
            signer: new TicketSigner(Buffer.alloc(32, 7)),
            adminToken: "t",
        });
        await app.ready();
    });
    after(async () => app.close());

    it("describes every route the app registers (HEAD and the documentation's own files aside)", async () => {
        const response = await app.inject("/docs/json");
        assert.equal(response.statusCode, 200);
        const doc = response.json();
        assert.equal(doc.openapi, "3.1.0");
        const routes = registeredRoutes(app).filter((r) => r.method !== "HEAD" && !r.url.startsWith("/docs"));
        assert.ok(routes.length >= 20, `found ${routes.length} routes in the router`);
        for (const route of routes) {
            const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
            const operation = doc.paths[path]?.[route.method.toLowerCase()];
            assert.ok(operation, `${route.method} ${route.url} is missing from the OpenAPI document`);
            assert.ok(operation.summary, `${route.method} ${route.url} has no summary`);
        }
        const join = doc.paths["/events/{id}/queue"].post;
        assert.ok(join.responses["201"].content["application/json"].schema.properties.queueTicket);
        const statusCall = doc.paths["/events/{id}/queue/{queueTicket}"].get;
        assert.ok(
            statusCall.parameters.some(
                (p: { in: string; name: string }) => p.in === "header" && p.name === "visitor-id",
            ),
        );
        const orders = doc.paths["/events/{id}/orders"].post;
        assert.ok(
            orders.parameters.some(
                (p: { in: string; name: string }) => p.in === "header" && p.name === "admission-token",
            ),
        );
        assert.deepEqual(doc.paths["/events/{id}/waiting-room"].post.security, [{ admin: [] }]);
    });

    it("serves the browsable documentation at /docs", async () => {
        const page = await app.inject("/docs");
        assert.equal(page.statusCode, 200);
        assert.match(page.headers["content-type"] as string, /text\/html/);
        assert.match(page.body, /swagger-ui/);
        const script = await app.inject("/docs/static/swagger-initializer.js");
        assert.equal(script.statusCode, 200);
    });

    it("tells a newcomer where to go at GET /, as JSON or as a page", async () => {
        const json = await app.inject("/");
        assert.equal(json.statusCode, 200);
        assert.deepEqual(Object.keys(json.json().links), [
            "docs",
            "openapi",
            "events",
            "queuePage",
            "health",
            "ready",
            "metrics",
        ]);
        const html = await app.inject({ url: "/", headers: { accept: "text/html,application/xhtml+xml" } });
        assert.match(html.headers["content-type"] as string, /text\/html/);
        for (const link of ['href="/docs"', 'href="/healthz"', 'href="/readyz"', "/events/&lt;eventId&gt;/queue"])
            assert.ok(html.body.includes(link), link);
    });

    it("serves the visitor page with a script policy that allows only its own inline code", async () => {
        const page = await app.inject("/events/6f1c2b7a-1111-4222-8333-944455556666/queue");
        assert.equal(page.statusCode, 200);
        assert.match(page.headers["content-type"] as string, /text\/html/);
        const csp = page.headers["content-security-policy"] as string;
        assert.match(csp, /default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
        assert.equal((await app.inject("/events/nope/queue")).statusCode, 400);
    });
});
