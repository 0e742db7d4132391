/**
 * The rehearsal's PostgreSQL servers (Debian's binaries, run as the postgres user, data in the run
 * directory): create the primary, clone standbys and replicas, rewind a failed primary into a standby,
 * and the administrative queries the failover controller and the drill use.
 */
import { execFileSync } from "node:child_process";
import {
    appendFileSync,
    chownSync,
    copyFileSync,
    existsSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    rmSync,
    writeFileSync,
} from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { commonConf, hbaConf, REPLICATION_USER, standbyConf } from "./postgres-config";
import { must, run, startDaemon, waitFor } from "./sh";
import { Host } from "./topology";

export interface PgCluster {
    runDir: string;
    subnet: string;
    caFile: string;
    certFile: string;
    keyFile: string;
    passwords: { postgres: string; replicator: string; app: string };
    appUser: string;
    appDatabase: string;
}

const PG_USER = "postgres";

export function pgBinDir(): string {
    const base = "/usr/lib/postgresql";
    const versions = existsSync(base)
        ? readdirSync(base).filter((v) => existsSync(path.join(base, v, "bin", "postgres")))
        : [];
    if (versions.length === 0)
        throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
    return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

const bin = (tool: string) => path.join(pgBinDir(), tool);
export const dataDir = (c: PgCluster, h: Host) => path.join(c.runDir, "pg", h.name);
const socketDir = (c: PgCluster, h: Host) => path.join(c.runDir, "pg", `${h.name}.sock`);
const logFile = (c: PgCluster, h: Host) => path.join(c.runDir, "logs", `${h.name}.log`);

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
    return (ids ??= {
        uid: Number(execFileSync("id", ["-u", PG_USER]).toString()),
        gid: Number(execFileSync("id", ["-g", PG_USER]).toString()),
    });
}

function ownedDir(dir: string, mode: number): void {
    mkdirSync(dir, { recursive: true, mode });
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
}

/** Puts the run's certificate into a data directory (PostgreSQL wants its key private to its user). */
function installCertificate(c: PgCluster, dir: string): void {
    const { uid, gid } = postgresIds();
    for (const [from, to] of [
        [c.certFile, "server.crt"],
        [c.keyFile, "server.key"],
    ]) {
        copyFileSync(from, path.join(dir, to));
        chownSync(path.join(dir, to), uid, gid);
    }
}

function writeOwned(file: string, text: string): void {
    writeFileSync(file, text, { mode: 0o600 });
    const { uid, gid } = postgresIds();
    chownSync(file, uid, gid);
}

/** Starts a server listening on its own address only; its unix socket lives in the run directory. */
export function startServer(c: PgCluster, h: Host): number {
    ownedDir(socketDir(c, h), 0o755);
    return startDaemon(
        [
            bin("postgres"),
            "-D",
            dataDir(c, h),
            "-c",
            `listen_addresses=${h.ip}`,
            "-c",
            "port=5432",
            "-c",
            `unix_socket_directories=${socketDir(c, h)}`,
            "-c",
            `cluster_name=${h.name}`,
        ],
        { ns: h.ns, user: PG_USER, logFile: logFile(c, h) },
    );
}

export async function stopServer(c: PgCluster, h: Host, mode: "fast" | "immediate" = "fast"): Promise<void> {
    await run([bin("pg_ctl"), "stop", "-D", dataDir(c, h), "-m", mode, "-w", "-t", "30"], { ns: h.ns, user: PG_USER });
}

