import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { MemcachedCache } from "../../app/src/cache/cache";
import { MemcachedClient } from "../../app/src/cache/memcached-client";
import { REAL_ENV, closedPort } from "./helpers/harness";

/** A loopback stand-in that answers in tiny chunks (or never), to exercise the parser and timeouts. */
async function fakeServer(mode: "chunked" | "silent"): Promise<{ port: number; close: () => Promise<void> }> {
    const store = new Map<string, string>();
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        let buffer = "";
        socket.on("data", (chunk) => {
            if (mode === "silent") return;
            buffer += chunk.toString("latin1"); // one char per byte, like the protocol counts
            let reply = "";
            for (;;) {
                const end = buffer.indexOf("\r\n");
                if (end < 0) break;
                const [command, key, , , length] = buffer.slice(0, end).split(" ");
                if (command === "set") {
                    const dataEnd = end + 2 + Number(length);
                    if (buffer.length < dataEnd + 2) break;
                    store.set(key, buffer.slice(end + 2, dataEnd));
                    buffer = buffer.slice(dataEnd + 2);
                    reply += "STORED\r\n";
                    continue;
                }
                buffer = buffer.slice(end + 2);
                if (command === "get") {
                    const value = store.get(key);
                    const bytes = value === undefined ? 0 : value.length;
                    reply += value === undefined ? "END\r\n" : `VALUE ${key} 0 ${bytes}\r\n${value}\r\nEND\r\n`;
                } else if (command === "delete") {
                    reply += store.delete(key) ? "DELETED\r\n" : "NOT_FOUND\r\n";
                }
            }
            // Three bytes at a time: replies split at every possible place.
            const bytes = Buffer.from(reply, "latin1");
            for (let i = 0; i < bytes.length; i += 3) socket.write(bytes.subarray(i, i + 3));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        close: async () => {
            for (const socket of sockets) socket.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

describe("memcached client", () => {
    it("gets, sets and deletes over replies split into tiny chunks, pipelined", async () => {
        const server = await fakeServer("chunked");
        const client = new MemcachedClient({ servers: [`127.0.0.1:${server.port}`], timeoutMs: 1000 });
        try {
            const value = JSON.stringify({ name: "Zürich 🎫", n: "x".repeat(5000) });
            await client.set("event:1", value, 2);
            const results = await Promise.all([client.get("event:1"), client.get("missing"), client.get("event:1")]);
            assert.deepEqual(results, [value, undefined, value]);
            await client.delete("event:1");
            assert.equal(await client.get("event:1"), undefined);
        } finally {
            client.close();
            await server.close();
        }
    });

    it("rejects fast when the server is down or silent, and the cache turns that into misses", async () => {
        const silent = await fakeServer("silent");
        const down = await closedPort();
        // Marked down for a minute after a failure, so the second call below finds it down however slow the machine.
        const client = new MemcachedClient({
            servers: [`127.0.0.1:${silent.port}`],
            timeoutMs: 100,
            retryAfterMs: 60_000,
        });
        const cache = new MemcachedCache({ servers: [`127.0.0.1:${down}`], timeoutMs: 100 });
        const failures: string[] = [];
        cache.onError = (operation) => failures.push(operation);
        try {
            const started = Date.now();
            await assert.rejects(client.get("k"), /timed out/);
            assert.ok(Date.now() - started < 10_000, "a silent server must not hold a request"); // it would wait forever
            // Marked down for a moment: the next call fails at once instead of waiting again.
            await assert.rejects(client.get("k"), /marked down/);
            assert.equal(await cache.get("k"), undefined);
            await cache.set("k", "v", 2);
            await cache.delete("k");
            assert.deepEqual(failures, ["get", "set", "delete"]);
        } finally {
            client.close();
            await cache.close();
            await silent.close();
        }
    });

    it("refuses keys memcached cannot hold", async () => {
        const client = new MemcachedClient({ servers: ["127.0.0.1:1"] });
        assert.throws(() => client.get("has space"), /printable/);
        client.close();
    });

    it("works against a real memcached", async function () {
        if (!REAL_ENV.memcached) this.skip(); // needs BOXOFFICE_TEST_MEMCACHED_SERVERS
        const client = new MemcachedClient({ servers: REAL_ENV.memcached!.split(",") });
        const key = `bxtest:${randomBytes(4).toString("hex")}`;
        try {
            await client.set(key, "hello", 2);
            assert.equal(await client.get(key), "hello");
            await client.delete(key);
            assert.equal(await client.get(key), undefined);
        } finally {
            client.close();
        }
    });
});
