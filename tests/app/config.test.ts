import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { ConfigError, loadConfig } from "../../app/src/config";
import { connectionString } from "../../app/src/db/pg-database";
import { TicketSigner } from "../../app/src/tickets/codes";

const TOKEN = "0123456789abcdef0123456789abcdef";
const KEY = Buffer.alloc(32, 3).toString("base64");

describe("configuration", () => {
    it("defaults to the embedded mode on loopback, port 8080", () => {
        const config = loadConfig({});
        assert.equal(config.port, 8080);
        assert.equal(config.host, "127.0.0.1");
        assert.equal(config.databaseUrl, undefined);
        assert.equal(config.mailTransport, "file");
        assert.deepEqual(config.memcachedServers, []);
    });

    it("listens on every interface in containers and parses the service endpoints", () => {
        const config = loadConfig({
            DATABASE_URL: "postgres://db:5432/app",
            MEMCACHED_SERVERS: "a:11211, b:11211",
            MEMCACHED_TLS: "true",
            PORT: "9000",
        });
        assert.equal(config.host, "0.0.0.0");
        assert.equal(config.port, 9000);
        assert.deepEqual(config.memcachedServers, ["a:11211", "b:11211"]);
        assert.equal(config.memcachedTls, true);
    });

    it("refuses to start in production without the database, admin token and signing key", () => {
        assert.throws(
            () => loadConfig({ NODE_ENV: "production" }),
            (error: Error) =>
                error instanceof ConfigError &&
                error.message === "NODE_ENV=production requires DATABASE_URL, ADMIN_TOKEN, TICKET_SIGNING_KEY",
        );
        assert.throws(
            () => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x/y", ADMIN_TOKEN: TOKEN }),
            /TICKET_SIGNING_KEY/,
        );
        const ok = loadConfig({
            NODE_ENV: "production",
            DATABASE_URL: "postgres://x/y",
            ADMIN_TOKEN: TOKEN,
            TICKET_SIGNING_KEY: KEY,
        });
        assert.equal(ok.shutdownDrainMs, 5000);
        assert.equal(
            ok.signer!.publicKeys()[0].publicKey,
            new TicketSigner(Buffer.alloc(32, 3)).publicKeys()[0].publicKey,
        );
    });

    it("rejects a short admin token and a signing key that is not 32 bytes, before anything connects", () => {
        const production = {
            NODE_ENV: "production",
            DATABASE_URL: "postgres://x/y",
            ADMIN_TOKEN: TOKEN,
            TICKET_SIGNING_KEY: KEY,
        };
        const rejects = (env: Record<string, string>, message: string) =>
            assert.throws(
                () => loadConfig({ ...production, ...env }),
                (error: Error) => {
                    assert.ok(error instanceof ConfigError, String(error));
                    assert.equal(error.message, message);
                    return true;
                },
            );
        rejects({ ADMIN_TOKEN: "x".repeat(31) }, "ADMIN_TOKEN must be at least 32 characters in production, got 31");
        rejects({ TICKET_SIGNING_KEY: "a" }, "TICKET_SIGNING_KEY must be base64 of exactly 32 bytes, got 0 bytes");
        rejects(
            { TICKET_SIGNING_KEY: Buffer.alloc(31, 1).toString("base64") },
            "TICKET_SIGNING_KEY must be base64 of exactly 32 bytes, got 31 bytes",
        );
        rejects(
            { TICKET_SIGNING_KEY: Buffer.alloc(33, 1).toString("base64") },
            "TICKET_SIGNING_KEY must be base64 of exactly 32 bytes, got 33 bytes",
        );
        rejects(
            { TICKET_SIGNING_KEY: `${KEY.slice(0, 10)}!${KEY.slice(11)}` },
            "TICKET_SIGNING_KEY must be base64 of exactly 32 bytes; it contains characters outside base64",
        );
        rejects(
            { TICKET_SIGNING_KEY_ID: "has space" },
            'TICKET_SIGNING_KEY_ID must be 1-32 characters of A-Z a-z 0-9 _ -, got "has space"',
        );
        assert.equal(loadConfig({ ...production, ADMIN_TOKEN: "x".repeat(32) }).adminToken, "x".repeat(32));
        // Outside production a short token is the operator's business; a broken key never is.
        assert.equal(loadConfig({ ADMIN_TOKEN: "t" }).adminToken, "t");
        assert.throws(() => loadConfig({ TICKET_SIGNING_KEY: "a" }), ConfigError);
    });

    it("rejects malformed values with the variable's name", () => {
        assert.throws(() => loadConfig({ PORT: "http" }), /PORT must be an integer/);
        assert.throws(() => loadConfig({ MAIL_TRANSPORT: "smtp" }), /MAIL_TRANSPORT/);
        assert.throws(() => loadConfig({ MEMCACHED_SERVERS: "nohost" }), /host:port/);
        assert.throws(() => loadConfig({ MEMCACHED_TLS: "yes" }), /MEMCACHED_TLS/);
        assert.throws(
            () => loadConfig({ DATABASE_URL: "postgres://u:secret@db/app?sslmode=verify_full" }),
            (error: Error) =>
                error instanceof ConfigError &&
                /^DATABASE_URL: sslmode must be one of disable, .*, got "verify_full"$/.test(error.message),
        );
        assert.throws(
            () => loadConfig({ DATABASE_URL: "mysql://u:secret@db/app" }),
            /^Error: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
        );
        assert.throws(
            () => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: "0" }),
            /DATABASE_CONNECT_TIMEOUT_MS must be an integer between 100 and 60000, got "0"/,
        );
        assert.throws(() => loadConfig({ PURCHASE_DEADLINE_MS: "soon" }), /PURCHASE_DEADLINE_MS must be an integer/);
        const timeouts = loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: "750", PURCHASE_DEADLINE_MS: "3000" });
        assert.deepEqual([timeouts.databaseConnectTimeoutMs, timeouts.purchaseDeadlineMs], [750, 3000]);
        assert.deepEqual([loadConfig({}).databaseConnectTimeoutMs, loadConfig({}).purchaseDeadlineMs], [2000, 5000]);
    });

    it("lets DATABASE_USER / DATABASE_PASSWORD override the URL's credentials, URL-encoded", () => {
        const url = connectionString({
            url: "postgres://old:secret@db:5432/app?sslmode=verify-full",
            user: "boxoffice",
            password: "p@ss:/#",
        });
        const parsed = new URL(url);
        assert.equal(decodeURIComponent(parsed.username), "boxoffice");
        assert.equal(decodeURIComponent(parsed.password), "p@ss:/#");
        assert.equal(parsed.searchParams.get("sslmode"), "verify-full");
        assert.equal(connectionString({ url: "postgres://u:p@db/app" }), "postgres://u:p@db/app");
    });

    it("makes the server and the worker exit on a bad secret without ever connecting to the database", async function () {
        this.timeout(120_000); // two fresh processes compile the service: slow on a busy machine
        // A stand-in database that counts connection attempts.
        let connections = 0;
        const fakeDb = net.createServer((socket) => {
            connections++;
            socket.destroy();
        });
        await new Promise<void>((resolve) => fakeDb.listen(0, "127.0.0.1", resolve));
        const port = (fakeDb.address() as net.AddressInfo).port;
        const run = (entry: string, env: Record<string, string>) =>
            new Promise<{ code: number | null; stderr: string }>((resolve) => {
                const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", entry], {
                    cwd: path.resolve(__dirname, "../.."),
                    env: {
                        ...process.env,
                        NODE_ENV: "production",
                        DATABASE_URL: `postgres://u@127.0.0.1:${port}/db?sslmode=disable`,
                        REDIS_URL: "",
                        MEMCACHED_SERVERS: "",
                        ...env,
                    },
                    stdio: ["ignore", "ignore", "pipe"],
                });
                let stderr = "";
                child.stderr!.on("data", (chunk) => (stderr += chunk));
                child.once("exit", (code) => resolve({ code, stderr }));
            });
        try {
            const [server, worker] = await Promise.all([
                run("app/src/server.ts", { ADMIN_TOKEN: "short", TICKET_SIGNING_KEY: KEY }),
                run("app/src/worker.ts", {
                    ADMIN_TOKEN: TOKEN,
                    TICKET_SIGNING_KEY: Buffer.alloc(16).toString("base64"),
                }),
            ]);
            assert.equal(server.code, 1);
            assert.match(
                server.stderr,
                /^boxoffice: ADMIN_TOKEN must be at least 32 characters in production, got 5\n$/,
            );
            assert.equal(worker.code, 1);
            assert.match(
                worker.stderr,
                /^boxoffice worker: TICKET_SIGNING_KEY must be base64 of exactly 32 bytes, got 16 bytes\n$/,
            );
            assert.equal(connections, 0);
        } finally {
            fakeDb.close();
        }
    });
});
