import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per app instance so tests can build several apps in one process. */
export function createMetrics(backlog: () => Promise<number>) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return {
        registry,
        orders: new Counter({
            name: "boxoffice_orders_total",
            help: "Purchase answers by result (created, replayed, sold_out, sales_closed, idempotency_mismatch, read_only, on_hold)",
            labelNames: ["result"],
            registers: [registry],
        }),
        soldOut: new Counter({ name: "boxoffice_sold_out_total", help: "409 sold_out answers", registers: [registry] }),
        checkins: new Counter({
            name: "boxoffice_checkins_total",
            help: "Check-in answers by result (admitted, already_checked_in, invalid_code, read_only, on_hold)",
            labelNames: ["result"],
            registers: [registry],
        }),
        purchaseRetries: new Counter({
            name: "boxoffice_purchase_retries_total",
            help: "Purchase transactions retried after serialization or connection errors",
            registers: [registry],
        }),
        cacheErrors: new Counter({
            name: "boxoffice_cache_errors_total",
            help: "Cache operations that failed and were treated as misses",
            labelNames: ["operation"],
            registers: [registry],
        }),
        httpDuration: new Histogram({
            name: "boxoffice_http_request_duration_seconds",
            help: "HTTP request latency by route and status",
            labelNames: ["method", "route", "status"],
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            registers: [registry],
        }),
        backlog: new Gauge({
            name: "boxoffice_order_backlog",
            help: "Outbox rows (order confirmations) not yet sent",
            registers: [registry],
            async collect() {
                try {
                    this.set(await backlog());
                } catch {
                    // Leave the last value: a scrape must not fail because the database is briefly away.
                }
            },
        }),
    };
}

export type Metrics = ReturnType<typeof createMetrics>;
