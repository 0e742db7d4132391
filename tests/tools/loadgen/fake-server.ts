import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What the load generator posts: an order (ticket type and quantity) or a check-in (a ticket code). */
export interface FakeBody {
    ticketTypeId?: string;
    quantity?: number;
    code?: string;
}

export interface FakeRequest {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    /** The parsed JSON body: the fields the load generator sends (orders and check-ins). */
    body: FakeBody;
    /** Answer this request; omit to leave it hanging (until released or the client gives up). */
    res: http.ServerResponse;
}

export type Handler = (request: FakeRequest, server: FakeServer) => void;

/** A loopback HTTP server whose answers each test decides; it records every request it received. */
export class FakeServer {
    readonly requests: FakeRequest[] = [];
    private readonly server: http.Server;

    private constructor(private handler: Handler) {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (chunk) => chunks.push(chunk));
            req.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                const request = {
                    method: req.method!,
                    url: req.url!,
                    headers: req.headers,
                    body: text ? JSON.parse(text) : undefined,
                    res,
                };
                this.requests.push(request);
                this.handler(request, this);
            });
        });
        // Idle connections stay open for the whole test: only the client decides when one is retired.
        this.server.keepAliveTimeout = 120_000;
    }

    static async start(handler: Handler, host = "127.0.0.1", port = 0): Promise<FakeServer> {
        const fake = new FakeServer(handler);
        await new Promise<void>((resolve, reject) => {
            fake.server.once("error", reject);
            fake.server.listen(port, host, resolve);
        });
        return fake;
    }

    get port(): number {
        return (this.server.address() as AddressInfo).port;
    }

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async close(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }
}

export function json(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
}

/** A confirmed order as the service answers it, with fresh ticket codes. */
export function orderBody(request: FakeRequest): Record<string, unknown> {
    const quantity = request.body.quantity ?? 0;
    return {
        id: randomUUID(),
        status: "confirmed",
        ticketTypeId: request.body.ticketTypeId,
        quantity,
        tickets: Array.from({ length: quantity }, () => ({ id: randomUUID(), code: `code-${randomUUID()}` })),
    };
}

/** Polls until the condition holds; fails after the (generous) limit instead of hanging the suite. */
export async function eventually(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

export const EVENT_ID = "0b3a8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
export const TICKET_TYPE_ID = "7c6d5e4f-3a2b-4c1d-9e8f-7a6b5c4d3e2f";
