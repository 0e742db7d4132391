import assert from "node:assert/strict";
import { LEASE_MARGIN_MS, markWithRetry } from "../../app/src/outbox-mark";

describe("marking a sent confirmation", () => {
    it("retries through a failover (any error) until the mark succeeds", async () => {
        let calls = 0;
        const retried: unknown[] = [];
        await markWithRetry(
            async () => {
                calls++;
                if (calls < 3)
                    throw new Error(calls === 1 ? "Connection terminated unexpectedly" : "Query read timeout");
            },
            Date.now() + 60_000,
            (error) => retried.push(error),
        );
        assert.equal(calls, 3);
        assert.equal(retried.length, 2);
    });

    it("gives up when the lease leaves no room, so another worker's resend is the only copy", async () => {
        let calls = 0;
        await assert.rejects(
            markWithRetry(
                async () => {
                    calls++;
                    throw new Error("down");
                },
                Date.now() + LEASE_MARGIN_MS + 50,
            ),
            /down/,
        );
        assert.equal(calls, 1);
    });
});
