import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { Logger } from "pino";
import type { ModeStore } from "../mode-store";

/**
 * Whether the inlet may admit now. Admitting more buyers into a platform that cannot take their
 * orders only turns a queue into errors, so the inlet holds while any of these says no:
 *
 * - the writer missed PING_FAILURES pings in a row, each given PING_TIMEOUT_MS (what /readyz checks; a
 *   failover), so one slow answer on a busy instance does not stop the room;
 * - the service mode is not read-write (an operator's switchover, or the mode is not known);
 * - 5xx answers exceed `errorPercent` of at least MIN_REQUESTS requests over the last 30 s;
 * - a CloudWatch alarm whose name starts with one of `alarmPrefixes` is in ALARM (the platform's
 *   view: database CPU, the load balancers' 5xx rate and latency), polled every ALARM_POLL_MS.
 *
 * Each instance judges for itself; an unhealthy instance's inlet steps discard the accumulated
 * credit (see admitStep), so a fleet-wide problem stops admissions and its end is not a burst.
 */
const PING_EVERY_MS = 1000;
const PING_TIMEOUT_MS = 1000;
const PING_FAILURES = 2;
const WINDOW_BUCKET_MS = 10_000;
const WINDOW_BUCKETS = 3;
const MIN_REQUESTS = 50;
const ALARM_POLL_MS = 30_000;

export interface HealthOptions {
    ping: () => Promise<unknown>;
    mode: ModeStore;
    errorPercent: number;
    alarmPrefixes?: string[];
    cloudWatch?: Pick<CloudWatchClient, "send">;
    clock?: () => number;
    logger?: Logger;
}

export interface HealthView {
    ok: boolean;
    reasons: string[];
}

export class HealthGate {
    private databaseOk = true;
    private failedPings = 0;
    private alarming: string[] = [];
    private buckets: Array<{ start: number; total: number; errors: number }> = [];
    private timers: NodeJS.Timeout[] = [];
    private readonly clock: () => number;

    constructor(private readonly options: HealthOptions) {
        this.clock = options.clock ?? Date.now;
    }

    start(): void {
        const ping = () => void this.checkDatabase();
        this.timers.push(setInterval(ping, PING_EVERY_MS));
        if (this.options.alarmPrefixes?.length) {
            void this.checkAlarms();
            this.timers.push(setInterval(() => void this.checkAlarms(), ALARM_POLL_MS));
        }
        for (const timer of this.timers) timer.unref();
    }

    stop(): void {
        for (const timer of this.timers) clearInterval(timer);
        this.timers = [];
    }

    /** Every HTTP answer, from the app's onResponse hook. */
    observe(statusCode: number): void {
        const now = this.clock();
        let bucket = this.buckets[this.buckets.length - 1];
        if (!bucket || now - bucket.start >= WINDOW_BUCKET_MS) {
            bucket = { start: now, total: 0, errors: 0 };
            this.buckets = [...this.buckets.slice(-(WINDOW_BUCKETS - 1)), bucket];
        }
        bucket.total++;
        if (statusCode >= 500) bucket.errors++;
    }

    current(): HealthView {
        const reasons: string[] = [];
        if (!this.databaseOk) reasons.push("database");
        if (this.options.mode.current() !== "read-write") reasons.push("mode");
        const now = this.clock();
        const recent = this.buckets.filter((b) => now - b.start < WINDOW_BUCKET_MS * WINDOW_BUCKETS);
        const total = recent.reduce((sum, b) => sum + b.total, 0);
        const errors = recent.reduce((sum, b) => sum + b.errors, 0);
        if (total >= MIN_REQUESTS && (errors * 100) / total >= this.options.errorPercent) reasons.push("error-rate");
        if (this.alarming.length > 0) reasons.push("alarm");
        return { ok: reasons.length === 0, reasons };
    }

    async checkDatabase(): Promise<boolean> {
        let timer: NodeJS.Timeout | undefined;
        try {
            await Promise.race([
                this.options.ping(),
                new Promise((_, reject) => {
                    timer = setTimeout(() => reject(new Error("database ping timed out")), PING_TIMEOUT_MS);
                }),
            ]);
            this.failedPings = 0;
            this.databaseOk = true;
        } catch (error) {
            this.failedPings++;
            if (this.failedPings >= PING_FAILURES) {
                if (this.databaseOk)
                    this.options.logger?.warn({ err: error }, "waiting room: database unreachable, admissions held");
                this.databaseOk = false;
            }
        } finally {
            clearTimeout(timer);
        }
        return this.databaseOk;
    }

    /** Alarms in ALARM among those named by the prefixes; a failed call keeps the last answer. */
    async checkAlarms(): Promise<string[]> {
        const prefixes = this.options.alarmPrefixes ?? [];
        const client = this.options.cloudWatch ?? (this.options.cloudWatch = new CloudWatchClient({}));
        try {
            const alarming: string[] = [];
            for (const prefix of prefixes) {
                let nextToken: string | undefined;
                do {
                    const page = await client.send(
                        new DescribeAlarmsCommand({
                            AlarmNamePrefix: prefix,
                            StateValue: "ALARM",
                            AlarmTypes: ["MetricAlarm"],
                            NextToken: nextToken,
                        }),
                    );
                    alarming.push(...(page.MetricAlarms ?? []).map((alarm) => alarm.AlarmName ?? prefix));
                    nextToken = page.NextToken;
                } while (nextToken);
            }
            if (alarming.length > 0 && this.alarming.length === 0) {
                this.options.logger?.warn({ alarms: alarming }, "waiting room: platform alarm firing, admissions held");
            }
            this.alarming = alarming;
        } catch (error) {
            this.options.logger?.warn(
                { err: error },
                "waiting room: could not read alarm states; keeping the last answer",
            );
        }
        return this.alarming;
    }
}
