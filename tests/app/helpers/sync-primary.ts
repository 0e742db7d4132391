import { execFileSync, spawn, ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";

/**
 * A throwaway PostgreSQL server on loopback whose every commit waits for a synchronous standby that
 * never comes (synchronous_standby_names names one), as a primary cut off from its standby does.
 * Needs root (the server runs as the postgres user) and Debian's server binaries; `available()`
 * says whether this machine has them.
 */
export class SyncPrimary {
    private constructor(
        readonly url: string,
        private readonly dir: string,
        private readonly process: ChildProcess,
        private readonly bin: string,
    ) {}

    static binDir(): string | undefined {
        const base = "/usr/lib/postgresql";
        if (!existsSync(base)) return undefined;
        const version = readdirSync(base)
            .filter((v) => existsSync(path.join(base, v, "bin", "postgres")))
            .sort((a, b) => Number(b) - Number(a))[0];
        return version ? path.join(base, version, "bin") : undefined;
    }

    static available(): boolean {
        return process.getuid?.() === 0 && SyncPrimary.binDir() !== undefined;
    }

    static async start(port: number): Promise<SyncPrimary> {
        const bin = SyncPrimary.binDir()!;
        const dir = mkdtempSync(path.join(os.tmpdir(), "boxoffice-syncrep-"));
        const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
        const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
        chownSync(dir, uid, gid);
        const asPostgres = (argv: string[]) => ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", ...argv];
        execFileSync(
            "setpriv",
            asPostgres([
                path.join(bin, "initdb"),
                "-D",
                path.join(dir, "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-instructions",
            ]),
            {
                stdio: "ignore",
                env: { ...process.env, HOME: dir },
            },
        );
        const server = spawn(
            "setpriv",
            asPostgres([
                path.join(bin, "postgres"),
                "-D",
                path.join(dir, "data"),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                `port=${port}`,
                "-c",
                `unix_socket_directories=${dir}`,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=on",
            ]),
            {
                stdio: "ignore",
                env: { ...process.env, HOME: dir },
            },
        );
        const primary = new SyncPrimary(`postgres://postgres@127.0.0.1:${port}/postgres`, dir, server, bin);
        for (let i = 0; ; i++) {
            try {
                await primary.admin("CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY)");
                break;
            } catch (error) {
                if (i > 100) throw error;
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        }
        return primary;
    }

    /** From now on every commit waits for a standby named "absent", which never connects. */
    async loseStandby(): Promise<void> {
        await this.admin("ALTER SYSTEM SET synchronous_standby_names = 'absent'");
        await this.admin("SELECT pg_reload_conf()");
        await this.admin("SELECT pg_sleep(0.2)");
    }

    /** One statement on its own connection, autocommit, synchronous_commit off (it must not wait). */
    async admin<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
        const client = new Client({ connectionString: this.url, options: "-c synchronous_commit=local" });
        await client.connect();
        try {
            return (await client.query(sql, params)).rows as R[];
        } finally {
            await client.end();
        }
    }

    async stop(): Promise<void> {
        try {
            execFileSync(
                "setpriv",
                [
                    "--reuid=postgres",
                    "--regid=postgres",
                    "--init-groups",
                    "--",
                    path.join(this.bin, "pg_ctl"),
                    "stop",
                    "-D",
                    path.join(this.dir, "data"),
                    "-m",
                    "immediate",
                ],
                { stdio: "ignore" },
            );
        } catch {
            this.process.kill("SIGKILL");
        }
        rmSync(this.dir, { recursive: true, force: true });
    }
}
