import net from "node:net";

/**
 * A loopback TCP proxy in front of a server, to take that server away from a client the way an
 * outage does: `refuse()` resets open connections and every new one at once (a crashed host),
 * `stall()` accepts connections but moves no more bytes either way (a host that vanished
 * mid-failover: no RST, just silence), `restore()` forwards again, `close()` ends it.
 *
 * The proxy keeps listening through an outage: a port it gave up could be taken at once by another
 * test file's listener running in parallel (mocha's jobs), and the client would reach that instead.
 */
export class TcpProxy {
    private server?: net.Server;
    private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
    private state: "forward" | "stalled" | "refusing" = "forward";
    port = 0;

    constructor(
        private readonly targetHost: string,
        private readonly targetPort: number,
    ) {}

    async start(port = 0): Promise<number> {
        this.state = "forward";
        const server = net.createServer((client) => this.accept(client));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", resolve);
        });
        this.server = server;
        this.port = (server.address() as net.AddressInfo).port;
        return this.port;
    }

    private accept(client: net.Socket): void {
        client.on("error", () => undefined);
        if (this.state === "refusing") {
            client.resetAndDestroy();
            return;
        }
        if (this.state === "stalled") {
            // Accepted by the kernel and then never answered.
            const upstream = new net.Socket();
            this.pairs.add({ client, upstream });
            return;
        }
        const upstream = net.connect(this.targetPort, this.targetHost);
        upstream.on("error", () => client.destroy());
        const pair = { client, upstream };
        this.pairs.add(pair);
        client.pipe(upstream);
        upstream.pipe(client);
        const forget = () => {
            this.pairs.delete(pair);
            client.destroy();
            upstream.destroy();
        };
        client.once("close", forget);
        upstream.once("close", forget);
    }

    /** Stops moving bytes on open connections and leaves new ones unanswered. */
    stall(): void {
        this.state = "stalled";
        for (const { client, upstream } of this.pairs) {
            client.unpipe(upstream);
            upstream.unpipe(client);
            client.pause();
            upstream.pause();
        }
    }

    /** Resets every open connection and, until `restore()`, every new one as soon as it arrives. */
    refuse(): void {
        this.state = "refusing";
        this.resetAll();
    }

    /** Forwards again: new connections reach the server (stalled or reset ones stay gone). */
    restore(): void {
        this.resetAll();
        this.state = "forward";
    }

    /** Resets every connection and stops listening. */
    async close(): Promise<void> {
        this.resetAll();
        const server = this.server;
        this.server = undefined;
        if (server) await new Promise((resolve) => server.close(resolve));
    }

    private resetAll(): void {
        for (const { client, upstream } of this.pairs) {
            client.resetAndDestroy();
            upstream.destroy();
        }
        this.pairs.clear();
    }
}
