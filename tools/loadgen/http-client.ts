/**
 * A small HTTP(S) client for the load generator: keep-alive connections in a bounded pool, a name
 * resolution per new connection (so a DNS failover is followed, as RDS and Route 53 fail over by moving
 * a name), connections retired after a maximum age (so a moved name is followed even while the old
 * address still answers), and a hard per-request timeout that tears the connection down.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";

/** Resolves a host name to one IP address (v4 or v6). */
export type Resolve = (host: string) => Promise<string>;

export interface HttpClientOptions {
    baseUrl: string;
    /** Name resolution per new connection; the system resolver by default. */
    lookup?: Resolve;
    /** Pool bound: connections open at once to the target. */
    maxConnections: number;
    /** Whole-request timeout (connect, send, answer), after which the request counts as unanswered. */
    timeoutMs: number;
    /**
     * A keep-alive connection older than this is closed when its request finishes instead of being
     * reused, so the next request resolves the name again. @default 10000
     */
    connectionMaxAgeMs?: number;
    /** Sent with every request (e.g. a header a staging gateway wants). Never logged. */
    headers?: Record<string, string>;
}

export interface HttpResponse {
    /** 0 when no answer arrived (network error or timeout). */
    status: number;
    headers: http.IncomingHttpHeaders;
    /** The parsed JSON body, when the answer was JSON. */
    body?: unknown;
    /** Network failure code (`timeout`, `ECONNREFUSED`, ...) when status is 0. */
    error?: string;
}

/** Answers are small JSON documents; anything larger is cut off rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export class HttpClient {
    private readonly base: URL;
    private readonly agent: http.Agent;
    private readonly transport: typeof http | typeof https;
    private readonly born = new WeakMap<Duplex, number>();
    private closed = false;
    /** Connections opened and names resolved, for the summary (re-resolution is visible). */
    readonly stats = { connectionsOpened: 0, lookups: 0, lookupFailures: 0 };

    constructor(private readonly options: HttpClientOptions) {
        this.base = new URL(options.baseUrl);
        if (this.base.protocol !== "http:" && this.base.protocol !== "https:") {
            throw new Error(`baseUrl ${options.baseUrl}: must be an http:// or https:// URL`);
        }
        this.transport = this.base.protocol === "https:" ? https : http;
        const agentOptions: http.AgentOptions & { lookup?: net.LookupFunction } = {
            keepAlive: true,
            maxSockets: options.maxConnections,
            maxFreeSockets: options.maxConnections,
            // Most recently used first: idle connections at the back of the pool time out and close.
            scheduling: "lifo",
            lookup: this.nodeLookup(),
        };
        this.agent = this.base.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
        const maxAge = options.connectionMaxAgeMs ?? 10_000;
        const keepSocketAlive = this.agent.keepSocketAlive.bind(this.agent) as unknown as (socket: Duplex) => boolean;
        // Node destroys a socket when keepSocketAlive answers false (its typings say void).
        (this.agent as unknown as { keepSocketAlive: (socket: Duplex) => boolean }).keepSocketAlive = (socket) => {
            const born = this.born.get(socket);
            if (born !== undefined && Date.now() - born > maxAge) return false;
            return keepSocketAlive(socket);
        };
    }

    /** Adapts the promise hook to node's lookup callback, in both its one-address and all-addresses forms. */
    private nodeLookup(): net.LookupFunction | undefined {
        const resolve = this.options.lookup;
        if (!resolve) return undefined;
        return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
            this.stats.lookups++;
            resolve(hostname).then(
                (address) => {
                    const family = net.isIP(address);
                    if (family === 0) {
                        this.stats.lookupFailures++;
                        const error = new Error(`lookup(${hostname}) gave "${address}", not an IP address`);
                        callback(Object.assign(error, { code: "EBADLOOKUP" }));
                    } else if (options?.all) {
                        callback(null, [{ address, family }]);
                    } else {
                        callback(null, address, family);
                    }
                },
                (error: unknown) => {
                    this.stats.lookupFailures++;
                    const code = (error as { code?: string })?.code ?? "ENOTFOUND";
                    callback(Object.assign(error instanceof Error ? error : new Error(String(error)), { code }));
                },
            );
        }) as unknown as net.LookupFunction;
    }

    request(
        method: string,
        path: string,
        options: { json?: unknown; headers?: Record<string, string> } = {},
    ): Promise<HttpResponse> {
        if (this.closed) return Promise.resolve({ status: 0, headers: {}, error: "client_closed" });
        const payload = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json));
        const headers: Record<string, string | number> = {
            accept: "application/json",
            ...this.options.headers,
            ...options.headers,
        };
        if (payload) {
            headers["content-type"] = "application/json";
            headers["content-length"] = payload.length;
        }
        return new Promise((resolve) => {
            let settled = false;
            const finish = (response: HttpResponse) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                resolve(response);
            };
            let request: http.ClientRequest;
            try {
                request = this.transport.request({
                    protocol: this.base.protocol,
                    hostname: this.base.hostname.replace(/^\[(.*)\]$/, "$1"),
                    port: this.base.port || undefined,
                    method,
                    path: `${this.base.pathname.replace(/\/$/, "")}${path}`,
                    headers,
                    agent: this.agent,
                });
            } catch (error) {
                // A request node refuses to build (a header value with a newline, say) fails alone, not the run.
                resolve({ status: 0, headers: {}, error: (error as { code?: string }).code ?? String(error) });
                return;
            }
            const timer = setTimeout(() => {
                // Destroying also closes the connection: a late answer on it must not be read as the next one's.
                request.destroy(Object.assign(new Error("timeout"), { code: "timeout" }));
            }, this.options.timeoutMs);
            request.on("socket", (socket) => {
                if (this.born.has(socket)) return;
                this.born.set(socket, Date.now());
                // Counted once established: a refused connection is an error, not a connection.
                if ((socket as Duplex & { connecting?: boolean }).connecting)
                    socket.once("connect", () => this.stats.connectionsOpened++);
                else this.stats.connectionsOpened++;
            });
            request.on("error", (error: Error & { code?: string }) => {
                finish({ status: 0, headers: {}, error: error.code ?? error.message });
            });
            request.on("response", (response) => {
                const chunks: Buffer[] = [];
                let size = 0;
                response.on("data", (chunk: Buffer) => {
                    size += chunk.length;
                    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
                });
                response.on("error", (error: Error & { code?: string }) => {
                    finish({ status: 0, headers: {}, error: error.code ?? error.message });
                });
                response.on("end", () => {
                    // An answer cut off halfway is no answer: the outcome is unknown.
                    if (!response.complete) {
                        finish({ status: 0, headers: {}, error: "incomplete_response" });
                        return;
                    }
                    finish({
                        status: response.statusCode ?? 0,
                        headers: response.headers,
                        body: parseJson(response.headers, chunks),
                    });
                });
            });
            request.end(payload);
        });
    }

    /** Closes every pooled connection; requests after this answer status 0. */
    close(): void {
        this.closed = true;
        this.agent.destroy();
    }
}

function parseJson(headers: http.IncomingHttpHeaders, chunks: Buffer[]): unknown {
    if (!/json/i.test(String(headers["content-type"] ?? ""))) return undefined;
    try {
        return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
        return undefined;
    }
}
