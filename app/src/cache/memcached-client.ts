import net from "node:net";
import tls from "node:tls";
import { createHash } from "node:crypto";

/**
 * A deliberately small Memcached text-protocol client (get / set / delete).
 *
 * Why our own: ElastiCache Memcached with in-transit encryption only accepts TLS, and the common npm
 * clients (memjs, memcached) do not clearly support it. The service only needs three commands, and a
 * cache must never fail a request, so every error or timeout here rejects and the caller treats it
 * as a miss. Requests are pipelined on one connection per server; replies arrive in order (FIFO).
 */
export interface MemcachedOptions {
    servers: string[];
    tls?: boolean;
    timeoutMs?: number;
    /** After a failure, how long a server is skipped before reconnecting (keeps misses cheap). */
    retryAfterMs?: number;
}

interface Pending {
    kind: "get" | "store" | "delete";
    resolve: (value: string | undefined) => void;
    reject: (error: Error) => void;
    timer: NodeJS.Timeout;
}

class Connection {
    private socket?: net.Socket;
    private buffer: Buffer = Buffer.alloc(0);
    private readonly pending: Pending[] = [];
    private downUntil = 0;

    constructor(
        private readonly host: string,
        private readonly port: number,
        private readonly useTls: boolean,
        private readonly timeoutMs: number,
        private readonly retryAfterMs: number,
    ) {}

    request(kind: Pending["kind"], payload: string | Buffer): Promise<string | undefined> {
        if (Date.now() < this.downUntil) return Promise.reject(new Error("memcached server marked down"));
        const socket = this.connect();
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => this.fail(new Error("memcached request timed out")), this.timeoutMs);
            this.pending.push({ kind, resolve, reject, timer });
            socket.write(payload);
        });
    }

    close(): void {
        this.fail(new Error("memcached client closed"), false);
    }

    private connect(): net.Socket {
        if (this.socket) return this.socket;
        const options = { host: this.host, port: this.port };
        const socket = this.useTls ? tls.connect({ ...options, servername: this.host }) : net.connect(options);
        socket.setNoDelay(true);
        socket.on("data", (chunk: Buffer) => this.onData(chunk));
        socket.on("error", (error) => this.fail(error));
        socket.on("close", () => this.fail(new Error("memcached connection closed")));
        this.socket = socket;
        return socket;
    }

    /** Drops the connection and rejects everything in flight; the next request reconnects. */
    private fail(error: Error, markDown = true): void {
        const socket = this.socket;
        this.socket = undefined;
        this.buffer = Buffer.alloc(0);
        if (markDown) this.downUntil = Date.now() + this.retryAfterMs;
        socket?.removeAllListeners("data");
        socket?.removeAllListeners("close");
        socket?.on("error", () => undefined);
        socket?.destroy();
        for (const request of this.pending.splice(0)) {
            clearTimeout(request.timer);
            request.reject(error);
        }
    }

    private onData(chunk: Buffer): void {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
        while (this.pending.length > 0) {
            const consumed = this.parseOne(this.pending[0]);
            if (consumed === 0) return;
            this.buffer = this.buffer.subarray(consumed);
        }
    }

    /** Parses one reply for the oldest request; returns the bytes consumed, 0 when incomplete. */
    private parseOne(request: Pending): number {
        const lineEnd = this.buffer.indexOf("\r\n");
        if (lineEnd < 0) return 0;
        const line = this.buffer.toString("utf8", 0, lineEnd);
        if (request.kind === "get") {
            if (line === "END") return this.settle(lineEnd + 2, undefined);
            const match = /^VALUE \S+ \d+ (\d+)/.exec(line);
            if (!match) return this.protocolError(line);
            const length = Number(match[1]);
            const dataStart = lineEnd + 2;
            const endMarker = dataStart + length + 2 + "END\r\n".length;
            if (this.buffer.length < endMarker) return 0;
            const value = this.buffer.toString("utf8", dataStart, dataStart + length);
            return this.settle(endMarker, value);
        }
        if (request.kind === "store") {
            return line === "STORED" || line === "NOT_STORED"
                ? this.settle(lineEnd + 2, line)
                : this.protocolError(line);
        }
        return line === "DELETED" || line === "NOT_FOUND" ? this.settle(lineEnd + 2, line) : this.protocolError(line);
    }

    private settle(consumed: number, value: string | undefined): number {
        const request = this.pending.shift()!;
        clearTimeout(request.timer);
        request.resolve(value);
        return consumed;
    }

    private protocolError(line: string): number {
        this.fail(new Error(`unexpected memcached reply: ${line.slice(0, 80)}`));
        return 0;
    }
}

export class MemcachedClient {
    private readonly connections: Connection[];

    constructor(options: MemcachedOptions) {
        if (options.servers.length === 0) throw new Error("MemcachedClient: at least one server is required");
        this.connections = options.servers.map((server) => {
            const index = server.lastIndexOf(":");
            return new Connection(
                server.slice(0, index),
                Number(server.slice(index + 1)),
                options.tls ?? false,
                options.timeoutMs ?? 200,
                options.retryAfterMs ?? 1000,
            );
        });
    }

    /**
     * Simple modulo over a hash: losing a node remaps most keys, which only costs misses for a cache
     * whose entries live two seconds, so consistent hashing would buy nothing here.
     */
    private pick(key: string): Connection {
        const hash = createHash("md5").update(key).digest().readUInt32BE(0);
        return this.connections[hash % this.connections.length];
    }

    get(key: string): Promise<string | undefined> {
        return this.pick(checkKey(key)).request("get", `get ${key}\r\n`);
    }

    async set(key: string, value: string, ttlSeconds: number): Promise<void> {
        const data = Buffer.from(value, "utf8");
        const head = Buffer.from(`set ${checkKey(key)} 0 ${Math.max(1, Math.ceil(ttlSeconds))} ${data.length}\r\n`);
        await this.pick(key).request("store", Buffer.concat([head, data, Buffer.from("\r\n")]));
    }

    async delete(key: string): Promise<void> {
        await this.pick(checkKey(key)).request("delete", `delete ${key}\r\n`);
    }

    /** A `get` of a key nobody sets, on every server: the answer (a miss) proves it serves. */
    ping(): Array<Promise<void>> {
        return this.connections.map(async (connection) => {
            await connection.request("get", "get boxoffice-readiness-probe\r\n");
        });
    }

    close(): void {
        for (const connection of this.connections) connection.close();
    }
}

function checkKey(key: string): string {
    if (!/^[\x21-\x7e]{1,250}$/.test(key)) throw new Error("memcached keys are 1-250 printable characters");
    return key;
}
