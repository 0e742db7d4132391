import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../app/src/config";
import { createLogger } from "../../app/src/logging";
import { createRuntime } from "../../app/src/runtime";
import { KEY_FILE_NAME, loadOrCreateSeed } from "../../app/src/signing-key";
import { REAL_ENV, freshDatabase } from "./helpers/harness";

const quiet = createLogger("silent");

describe("ticket signing key from the data directory", () => {
    let root: string;
    beforeEach(async () => {
        root = await mkdtemp(path.join(os.tmpdir(), "boxoffice-key-"));
    });
    afterEach(async () => {
        await rm(root, { recursive: true, force: true });
    });

    it("creates a missing data directory and a key (mode 0600), then keeps returning that key", async () => {
        const dataDir = path.join(root, "not", "there", "yet");
        const seed = await loadOrCreateSeed(dataDir);
        assert.equal(seed.length, 32);
        const file = path.join(dataDir, KEY_FILE_NAME);
        assert.equal((await stat(file)).mode & 0o777, 0o600);
        assert.deepEqual(await loadOrCreateSeed(dataDir), seed);
        const [a, b] = await Promise.all([
            loadOrCreateSeed(path.join(root, "race")),
            loadOrCreateSeed(path.join(root, "race")),
        ]);
        assert.deepEqual(a, b, "two processes starting at once must end up with one key");
    });

    it("names the key file when it is empty or damaged, and leaves it as it was", async () => {
        const file = path.join(root, KEY_FILE_NAME);
        for (const [content, message] of [
            ["", `the ticket signing key file ${file} is empty; restore the file`],
            ["  \n", `the ticket signing key file ${file} is empty; restore the file`],
            [
                Buffer.alloc(16, 1).toString("base64"),
                `the ticket signing key file ${file} must be base64 of exactly 32 bytes, got 16 bytes; restore`,
            ],
            [
                "not base64!",
                `the ticket signing key file ${file} must be base64 of exactly 32 bytes; it contains characters outside base64; restore`,
            ],
        ]) {
            await writeFile(file, content);
            await assert.rejects(loadOrCreateSeed(root), (error: Error) => {
                assert.ok(error instanceof ConfigError, String(error));
                assert.ok(error.message.startsWith(message), error.message);
                assert.doesNotMatch(
                    error.message,
                    /TICKET_SIGNING_KEY/,
                    "the message is about the file, not the variable",
                );
                return true;
            });
            assert.equal(await readFile(file, "utf8"), content, "the damaged key must not be replaced");
        }
    });

    it("never generates a new key when the file exists but cannot be read", async () => {
        // A directory where the key file should be: reading fails with EISDIR, not ENOENT.
        const file = path.join(root, KEY_FILE_NAME);
        await mkdir(file);
        await assert.rejects(loadOrCreateSeed(root), (error: Error) => {
            assert.ok(error instanceof ConfigError);
            assert.match(
                error.message,
                new RegExp(`cannot read the ticket signing key ${file} \\(EISDIR\\); refusing to start`),
            );
            return true;
        });
        assert.deepEqual(await readdir(file), [], "nothing was written");
    });

    it("stops the start-up on a bad key file before connecting to the database", async () => {
        let connections = 0;
        const fakeDb = net.createServer((socket) => {
            connections++;
            socket.destroy();
        });
        await new Promise<void>((resolve) => fakeDb.listen(0, "127.0.0.1", resolve));
        try {
            await writeFile(path.join(root, KEY_FILE_NAME), "");
            const port = (fakeDb.address() as net.AddressInfo).port;
            const config = loadConfig({
                DATABASE_URL: `postgres://u@127.0.0.1:${port}/db?sslmode=disable`,
                BOXOFFICE_DATA_DIR: root,
            });
            await assert.rejects(createRuntime(config, quiet), /ticket signing key file .* is empty/);
            assert.equal(connections, 0);
        } finally {
            fakeDb.close();
        }
    });

    it("starts with DATABASE_URL set and a data directory that does not exist (PostgreSQL)", async function () {
        if (!REAL_ENV.database) this.skip(); // needs BOXOFFICE_TEST_DATABASE_URL
        const database = await freshDatabase(REAL_ENV.database!);
        const dataDir = path.join(root, "missing");
        try {
            const runtime = await createRuntime(
                loadConfig({ DATABASE_URL: database.url, BOXOFFICE_DATA_DIR: dataDir }),
                quiet,
            );
            try {
                assert.equal(runtime.embedded, false);
                assert.equal((await readFile(path.join(dataDir, KEY_FILE_NAME), "utf8")).length, 44);
                const tables = await runtime.stores.writer.query<{ n: number }>(
                    "SELECT count(*)::int AS n FROM schema_migrations",
                );
                assert.ok(tables.rows[0].n >= 1, "migrations ran");
            } finally {
                await runtime.close();
            }
        } finally {
            await database.drop();
        }
    });
});
