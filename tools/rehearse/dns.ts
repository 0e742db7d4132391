/**
 * The rehearsal's DNS: one dnsmasq answering only for the rehearsal's domain from a directory of hosts
 * files that it re-reads on change (inotify). Each moving name has its own file, replaced atomically by
 * whoever moves it (the database controller, Sentinel's reconfig script, the Route 53 stand-in), so
 * writers never clobber each other. Nothing is forwarded: any other name is refused.
 */
import { promises as dnsPromises } from "node:dns";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DOMAIN, Topology } from "./topology";

/** dnsmasq's command line: foreground, no upstream servers, no /etc/hosts, answers with TTL 0. */
export function dnsmasqArgs(o: { listenIp: string; hostsDir: string; logFile: string }): string[] {
    return [
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        `--listen-address=${o.listenIp}`,
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        `--hostsdir=${o.hostsDir}`,
        `--local=/${DOMAIN}/`,
        "--domain-needed",
        "--bogus-priv",
        // Clients re-resolve on every connection, as an RDS client should with the endpoint's 5 s TTL.
        "--local-ttl=0",
        "--pid-file=",
        "--user=nobody",
        `--log-facility=${o.logFile}`,
    ];
}

/** The file that holds one name's record: its name, made file-safe. */
export function recordFile(hostsDir: string, name: string): string {
    return path.join(hostsDir, name.replace(/[^A-Za-z0-9.-]/g, "_"));
}

/** Points a name at an address: written beside the target, then renamed over it (atomic for readers). */
export function writeRecord(hostsDir: string, name: string, ip: string): void {
    const target = recordFile(hostsDir, name);
    const temporary = path.join(hostsDir, `.${path.basename(target)}.${process.pid}.tmp`);
    writeFileSync(temporary, `${ip} ${name}\n`, { mode: 0o644 });
    renameSync(temporary, target);
}

/** Fixed records: every host by its own name. */
export function writeHostRecords(topology: Topology, hostsDir: string): void {
    mkdirSync(hostsDir, { recursive: true });
    writeFileSync(path.join(hostsDir, "hosts"), topology.hosts.map((h) => `${h.ip} ${h.fqdn}`).join("\n") + "\n", {
        mode: 0o644,
    });
}

/** resolv.conf for every namespace: only the rehearsal's dnsmasq, and no search domain surprises. */
export function resolvConf(dnsIp: string): string {
    return `nameserver ${dnsIp}\noptions timeout:1 attempts:2\n`;
}

/** Asks the rehearsal's DNS server directly (not the system resolver) what a name points at now. */
export async function resolveAt(dnsIp: string, name: string): Promise<string[]> {
    const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dnsIp]);
    try {
        return await resolver.resolve4(name);
    } catch {
        return [];
    }
}

/** Moves a name and waits until the DNS server answers with the new address (bounded). */
export async function moveRecord(
    dnsIp: string,
    hostsDir: string,
    name: string,
    ip: string,
    timeoutMs = 5000,
): Promise<void> {
    writeRecord(hostsDir, name, ip);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const answer = await resolveAt(dnsIp, name);
        if (answer.length === 1 && answer[0] === ip) return;
        if (Date.now() > deadline)
            throw new Error(`DNS still answers ${answer.join(",") || "nothing"} for ${name}, expected ${ip}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}
