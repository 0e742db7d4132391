import type { Logger } from "pino";
import { MemcachedClient, MemcachedOptions } from "./memcached-client";

/** A read-through cache that never throws: any failure is a miss and the caller asks the database. */
export interface Cache {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string, ttlSeconds: number): Promise<void>;
    delete(key: string): Promise<void>;
    close(): Promise<void>;
    /** One probe per server, rejecting when it does not answer (readiness report); absent in-process. */
    ping?(): Array<Promise<void>>;
    /** Called on every swallowed failure (metrics). */
    onError?: (operation: string) => void;
}

/** The embedded default: a bounded in-process map. */
export class MemoryCache implements Cache {
    private readonly entries = new Map<string, { value: string; expires: number }>();
    constructor(private readonly maxEntries = 10_000) {}

    async get(key: string): Promise<string | undefined> {
        const entry = this.entries.get(key);
        if (!entry) return undefined;
        if (entry.expires <= Date.now()) {
            this.entries.delete(key);
            return undefined;
        }
        return entry.value;
    }

    async set(key: string, value: string, ttlSeconds: number): Promise<void> {
        // Map iteration order is insertion order, so the first key is the oldest one.
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    }

    async delete(key: string): Promise<void> {
        this.entries.delete(key);
    }

    async close(): Promise<void> {
        this.entries.clear();
    }
}

export class MemcachedCache implements Cache {
    private readonly client: MemcachedClient;
    onError?: (operation: string) => void;

    constructor(
        options: MemcachedOptions,
        private readonly prefix = "bx:",
        private readonly logger?: Logger,
    ) {
        this.client = new MemcachedClient(options);
    }

    private failed(operation: string, error: unknown): void {
        this.onError?.(operation);
        this.logger?.debug({ err: error, operation }, "memcached failure treated as a miss");
    }

    async get(key: string): Promise<string | undefined> {
        try {
            return await this.client.get(this.prefix + key);
        } catch (error) {
            this.failed("get", error);
            return undefined;
        }
    }

    async set(key: string, value: string, ttlSeconds: number): Promise<void> {
        try {
            await this.client.set(this.prefix + key, value, ttlSeconds);
        } catch (error) {
            this.failed("set", error);
        }
    }

    async delete(key: string): Promise<void> {
        try {
            await this.client.delete(this.prefix + key);
        } catch (error) {
            this.failed("delete", error);
        }
    }

    ping(): Array<Promise<void>> {
        return this.client.ping();
    }

    async close(): Promise<void> {
        this.client.close();
    }
}

/** Returns the cached JSON value or loads, stores and returns it. undefined results are not cached. */
export async function cached<T>(
    cache: Cache,
    key: string,
    ttlSeconds: number,
    load: () => Promise<T | undefined>,
): Promise<T | undefined> {
    const hit = await cache.get(key);
    if (hit !== undefined) {
        try {
            return JSON.parse(hit) as T;
        } catch {
            // A corrupt entry is just a miss.
        }
    }
    const value = await load();
    if (value !== undefined) void cache.set(key, JSON.stringify(value), ttlSeconds);
    return value;
}
