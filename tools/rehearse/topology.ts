/**
 * The rehearsal's hosts: one network namespace and one address each on a private /24, joined by veth
 * pairs to a bridge that lives in a namespace of its own (nothing is routed to the machine's other
 * interfaces), plus the names a private DNS server answers for. Pure: the same inputs give the same plan.
 */

export const DOMAIN = "rehearsal.test"; // RFC 6761: .test never resolves on the internet

export type Role =
    | "dns"
    | "db"
    | "replica"
    | "redis"
    | "sentinel"
    | "memcached"
    | "app"
    | "worker"
    | "lb"
    | "ses"
    | "control"
    | "client";

export interface Host {
    /** Short name, unique in the run: db1, app2, lb1, ... */
    name: string;
    role: Role;
    ip: string;
    /** Network namespace: `<prefix>-<name>`. */
    ns: string;
    /** The bridge-side end of the host's veth pair (in the hub namespace). */
    hubLink: string;
    fqdn: string;
}

export interface TopologyOptions {
    /** Namespace prefix; every namespace the run creates starts with it (cleanup finds them by it). */
    prefix: string;
    /** First three octets of the private /24. */
    subnet: string;
    readReplicas: number;
    memcachedNodes: number;
    appInstances: number;
    /** Worker tasks (the plan's desired count, within what a small machine runs). @default 1 */
    workers?: number;
}

/** Names that move: RDS's writer endpoint, ElastiCache's primary endpoint, the Route 53 failover record. */
export interface ServiceNames {
    writer: string;
    readers: string[];
    redisPrimary: string;
    public: string;
    ses: string;
}

export interface Topology {
    prefix: string;
    subnet: string;
    hubNs: string;
    bridge: string;
    hosts: Host[];
    names: ServiceNames;
}

export const DEFAULT_PREFIX = "bxr";
export const DEFAULT_SUBNET = "10.213.7";
export const SENTINELS = 3;

/** Fixed last octets per role, so an address says what it is in a packet trace. */
const BASE: Record<Role, number> = {
    dns: 2,
    control: 3,
    client: 4,
    ses: 5,
    db: 10,
    replica: 15,
    redis: 20,
    sentinel: 25,
    memcached: 30,
    app: 40,
    worker: 60,
    lb: 70,
};
const LIMIT: Partial<Record<Role, number>> = {
    db: 2,
    replica: 5,
    redis: 2,
    sentinel: 3,
    memcached: 10,
    app: 20,
    worker: 10,
    lb: 2,
};

export function buildTopology(options: TopologyOptions): Topology {
    if (!/^[a-z][a-z0-9]{1,5}$/.test(options.prefix)) {
        throw new Error(`namespace prefix must be 2-6 lowercase letters/digits, got ${JSON.stringify(options.prefix)}`);
    }
    if (
        !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(options.subnet) ||
        options.subnet.split(".").some((o) => Number(o) > 255)
    ) {
        throw new Error(`subnet must be three octets like 10.213.7, got ${JSON.stringify(options.subnet)}`);
    }
    const hosts: Host[] = [];
    const add = (role: Role, name: string, index: number) => {
        const limit = LIMIT[role] ?? 1;
        if (index >= limit) throw new Error(`at most ${limit} ${role} host(s)`);
        const ns = `${options.prefix}-${name}`;
        hosts.push({
            name,
            role,
            ip: `${options.subnet}.${BASE[role] + index}`,
            ns,
            hubLink: `${options.prefix}h${name}`.slice(0, 15),
            fqdn: `${name}.${DOMAIN}`,
        });
    };
    const many = (role: Role, stem: string, count: number) => {
        for (let i = 0; i < count; i++) add(role, `${stem}${i + 1}`, i);
    };
    if (options.appInstances < 2) throw new Error("the rehearsal needs at least 2 app instances (one is killed)");
    if (options.memcachedNodes < 2) throw new Error("the rehearsal needs at least 2 Memcached nodes (one is killed)");
    if (options.readReplicas < 1) throw new Error("the rehearsal needs at least 1 read replica");
    add("dns", "dns", 0);
    add("control", "control", 0);
    add("client", "client", 0);
    add("ses", "ses", 0);
    many("db", "db", 2);
    many("replica", "replica", options.readReplicas);
    many("redis", "redis", 2);
    many("sentinel", "sentinel", SENTINELS);
    many("memcached", "mc", options.memcachedNodes);
    many("app", "app", options.appInstances);
    many("worker", "worker", options.workers ?? 1);
    many("lb", "lb", 2);
    return {
        prefix: options.prefix,
        subnet: options.subnet,
        hubNs: `${options.prefix}-hub`,
        bridge: `${options.prefix}br0`,
        hosts,
        names: {
            writer: `db-writer.${DOMAIN}`,
            readers: hosts.filter((h) => h.role === "replica").map((_, i) => `db-replica-${i + 1}.${DOMAIN}`),
            redisPrimary: `redis-primary.${DOMAIN}`,
            public: `tickets.${DOMAIN}`,
            ses: `email.${DOMAIN}`,
        },
    };
}

export function hostsOf(topology: Topology, role: Role): Host[] {
    return topology.hosts.filter((h) => h.role === role);
}

export function host(topology: Topology, name: string): Host {
    const found = topology.hosts.find((h) => h.name === name);
    if (!found) throw new Error(`no host ${name} in the rehearsal`);
    return found;
}

/** The address each moving name points at when the rehearsal starts. */
export function initialRecords(topology: Topology): Record<string, string> {
    const first = (role: Role) => hostsOf(topology, role)[0].ip;
    const records: Record<string, string> = {
        [topology.names.writer]: first("db"),
        [topology.names.redisPrimary]: first("redis"),
        [topology.names.public]: first("lb"),
        [topology.names.ses]: first("ses"),
    };
    hostsOf(topology, "replica").forEach((r, i) => (records[topology.names.readers[i]] = r.ip));
    return records;
}
