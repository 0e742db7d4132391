import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { Logger } from "pino";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** What the room reports per open room at a scrape: its line, its real pace, and a newcomer's wait. */
export interface RoomGaugeValues {
    eventId: string;
    queueLength: number;
    admittedPerMinute: number;
    newcomerWaitSeconds: number;
    paused: boolean;
}

/** The waiting room's Prometheus metrics, on the app's registry. */
export function createRoomMetrics(registry: Registry, sample: () => Promise<RoomGaugeValues[]>) {
    let last: RoomGaugeValues[] = [];
    let sampling: Promise<void> | undefined;
    // One read of the rooms per scrape, shared by the gauges below.
    const refresh = () =>
        (sampling ??= sample()
            .then((values) => {
                last = values;
            })
            .catch(() => undefined)
            .finally(() => {
                setImmediate(() => (sampling = undefined));
            }));
    const gauge = (name: string, help: string, pick: (v: RoomGaugeValues) => number) =>
        new Gauge({
            name,
            help,
            labelNames: ["event"],
            registers: [registry],
            async collect() {
                await refresh();
                this.reset();
                for (const v of last) this.set({ event: v.eventId }, pick(v));
            },
        });
    return {
        queueLength: gauge(
            "boxoffice_waiting_room_queue_length",
            "Visitors in line and not yet admitted, per open room",
            (v) => v.queueLength,
        ),
        admittedRate: gauge(
            "boxoffice_waiting_room_admitted_per_minute",
            "Admissions per minute measured over the last minute of waiting (the configured rate until measured)",
            (v) => v.admittedPerMinute,
        ),
        newcomerWait: gauge(
            "boxoffice_waiting_room_newcomer_wait_seconds",
            "Estimated wait of a visitor joining now",
            (v) => v.newcomerWaitSeconds,
        ),
        paused: gauge("boxoffice_waiting_room_paused", "1 while admissions are held (platform unhealthy)", (v) =>
            v.paused ? 1 : 0,
        ),
        admitted: new Counter({
            name: "boxoffice_waiting_room_admitted_total",
            help: "Visitors admitted by this instance's inlet steps (sum over instances for the room)",
            labelNames: ["event"],
            registers: [registry],
        }),
        wait: new Histogram({
            name: "boxoffice_waiting_room_wait_seconds",
            help: "Time from joining (or the start, for pre-start joins) to admission, observed when the token is collected",
            buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
            registers: [registry],
        }),
        refusals: new Counter({
            name: "boxoffice_waiting_room_order_refusals_total",
            help: "Orders refused for their admission token, by reason",
            labelNames: ["reason"],
            registers: [registry],
        }),
    };
}

export type RoomMetrics = ReturnType<typeof createRoomMetrics>;

export const QUEUE_WAIT_METRIC = "QueueWaitSeconds";
export const QUEUE_LENGTH_METRIC = "QueueLength";

/**
 * Publishes the longest newcomer wait and the total line over every open room to CloudWatch each
 * minute (dimension Stack), for the queue-wait alarm and the dashboard. Every instance publishes the
 * same shared values; the alarm reads the Maximum.
 */
export class QueueMetricPublisher {
    private timer?: NodeJS.Timeout;
    private readonly client: Pick<CloudWatchClient, "send">;

    constructor(
        private readonly options: {
            namespace: string;
            stack: string;
            sample: () => Promise<RoomGaugeValues[]>;
            client?: Pick<CloudWatchClient, "send">;
            logger?: Logger;
        },
    ) {
        this.client = options.client ?? new CloudWatchClient({});
    }

    async publishOnce(): Promise<{ wait: number; length: number }> {
        const rooms = await this.options.sample();
        const wait = Math.max(0, ...rooms.map((r) => r.newcomerWaitSeconds));
        const length = rooms.reduce((sum, r) => sum + r.queueLength, 0);
        const dimensions = [{ Name: "Stack", Value: this.options.stack }];
        const timestamp = new Date();
        await this.client.send(
            new PutMetricDataCommand({
                Namespace: this.options.namespace,
                MetricData: [
                    {
                        MetricName: QUEUE_WAIT_METRIC,
                        Unit: "Seconds",
                        Value: wait,
                        Dimensions: dimensions,
                        Timestamp: timestamp,
                    },
                    {
                        MetricName: QUEUE_LENGTH_METRIC,
                        Unit: "Count",
                        Value: length,
                        Dimensions: dimensions,
                        Timestamp: timestamp,
                    },
                ],
            }),
        );
        return { wait, length };
    }

    start(intervalMs = 60_000): void {
        this.timer = setInterval(() => {
            this.publishOnce().catch((error) =>
                this.options.logger?.warn({ err: error }, "could not publish the queue metrics"),
            );
        }, intervalMs);
        this.timer.unref();
    }

    stop(): void {
        clearInterval(this.timer);
    }
}
