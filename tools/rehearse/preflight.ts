/**
 * What the rehearsal needs from the machine: root (network namespaces), iproute2, and the Debian
 * packages of the servers. Missing packages are installed with apt-get, with service start-up blocked
 * (policy-rc.d) so that no package leaves a daemon running in the machine's own namespace: every
 * server of the rehearsal is started by the rehearsal, inside its namespaces.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { run, must } from "./sh";

/** Debian package → a file it installs, to tell whether it is there. */
export const PACKAGES: Record<string, string> = {
    postgresql: "/usr/lib/postgresql",
    "redis-server": "/usr/bin/redis-server",
    "redis-sentinel": "/usr/bin/redis-sentinel",
    memcached: "/usr/bin/memcached",
    haproxy: "/usr/sbin/haproxy",
    "dnsmasq-base": "/usr/sbin/dnsmasq",
    iproute2: "/usr/sbin/ip",
    curl: "/usr/bin/curl",
    openssl: "/usr/bin/openssl",
};

/** Daemons the packages would start if service start-up were allowed, and the ports they would take. */
const PACKAGE_DAEMONS = ["redis-sentinel", "haproxy", "memcached", "dnsmasq", "redis-server", "postgres"];

const POLICY_RC = "/usr/sbin/policy-rc.d";

export class PreflightError extends Error {}

export function missingPackages(exists: (file: string) => boolean = existsSync): string[] {
    return Object.entries(PACKAGES)
        .filter(([, file]) => !exists(file))
        .map(([pkg]) => pkg);
}

export function requireRoot(): void {
    if (typeof process.getuid === "function" && process.getuid() !== 0) {
        throw new PreflightError(
            "the rehearsal must run as root: it creates network namespaces (ip netns) and runs each server inside one. " +
                "Run it as root (sudo npm run rehearse), on a machine or VM you may use for this.",
        );
    }
}

/** Listening sockets of package daemons in the machine's own namespace, started before we looked. */
async function rootDaemons(): Promise<string[]> {
    const out = await run(["ss", "-H", "-ltnp"]);
    return out.stdout.split("\n").filter((line) => PACKAGE_DAEMONS.some((d) => line.includes(`"${d}"`)));
}

export async function installPackages(log: (message: string) => void): Promise<void> {
    const missing = missingPackages();
    if (missing.length === 0) return;
    log(`installing ${missing.join(", ")} (apt-get; service start-up blocked)`);
    const before = new Set(await rootDaemons());
    const ownPolicy = !existsSync(POLICY_RC);
    // 101 = "action not allowed": invoke-rc.d then starts no service during the installation.
    if (ownPolicy) writeFileSync(POLICY_RC, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
    try {
        const env = { DEBIAN_FRONTEND: "noninteractive" };
        await must(["apt-get", "update", "-qq"], { env, timeoutMs: 300_000 });
        await must(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...missing], {
            env,
            timeoutMs: 600_000,
        });
    } finally {
        if (ownPolicy) rmSync(POLICY_RC, { force: true });
    }
    const started = (await rootDaemons()).filter((line) => !before.has(line));
    if (started.length > 0) {
        throw new PreflightError(
            `the installation left daemons listening in the machine's namespace; stop them:\n${started.join("\n")}`,
        );
    }
    const still = missingPackages();
    if (still.length > 0) throw new PreflightError(`still missing after apt-get: ${still.join(", ")}`);
}
