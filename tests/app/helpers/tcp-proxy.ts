import net from "node:net";

/**
 * A loopback TCP proxy in front of a server, to take that server away from a client the way an
 * outage does: `close()` refuses new connections and resets open ones (a crashed host), `stall()`
 * accepts connections but moves no more bytes either way (a host that vanished mid-failover: no
 * RST, just silence), `restore()` forwards again.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private state: "forward" | "stalled" = "forward";
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

  /** Resets every connection and stops listening: new connections are refused. */
  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Listens again on the same port and forwards. */
  async restore(): Promise<void> {
    await this.close();
    await this.start(this.port);
  }
}
