import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { tlsSettings } from "../../app/src/db/tls";
import { REAL_ENV } from "./helpers/harness";
import { probeCases } from "./helpers/tls-probe";
import { PgTlsProxy, TestPki, makeTestPki } from "./helpers/pg-tls-proxy";

const ROOT = path.resolve(__dirname, "../..");
const run = promisify(execFile);

/** Connects from a fresh process whose NODE_EXTRA_CA_CERTS is `caFile`, as the image does. */
async function probe(caFile: string, cases: Array<{ name: string; url: string; tlsByDefault: boolean }>) {
    const { PGSSLMODE: _mode, PGSSLROOTCERT: _root, NODE_EXTRA_CA_CERTS: _ca, ...env } = process.env;
    const { stdout, stderr } = await run(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "tests/app/helpers/tls-probe.ts", JSON.stringify(cases)],
        { cwd: ROOT, env: { ...env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 60_000 },
    );
    return { results: JSON.parse(stdout) as Record<string, string>, stderr };
}

describe("TLS to PostgreSQL is verified against the CA bundle", function () {
    this.timeout(90_000);
    let dir: string;
    let pki: TestPki;
    const proxies: PgTlsProxy[] = [];
    let cases: Array<{ name: string; url: string; tlsByDefault: boolean }>;
    let plainProxy: PgTlsProxy;

    before(async function () {
        if (!REAL_ENV.database) this.skip(); // the TLS front relays to the PostgreSQL at BOXOFFICE_TEST_DATABASE_URL
        dir = await mkdtemp(path.join(os.tmpdir(), "boxoffice-tls-"));
        pki = await makeTestPki(dir);
        const target = new URL(REAL_ENV.database!);
        const start = async (files: { key: string; cert: string }) => {
            const proxy = new PgTlsProxy(
                { key: await readFile(files.key), cert: await readFile(files.cert) },
                { host: target.hostname, port: Number(target.port || 5432) },
            );
            proxies.push(proxy);
            return { proxy, port: await proxy.start() };
        };
        const good = await start(pki.good);
        const misnamed = await start(pki.misnamed);
        plainProxy = good.proxy;
        const url = (port: number, query: string) => {
            const u = new URL(REAL_ENV.database!);
            u.hostname = "127.0.0.1";
            u.port = String(port);
            u.search = query;
            return u.toString();
        };
        cases = [
            { name: "verify-full", url: url(good.port, "sslmode=verify-full"), tlsByDefault: false },
            { name: "require", url: url(good.port, "sslmode=require"), tlsByDefault: false },
            // libpq's meaning of require (no verification), which pg says it will adopt: still verified here.
            { name: "require-libpq", url: url(good.port, "sslmode=require&uselibpqcompat=true"), tlsByDefault: false },
            { name: "production-default", url: url(good.port, ""), tlsByDefault: true },
            { name: "verify-full-misnamed", url: url(misnamed.port, "sslmode=verify-full"), tlsByDefault: false },
            { name: "require-misnamed", url: url(misnamed.port, "sslmode=require"), tlsByDefault: false },
            { name: "no-verify", url: url(good.port, "sslmode=no-verify"), tlsByDefault: false },
            { name: "disable", url: url(good.port, "sslmode=disable"), tlsByDefault: true },
        ];
    });

    after(async () => {
        for (const proxy of proxies) await proxy.close();
        if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("connects with the right CA bundle, refuses a certificate for another host name, and warns about nothing", async () => {
        const { results, stderr } = await probe(pki.caFile, cases);
        assert.deepEqual(results, {
            "verify-full": "ok",
            require: "ok",
            "require-libpq": "ok",
            "production-default": "ok",
            "verify-full-misnamed": "ERR_TLS_CERT_ALTNAME_INVALID",
            "require-misnamed": "ERR_TLS_CERT_ALTNAME_INVALID",
            "no-verify": "ok",
            disable: "ok",
        });
        assert.ok(plainProxy.sessions.includes("plain"), "sslmode=disable connects without TLS");
        assert.doesNotMatch(stderr, /SECURITY WARNING/, "no sslmode is left for node-postgres to reinterpret");
    });

    it("refuses the server with a CA bundle that did not sign its certificate, except with sslmode=no-verify", async () => {
        // The test process itself trusts Node's CAs only (plus whatever NODE_EXTRA_CA_CERTS it was started
        // with, never this run's throwaway CA): the same situation without a second child process.
        const results = await probeCases(cases);
        const refused = [
            "verify-full",
            "require",
            "require-libpq",
            "production-default",
            "verify-full-misnamed",
            "require-misnamed",
        ];
        for (const name of refused) {
            assert.match(
                results[name],
                /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/,
                `${name}: ${results[name]}`,
            );
        }
        assert.equal(results["no-verify"], "ok", "the explicit opt-out is the only unverified mode");
        assert.equal(results.disable, "ok");
    });

    it("maps every sslmode to verified TLS, except disable and no-verify", () => {
        const base = "postgres://u:p@db.example:5432/app";
        for (const mode of ["allow", "prefer", "require", "verify-ca", "verify-full"]) {
            const settings = tlsSettings(`${base}?sslmode=${mode}&application_name=x`, false);
            assert.deepEqual(
                settings,
                { connectionString: `${base}?application_name=x`, ssl: { rejectUnauthorized: true } },
                mode,
            );
        }
        assert.deepEqual(tlsSettings(`${base}?sslmode=disable`, true).ssl, false);
        assert.deepEqual(tlsSettings(`${base}?sslmode=no-verify`, true).ssl, { rejectUnauthorized: false });
        assert.deepEqual(tlsSettings(base, true), { connectionString: base, ssl: { rejectUnauthorized: true } });
        assert.deepEqual(tlsSettings(base, false), { connectionString: base, ssl: undefined });
        assert.throws(
            () => tlsSettings(`${base}?sslmode=verify_full`, true),
            /sslmode must be one of .*, got "verify_full"/,
        );
    });
});
