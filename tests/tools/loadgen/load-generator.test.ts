import assert from "node:assert/strict";
import { LoadGenerator, LoadGeneratorOptions } from "../../../tools/loadgen/load-generator";
import { steadyProfile } from "../../../tools/loadgen/profile";
import { EVENT_ID, FakeRequest, FakeServer, TICKET_TYPE_ID, eventually, json, orderBody } from "./fake-server";

/** The scheduling, bounds and client behaviour, against a server whose every answer the test decides. */
describe("load generator against a scripted server", function () {
    this.timeout(30_000);
    const servers: FakeServer[] = [];
    const generators: LoadGenerator[] = [];

    afterEach(async () => {
        for (const generator of generators.splice(0)) await generator.stop();
        for (const server of servers.splice(0)) await server.close();
    });

    async function serve(handler: (request: FakeRequest, server: FakeServer) => void, host?: string, port?: number) {
        const server = await FakeServer.start(handler, host, port);
        servers.push(server);
        return server;
    }

    function generator(options: Partial<LoadGeneratorOptions> & { baseUrl: string }): LoadGenerator {
        const created = new LoadGenerator({
            eventId: EVENT_ID,
            ticketTypeIds: [TICKET_TYPE_ID],
            profile: steadyProfile(20, 1),
            maxRequests: 1000,
            maxSeconds: 20,
            scanShare: 0,
            seed: 7,
            ...options,
        });
        generators.push(created);
        return created;
    }

    it("is open loop: every scheduled arrival is sent while no answer has come back", async () => {
        const held: FakeRequest[] = [];
        const server = await serve((request) => {
            held.push(request);
            // Answer nothing until all ten arrivals are in; a client that waits for answers never gets there
            // and its requests time out instead.
            if (held.length === 10) for (const r of held.splice(0)) json(r.res, 201, orderBody(r));
        });
        const run = generator({
            baseUrl: server.url,
            profile: steadyProfile(20, 0.5),
            timeoutMs: 5000,
            maxSeconds: 10,
        });
        run.start();
        await run.done;
        assert.equal(server.requests.length, 10);
        assert.ok(run.records.every((r) => r.status === 201 && r.attempt === 1));
        assert.equal(run.acknowledgedOrders().length, 10);
        assert.equal(run.summary().stopReason, "profile-complete");
    });

    it("caps requests in flight and counts the arrivals dropped at the cap", async () => {
        const held: FakeRequest[] = [];
        const server = await serve((request) => held.push(request));
        const run = generator({ baseUrl: server.url, profile: steadyProfile(20, 0.5), maxInFlight: 3, lookupShare: 1 });
        run.start();
        await eventually(() => run.summary().droppedAtCap === 7, "seven arrivals dropped at the cap");
        assert.equal(server.requests.length, 3);
        for (const request of held) json(request.res, 200, { id: EVENT_ID });
        await run.done;
        assert.equal(run.records.length, 3);
        assert.ok(run.records.every((r) => r.kind === "lookup" && r.status === 200));
        assert.ok(run.summary().notes.some((note) => note.startsWith("7 arrivals were dropped at the in-flight cap")));
    });

    it("points at the WAF's per-IP rate rule when answers turn 403, which the service never sends", async () => {
        const server = await serve((request) => {
            request.res.writeHead(403, { "content-type": "text/html" });
            request.res.end("<html>Forbidden</html>");
        });
        const run = generator({ baseUrl: server.url, profile: steadyProfile(10, 0.3) });
        run.start();
        await run.done;
        const summary = run.summary();
        assert.deepEqual(summary.errors, { "403": 3 });
        assert.equal(run.acknowledgedOrders().length, 0);
        assert.equal(summary.retries, 0, "a refusal is not an ambiguous outcome");
        assert.match(summary.notes.join("\n"), /3 answers were 403: .*WAF's per-IP rate rule/);
    });

    it("stops at maxRequests, leaving no retry owed beyond the budget", async () => {
        const server = await serve((request) => json(request.res, 201, orderBody(request)));
        const run = generator({ baseUrl: server.url, profile: steadyProfile(200, 10), maxRequests: 25 });
        run.start();
        await run.done;
        assert.equal(server.requests.length, 25);
        assert.equal(run.records.length, 25);
        assert.equal(run.summary().stopReason, "max-requests");
    });

    it("stops at maxSeconds: nothing is scheduled past it, and done resolves by itself", async () => {
        const server = await serve((request) => json(request.res, 201, orderBody(request)));
        const run = generator({ baseUrl: server.url, profile: steadyProfile(20, 600), maxSeconds: 1 });
        run.start();
        await run.done;
        const summary = run.summary();
        assert.equal(summary.stopReason, "max-seconds");
        const first = Math.min(...run.records.map((r) => r.startedAt));
        // Scheduled instants, not wall time: arrivals are 50 ms apart, none after the first second.
        assert.ok(run.records.length <= 20, `${run.records.length} requests in one second at 20/s`);
        assert.ok(run.records.every((r) => r.startedAt - first < 1000));
    });

    it("retries an ambiguous purchase with the same key and body until it is acknowledged", async () => {
        const tries = new Map<string, number>();
        const server = await serve((request) => {
            const key = String(request.headers["idempotency-key"]);
            const attempt = (tries.get(key) ?? 0) + 1;
            tries.set(key, attempt);
            if (attempt === 1) json(request.res, 503, { error: "database_unavailable" }, { "retry-after": "0" });
            else if (attempt === 2)
                request.res.socket?.destroy(); // the answer is lost on the way
            else json(request.res, 201, orderBody(request));
        });
        const run = generator({ baseUrl: server.url, profile: steadyProfile(10, 0.5) });
        run.start();
        await run.done;
        const orders = run.acknowledgedOrders();
        assert.equal(orders.length, 5);
        for (const order of orders) {
            const sent = server.requests.filter((r) => r.headers["idempotency-key"] === order.idempotencyKey);
            assert.equal(sent.length, 3);
            assert.ok(
                sent.every((r) => JSON.stringify(r.body) === JSON.stringify(sent[0].body)),
                "the body is the same on every try",
            );
            const records = run.records.filter((r) => r.idempotencyKey === order.idempotencyKey);
            assert.deepEqual(
                records.map((r) => [r.attempt, r.status]),
                [
                    [1, 503],
                    [2, 0],
                    [3, 201],
                ],
            );
            assert.equal(records[0].error, "database_unavailable");
            assert.equal(records[2].orderId, order.orderId);
        }
        assert.equal(run.summary().retries, 10);
    });

    it("times out a request that gets no answer, counts it as network, and retries it", async () => {
        const seen = new Set<string>();
        const server = await serve((request) => {
            const key = String(request.headers["idempotency-key"]);
            if (!seen.has(key))
                seen.add(key); // first try: never answered
            else json(request.res, 201, orderBody(request));
        });
        const run = generator({ baseUrl: server.url, profile: steadyProfile(10, 0.3), timeoutMs: 300 });
        run.start();
        await run.done;
        assert.equal(run.acknowledgedOrders().length, 3);
        const timeouts = run.records.filter((r) => r.status === 0);
        assert.equal(timeouts.length, 3);
        assert.ok(timeouts.every((r) => r.error === "timeout" && r.attempt === 1));
        assert.deepEqual(run.summary().errors, { network: 3 });
    });

    it("acknowledges an order only when a 2xx body names it", async () => {
        const tries = new Map<string, number>();
        const server = await serve((request) => {
            const key = String(request.headers["idempotency-key"]);
            const attempt = (tries.get(key) ?? 0) + 1;
            tries.set(key, attempt);
            if (attempt === 1)
                json(request.res, 201, { status: "confirmed" }); // no order id
            else json(request.res, 200, orderBody(request));
        });
        const run = generator({ baseUrl: server.url, profile: steadyProfile(10, 0.2) });
        run.start();
        await run.done;
        assert.equal(run.acknowledgedOrders().length, 2);
        const first = run.records.filter((r) => r.attempt === 1);
        assert.ok(first.every((r) => r.status === 201 && r.orderId === undefined && r.error === "2xx_without_order"));
    });

    it("scans each acknowledged ticket once, re-scans a share, and reports a code admitted twice", async () => {
        const admitted = new Set<string>();
        let honest = true;
        const handler = (request: FakeRequest) => {
            if (request.url.endsWith("/orders")) return json(request.res, 201, orderBody(request));
            const code = String(request.body.code);
            if (honest && admitted.has(code)) return json(request.res, 409, { error: "already_checked_in" });
            admitted.add(code);
            json(request.res, 200, { status: "admitted" });
        };
        const server = await serve(handler);
        const run = generator({
            baseUrl: server.url,
            profile: steadyProfile(100, 2),
            scanShare: 0.5,
            rescanShare: 0.2,
            quantity: { min: 1, max: 1 },
        });
        run.start();
        await run.done;
        const scans = server.requests.filter((r) => r.url === "/checkins");
        const firstScans = run.records.filter((r) => r.kind === "scan" && !r.rescan);
        const rescans = run.records.filter((r) => r.rescan);
        assert.ok(
            firstScans.length > 20 && rescans.length > 0,
            `${firstScans.length} scans, ${rescans.length} re-scans`,
        );
        assert.equal(
            new Set(scans.map((r) => r.body.code)).size,
            firstScans.length,
            "every first scan is a different code",
        );
        const bought = new Set(run.acknowledgedOrders().flatMap((order) => order.ticketCodes));
        assert.ok(
            scans.every((r) => bought.has(String(r.body.code))),
            "only codes of acknowledged orders are scanned",
        );
        assert.ok(rescans.every((r) => r.status === 409));
        assert.equal(run.summary().codesAdmittedTwice, 0);

        // A service that admits everything: the re-scans expose it.
        honest = false;
        admitted.clear();
        const broken = generator({
            baseUrl: server.url,
            profile: steadyProfile(100, 1),
            scanShare: 0.5,
            rescanShare: 0.3,
            quantity: { min: 1, max: 1 },
        });
        broken.start();
        await broken.done;
        const codes = broken.admissions().map((a) => a.code);
        assert.ok(codes.length > new Set(codes).size, "the list of admissions holds a code twice");
        assert.ok(broken.summary().codesAdmittedTwice > 0);
    });

    it("resolves the name per new connection and follows it when it moves, while the old address still answers", async () => {
        // Two servers on one port, on two loopback addresses: a name that moves from one to the other.
        let pair: [FakeServer, FakeServer] | undefined;
        for (let tries = 0; !pair && tries < 5; tries++) {
            const first = await serve((request) => json(request.res, 200, { id: EVENT_ID }));
            try {
                pair = [
                    first,
                    await serve((request) => json(request.res, 200, { id: EVENT_ID }), "127.0.0.2", first.port),
                ];
            } catch {
                await first.close(); // the port is taken on 127.0.0.2: pick another
            }
        }
        assert.ok(pair, "two loopback addresses with one port");
        const [first, second] = pair;
        let address = "127.0.0.1";
        const asked: string[] = [];
        const run = generator({
            baseUrl: `http://tickets.rehearsal.test:${first.port}`,
            profile: steadyProfile(50, 60),
            lookupShare: 1,
            connectionMaxAgeMs: 200,
            lookup: async (host) => {
                asked.push(host);
                return address;
            },
        });
        run.start();
        await eventually(() => first.requests.length >= 10, "requests reach the first address");
        address = "127.0.0.2"; // the name moves; the first server keeps answering on its open connections
        await eventually(() => second.requests.length >= 10, "requests follow the name to the second address");
        await run.stop();
        assert.ok(asked.length >= 2 && asked.every((host) => host === "tickets.rehearsal.test"));
        assert.ok(run.records.every((r) => r.status === 200));
        assert.ok(run.summary().connectionsOpened >= 2);
    });

    it("records a request node refuses to build as a failure of that request, without ending the run", async () => {
        const server = await serve((request) => json(request.res, 200, {}));
        const run = generator({
            baseUrl: server.url,
            profile: steadyProfile(10, 0.3),
            lookupShare: 1,
            headers: { "x-note": "two\nlines" },
        });
        run.start();
        await run.done;
        assert.equal(server.requests.length, 0);
        assert.ok(
            run.records.length === 3 && run.records.every((r) => r.status === 0 && r.error === "ERR_INVALID_CHAR"),
        );
    });

    it("counts a lookup hook that answers no address as a network error", async () => {
        const server = await serve((request) => json(request.res, 200, {}));
        const run = generator({
            baseUrl: `http://nowhere.test:${server.port}`,
            profile: steadyProfile(10, 0.3),
            lookupShare: 1,
            lookup: async () => "not-an-ip",
        });
        run.start();
        await run.done;
        assert.equal(server.requests.length, 0);
        assert.ok(run.records.length === 3 && run.records.every((r) => r.status === 0 && r.error === "EBADLOOKUP"));
    });
});