/** Connects as the superuser over TLS, verifying the server's certificate against the run's CA. */
export async function adminQuery<R = Record<string, unknown>>(
    c: PgCluster,
    host: string,
    sql: string,
    params: unknown[] = [],
    timeoutMs = 2000,
): Promise<R[]> {
    const client = new Client({
        host,
        port: 5432,
        user: PG_USER,
        password: c.passwords.postgres,
        database: "postgres",
        ssl: { ca: readFileSync(c.caFile, "utf8"), servername: host },
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        statement_timeout: timeoutMs,
        application_name: "rehearsal-control",
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
        const result = await client.query(sql, params);
        return result.rows as R[];
    } finally {
        client.end().catch(() => undefined);
    }
}

export async function waitReady(c: PgCluster, h: Host, timeoutMs = 30_000): Promise<void> {
    await waitFor(
        `PostgreSQL on ${h.name}`,
        async () => (await adminQuery(c, h.fqdn, "SELECT 1 AS ok"))[0]?.ok === 1,
        timeoutMs,
        200,
    );
}

/** A fresh primary: initdb, the shared settings, roles for the app and for replication, the app's database. */
export async function initPrimary(c: PgCluster, h: Host): Promise<number> {
    ownedDir(path.join(c.runDir, "pg"), 0o755);
    const dir = dataDir(c, h);
    ownedDir(dir, 0o700);
    await must(
        [
            bin("initdb"),
            "-D",
            dir,
            "-U",
            PG_USER,
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-instructions",
        ],
        { user: PG_USER },
    );
    writeOwned(path.join(dir, "rehearsal.conf"), commonConf());
    appendFileSync(path.join(dir, "postgresql.conf"), "\ninclude 'rehearsal.conf'\n");
    writeOwned(path.join(dir, "pg_hba.conf"), hbaConf(c.subnet));
    installCertificate(c, dir);
    const pid = startServer(c, h);
    // Roles over the local socket (peer), before any password exists.
    const psql = (sql: string) =>
        must(
            [
                bin("psql"),
                "-h",
                socketDir(c, h),
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-c",
                sql,
            ],
            { user: PG_USER },
        );
    await waitFor(
        `initial start of ${h.name}`,
        async () => (await run([bin("pg_isready"), "-h", socketDir(c, h), "-q"])).code === 0,
        30_000,
        200,
    );
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    await psql(`ALTER ROLE ${PG_USER} PASSWORD ${lit(c.passwords.postgres)}`);
    await psql(`CREATE ROLE ${REPLICATION_USER} LOGIN REPLICATION PASSWORD ${lit(c.passwords.replicator)}`);
    await psql(`CREATE ROLE ${c.appUser} LOGIN PASSWORD ${lit(c.passwords.app)}`);
    await psql(`CREATE DATABASE ${c.appDatabase} OWNER ${c.appUser}`);
    return pid;
}

/** Clones a server from `source` with pg_basebackup and makes it a standby streaming from `streamFrom`. */
export async function cloneStandby(
    c: PgCluster,
    h: Host,
    source: Host,
    streamFrom: string,
    applicationName: string,
): Promise<number> {
    const dir = dataDir(c, h);
    rmSync(dir, { recursive: true, force: true });
    ownedDir(dir, 0o700);
    await must(
        [
            bin("pg_basebackup"),
            "-D",
            dir,
            "-X",
            "stream",
            "-c",
            "fast",
            "-d",
            `host=${source.fqdn} port=5432 user=${REPLICATION_USER} sslmode=verify-full sslrootcert=${c.caFile}`,
        ],
        { ns: h.ns, user: PG_USER, env: { PGPASSWORD: c.passwords.replicator }, timeoutMs: 120_000 },
    );
    return becomeStandby(c, h, streamFrom, applicationName);
}

/** Writes standby.conf and standby.signal, then starts the server. */
export function becomeStandby(c: PgCluster, h: Host, streamFrom: string, applicationName: string): number {
    const dir = dataDir(c, h);
    writeOwned(
        path.join(dir, "standby.conf"),
        standbyConf({ sourceHost: streamFrom, password: c.passwords.replicator, applicationName, caFile: c.caFile }),
    );
    writeOwned(path.join(dir, "standby.signal"), "");
    return startServer(c, h);
}

/**
 * Brings a former primary back as a standby of `source`: pg_rewind winds back whatever it wrote that the
 * new primary never received (it runs crash recovery first when the server died). When rewinding is not
 * possible, a fresh copy. The server must be stopped.
 */
export async function rewindAsStandby(
    c: PgCluster,
    h: Host,
    source: Host,
    streamFrom: string,
    applicationName: string,
): Promise<{ pid: number; method: "rewind" | "basebackup"; output: string }> {
    // A just-promoted server records its new timeline in pg_control only at its next checkpoint; before
    // that pg_rewind sees one timeline on both sides and rewinds nothing.
    await adminQuery(c, source.fqdn, "CHECKPOINT", [], 60_000);
    const rewound = await run(
        [
            bin("pg_rewind"),
            "--target-pgdata",
            dataDir(c, h),
            "--source-server",
            `host=${source.fqdn} port=5432 user=${PG_USER} dbname=postgres sslmode=verify-full sslrootcert=${c.caFile}`,
        ],
        { ns: h.ns, user: PG_USER, env: { PGPASSWORD: c.passwords.postgres }, timeoutMs: 120_000 },
    );
    const output = `${rewound.stdout}${rewound.stderr}`.trim();
    if (rewound.code === 0) return { pid: becomeStandby(c, h, streamFrom, applicationName), method: "rewind", output };
    return { pid: await cloneStandby(c, h, source, streamFrom, applicationName), method: "basebackup", output };
}
