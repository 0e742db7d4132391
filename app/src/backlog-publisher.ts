import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { Logger } from "pino";

export const BACKLOG_METRIC_NAME = "OrderBacklog";

/**
 * Publishes the unsent-outbox count to CloudWatch every interval: the worker service scales on it
 * (target tracking on OrderBacklog, dimension Stack).
 */
export class BacklogPublisher {
    private timer?: NodeJS.Timeout;
    private readonly client: Pick<CloudWatchClient, "send">;

    constructor(
        private readonly options: {
            namespace: string;
            stack: string;
            count: () => Promise<number>;
            intervalMs?: number;
            logger?: Logger;
            client?: Pick<CloudWatchClient, "send">;
        },
    ) {
        this.client = options.client ?? new CloudWatchClient({});
    }

    async publishOnce(): Promise<number> {
        const value = await this.options.count();
        await this.client.send(
            new PutMetricDataCommand({
                Namespace: this.options.namespace,
                MetricData: [
                    {
                        MetricName: BACKLOG_METRIC_NAME,
                        Unit: "Count",
                        Value: value,
                        Dimensions: [{ Name: "Stack", Value: this.options.stack }],
                        Timestamp: new Date(),
                    },
                ],
            }),
        );
        return value;
    }

    start(): void {
        const tick = () =>
            this.publishOnce().catch((error) =>
                this.options.logger?.warn({ err: error }, "could not publish the backlog metric"),
            );
        void tick();
        this.timer = setInterval(tick, this.options.intervalMs ?? 60_000);
        this.timer.unref();
    }

    stop(): void {
        clearInterval(this.timer);
    }
}
