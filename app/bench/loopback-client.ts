/**
 * What both benchmarks need to talk to the server process they start: a free loopback port and a keep-alive
 * JSON client for it.
 */
import http from "node:http";
import net from "node:net";

/** A loopback TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const found = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return found;
}

/** An answer: the status and the parsed JSON body, typed by the caller as the route's documented shape. */
export interface Answer<T = unknown> {
    status: number;
    json: T;
}

/** JSON requests to the server on 127.0.0.1:`port` (set once the server has its port), over kept-alive sockets. */
export class LoopbackClient {
    port = 0;
    readonly agent: http.Agent;

    constructor(maxSockets: number) {
        this.agent = new http.Agent({ keepAlive: true, maxSockets });
    }

    request<T = unknown>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise<Answer<T>>((resolve, reject) => {
            const req = http.request(
                {
                    host: "127.0.0.1",
                    port: this.port,
                    method,
                    path: url,
                    agent: this.agent,
                    headers: {
                        ...headers,
                        ...(payload
                            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
                            : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk) => chunks.push(chunk));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString();
                        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
                    });
                },
            );
            req.on("error", reject);
            req.end(payload);
        });
    }
}
