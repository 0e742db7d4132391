/**
 * Watches what users and load balancers see, independent of who changes it: where each moving name
 * points (writer, replicas, Redis primary, public name) and each load balancer's view of the app
 * instances. Every change is an event with its time: the drill reads detection and recovery moments
 * from them, and whether the app instances stayed in service while the database failed over.
 */
import { resolveAt } from "./dns";
import type { Emit } from "./db-controller";
import type { ServerState } from "./haproxy-config";
import { haproxyServers } from "./haproxy-admin";

export class Observer {
    readonly names = new Map<string, string>();
    readonly servers = new Map<string, string>();
    private timers: NodeJS.Timeout[] = [];

    constructor(
        private readonly dnsIp: string,
        private readonly watchedNames: string[],
        private readonly lbs: Array<{ name: string; socket: string }>,
        private readonly emit: Emit,
    ) {}

    start(): void {
        const names = async () => {
            for (const name of this.watchedNames) {
                const answer = (await resolveAt(this.dnsIp, name)).join(",") || "none";
                const before = this.names.get(name);
                if (before !== answer) {
                    this.names.set(name, answer);
                    if (before !== undefined)
                        this.emit({
                            source: "control",
                            kind: "name-moved",
                            detail: { name, from: before, to: answer },
                        });
                }
            }
            this.timers[0] = setTimeout(names, 100);
        };
        const lbs = async () => {
            for (const lb of this.lbs) {
                let states: ServerState[];
                try {
                    states = await haproxyServers(lb.socket, 400);
                } catch {
                    states = [];
                }
                for (const s of states) {
                    const key = `${lb.name}/${s.server}`;
                    const before = this.servers.get(key);
                    // Only the state, not HAProxy's check counters ("UP 1/3" is still UP).
                    const status = s.status.split(" ")[0];
                    if (before !== status) {
                        this.servers.set(key, status);
                        if (before !== undefined)
                            this.emit({
                                source: "lb",
                                kind: "target-state",
                                detail: { lb: lb.name, server: s.server, from: before, to: status },
                            });
                    }
                }
            }
            this.timers[1] = setTimeout(lbs, 250);
        };
        void names();
        void lbs();
    }

    stop(): void {
        for (const t of this.timers) clearTimeout(t);
    }

    snapshot(): { names: Record<string, string>; servers: Record<string, string> } {
        return { names: Object.fromEntries(this.names), servers: Object.fromEntries(this.servers) };
    }
}
