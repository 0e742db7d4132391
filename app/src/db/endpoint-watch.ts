import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { Socket } from "node:net";
import type { Pool, PoolClient } from "pg";
import type { Logger } from "pino";

/**
 * RDS fails over by moving the writer endpoint's DNS name to the promoted standby; clients must
 * re-resolve and reconnect. A pool keeps its connections to the old address: when that host was cut
 * off rather than stopped, nothing tells the client, and every pooled connection hangs until its
 * query times out, one after another. This watcher resolves the endpoint name every second and,
 * when the name points elsewhere, closes every connection to an address it no longer has; a query
 * in flight on one fails as a lost connection (which purchases retry) and the pool reconnects by
 * name to the new writer. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html
 */
export interface EndpointWatch {
    stop(): void;
}

type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((a) => a.address);

function socketOf(client: PoolClient): Socket | undefined {
    // node-postgres keeps the (TLS) socket on client.connection.stream; not in its typings for PoolClient.
    return (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
}

export function watchEndpoint(
    pool: Pool,
    host: string,
    options: { intervalMs?: number; logger?: Logger; lookup?: Lookup } = {},
): EndpointWatch {
    if (!host || isIP(host)) return { stop() {} };
    const clients = new Set<PoolClient>();
    pool.on("connect", (client) => clients.add(client));
    pool.on("remove", (client) => clients.delete(client));
    const lookup = options.lookup ?? systemLookup;
    let running = false;
    const check = async () => {
        if (running) return;
        running = true;
        try {
            const addresses = new Set(await lookup(host));
            if (addresses.size === 0) return;
            for (const client of clients) {
                const socket = socketOf(client);
                const remote = socket?.remoteAddress;
                if (socket && remote && !addresses.has(remote)) {
                    options.logger?.warn(
                        { host, from: remote, to: [...addresses] },
                        "database endpoint moved; closing a connection to the old address",
                    );
                    clients.delete(client);
                    socket.destroy();
                }
            }
        } catch {
            // DNS unavailable: keep the connections we have; the next check tries again.
        } finally {
            running = false;
        }
    };
    const timer = setInterval(() => void check(), options.intervalMs ?? 1000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
}
