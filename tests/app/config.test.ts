import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../app/src/config";
import { connectionString } from "../../app/src/db/pg-database";

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
      (error: Error) => error instanceof ConfigError && error.message === "NODE_ENV=production requires DATABASE_URL, ADMIN_TOKEN, TICKET_SIGNING_KEY",
    );
    assert.throws(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x/y", ADMIN_TOKEN: "t" }), /TICKET_SIGNING_KEY/);
    const ok = loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x/y", ADMIN_TOKEN: "t", TICKET_SIGNING_KEY: "a" });
    assert.equal(ok.shutdownDrainMs, 5000);
  });

  it("rejects malformed values with the variable's name", () => {
    assert.throws(() => loadConfig({ PORT: "http" }), /PORT must be an integer/);
    assert.throws(() => loadConfig({ MAIL_TRANSPORT: "smtp" }), /MAIL_TRANSPORT/);
    assert.throws(() => loadConfig({ MEMCACHED_SERVERS: "nohost" }), /host:port/);
    assert.throws(() => loadConfig({ MEMCACHED_TLS: "yes" }), /MEMCACHED_TLS/);
  });

  it("lets DATABASE_USER / DATABASE_PASSWORD override the URL's credentials, URL-encoded", () => {
    const url = connectionString({ url: "postgres://old:secret@db:5432/app?sslmode=verify-full", user: "boxoffice", password: "p@ss:/#" });
    const parsed = new URL(url);
    assert.equal(decodeURIComponent(parsed.username), "boxoffice");
    assert.equal(decodeURIComponent(parsed.password), "p@ss:/#");
    assert.equal(parsed.searchParams.get("sslmode"), "verify-full");
    assert.equal(connectionString({ url: "postgres://u:p@db/app" }), "postgres://u:p@db/app");
  });
});
