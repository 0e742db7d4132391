/**
 * Network namespaces: one per host, each with a veth pair whose other end sits on a bridge inside a
 * hub namespace the run creates. The bridge has no address and the hub no route, so traffic between
 * hosts never touches the machine's own namespace or interfaces. `ip netns exec` bind-mounts
 * /etc/netns/<ns>/resolv.conf over /etc/resolv.conf, which points every host at the rehearsal's DNS.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolvConf } from "./dns";
import { must, run, sleep } from "./sh";
import { Host, hostsOf, Topology } from "./topology";

const NETNS_ETC = "/etc/netns";

export async function listNamespaces(prefix: string): Promise<string[]> {
    const out = await run(["ip", "netns", "list"]);
    return out.stdout
        .split("\n")
        .map((line) => line.split(" ")[0])
        .filter((name) => name.startsWith(`${prefix}-`));
}

async function pidsIn(ns: string): Promise<number[]> {
    const out = await run(["ip", "netns", "pids", ns]);
    return out.stdout
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
        .filter((pid) => pid !== process.pid);
}

/** SIGKILLs every process inside the namespace (all of them are the run's own servers). */
export async function killAllIn(ns: string): Promise<number[]> {
    const pids = await pidsIn(ns);
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    return pids;
}

/** Removes every namespace with the prefix, its processes and its /etc/netns folder. Idempotent. */
export async function removeNamespaces(prefix: string): Promise<string[]> {
    const names = await listNamespaces(prefix);
    for (const ns of names) await killAllIn(ns);
    // Killed processes leave their namespaces a moment later; a namespace with a process cannot be freed.
    for (const ns of names) {
        for (let i = 0; i < 50 && (await pidsIn(ns)).length > 0; i++) await sleep(100);
        await run(["ip", "netns", "del", ns]);
    }
    if (existsSync(NETNS_ETC)) {
        for (const entry of readdirSync(NETNS_ETC)) {
            if (entry.startsWith(`${prefix}-`)) rmSync(path.join(NETNS_ETC, entry), { recursive: true, force: true });
        }
    }
    return names;
}

async function addHost(topology: Topology, h: Host, dnsIp: string): Promise<void> {
    await must(["ip", "netns", "add", h.ns]);
    mkdirSync(path.join(NETNS_ETC, h.ns), { recursive: true });
    writeFileSync(path.join(NETNS_ETC, h.ns, "resolv.conf"), resolvConf(dnsIp));
    // An empty hosts file: names come from the rehearsal's DNS only, never from the machine's /etc/hosts.
    writeFileSync(path.join(NETNS_ETC, h.ns, "hosts"), "127.0.0.1 localhost\n");
    // Created in the hub and the host directly: no interface ever appears in the machine's namespace.
    await must([
        "ip",
        "-n",
        topology.hubNs,
        "link",
        "add",
        h.hubLink,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        h.ns,
    ]);
    await must(["ip", "-n", topology.hubNs, "link", "set", h.hubLink, "master", topology.bridge, "up"]);
    await must(["ip", "-n", h.ns, "addr", "add", `${h.ip}/24`, "dev", "eth0"]);
    await must(["ip", "-n", h.ns, "link", "set", "eth0", "up"]);
    await must(["ip", "-n", h.ns, "link", "set", "lo", "up"]);
}

export async function createNetwork(topology: Topology): Promise<void> {
    await must(["ip", "netns", "add", topology.hubNs]);
    await must(["ip", "-n", topology.hubNs, "link", "add", topology.bridge, "type", "bridge"]);
    await must(["ip", "-n", topology.hubNs, "link", "set", topology.bridge, "up"]);
    const dnsIp = hostsOf(topology, "dns")[0].ip;
    for (const h of topology.hosts) await addHost(topology, h, dnsIp);
}

/** Cuts a host off the network (its link to the bridge goes down) or reconnects it. */
export async function setLink(topology: Topology, h: Host, up: boolean): Promise<void> {
    await must(["ip", "-n", topology.hubNs, "link", "set", h.hubLink, up ? "up" : "down"]);
}
