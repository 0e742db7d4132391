/**
 * An open-loop load generator for the ticket service: buyers buy, gates scan the tickets they got,
 * browsers look the event up, on a schedule that does not wait for answers. A slow service therefore
 * shows as latency and errors, never as a politely reduced rate; a cap on requests in flight keeps the
 * generator itself bounded, and every arrival dropped at the cap is counted.
 *
 * Every purchase carries an Idempotency-Key. An ambiguous outcome (no answer, timeout, 5xx, 429) is
 * retried later with the same key, as a real client does, which also exercises the service's
 * idempotency; an order counts as acknowledged only when a 2xx body names it. Scans use the codes of
 * acknowledged orders, each once, plus a small share of deliberate re-scans that must be refused.
 */
import { randomUUID } from "node:crypto";
import { AcknowledgedOrder, acknowledgement } from "./acknowledgement";
import { HttpClient, HttpResponse } from "./http-client";
import { arrivalOffsets, validateProfile } from "./profile";
import { seededRandom } from "./random";
import { RequestRecord, isSuccess } from "./records";
import type { LoadGeneratorOptions } from "./options";
import { GeneratorCounters, RunSummary, intervalProgress, summarize } from "./summary";

export type { AcknowledgedOrder } from "./acknowledgement";
export type { RequestKind, RequestRecord } from "./records";
export type { Progress, RunSummary } from "./summary";
export type { LoadGeneratorOptions } from "./options";

type Operation =
    | { kind: "buy"; key: string; ticketTypeId: string; quantity: number; attempt: number }
    | { kind: "scan"; code: string; rescan: boolean; attempt: number }
    | { kind: "lookup"; attempt: number };

/** A Retry-After above this is not honoured literally: the run is short and the figures matter. */
const MAX_RETRY_DELAY_MS = 10_000;
/** While the in-flight cap is reached a due retry waits this long instead of being dropped. */
const RETRY_DEFER_MS = 100;

export class LoadGenerator {
    readonly records: RequestRecord[] = [];
    readonly done: Promise<void>;
    private resolveDone!: () => void;
    private readonly client: HttpClient;
    private readonly random: () => number;
    private readonly acked = new Map<string, AcknowledgedOrder>();
    private readonly admitted: Array<{ code: string; at: number }> = [];
    private readonly admittedCodes: string[] = [];
    private readonly toScan: string[] = [];
    private readonly soldOut = new Set<string>();
    private readonly retryTimers = new Set<NodeJS.Timeout>();
    private schedule?: Iterator<number>;
    private nextOffset?: number;
    private scheduleTimer?: NodeJS.Timeout;
    private deadlineTimer?: NodeJS.Timeout;
    private progressTimer?: NodeJS.Timeout;
    private startedAt = 0;
    private endedAt = 0;
    private stopReason?: string;
    private scheduleEnded = false;
    private inFlight = 0;
    private sent = 0;
    private progressFrom = { index: 0, sent: 0, at: 0 };
    private readonly counters = { retries: 0, droppedAtCap: 0, abandonedRetries: 0, maxSchedulerLagMs: 0 };

    constructor(private readonly options: LoadGeneratorOptions) {
        validateProfile(options.profile);
        for (const [name, value] of Object.entries({
            maxRequests: options.maxRequests,
            maxSeconds: options.maxSeconds,
        })) {
            if (!(Number.isFinite(value) && value > 0))
                throw new Error(`LoadGenerator: ${name} = ${value}: must be a positive number`);
        }
        if (!options.ticketTypeIds.length)
            throw new Error("LoadGenerator: ticketTypeIds must name at least one ticket type");
        const shares = {
            scanShare: options.scanShare,
            rescanShare: options.rescanShare,
            lookupShare: options.lookupShare,
        };
        for (const [name, value] of Object.entries(shares)) {
            if (value !== undefined && !(value >= 0 && value <= 1))
                throw new Error(`LoadGenerator: ${name} = ${value}: must be 0..1`);
        }
        if ((options.scanShare ?? 0.3) + (options.lookupShare ?? 0) > 1) {
            throw new Error("LoadGenerator: scanShare + lookupShare must not exceed 1");
        }
        const { min, max } = options.quantity ?? { min: 1, max: 2 };
        if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max && max <= 10)) {
            throw new Error(
                `LoadGenerator: quantity = ${min}..${max}: must be whole numbers, 1 <= min <= max <= 10 (the service's limit)`,
            );
        }
        const maxInFlight = options.maxInFlight ?? 256;
        this.client = new HttpClient({
            baseUrl: options.baseUrl,
            lookup: options.lookup,
            maxConnections: options.maxConnections ?? maxInFlight,
            timeoutMs: options.timeoutMs ?? 15_000,
            connectionMaxAgeMs: options.connectionMaxAgeMs,
            headers: options.headers,
        });
        this.random = seededRandom(options.seed ?? Date.now());
        this.done = new Promise((resolve) => (this.resolveDone = resolve));
    }

    start(): void {
        if (this.startedAt) return;
        this.startedAt = Date.now();
        this.progressFrom = { index: 0, sent: 0, at: this.startedAt };
        this.schedule = arrivalOffsets(this.options.profile);
        this.nextOffset = this.schedule.next().value as number | undefined;
        this.deadlineTimer = setTimeout(() => this.finish("max-seconds"), this.options.maxSeconds * 1000);
        if (this.options.onProgress)
            this.progressTimer = setInterval(() => this.emitProgress(), this.options.progressIntervalMs ?? 1000);
        this.tick();
    }

    /** Stops sending; resolves once the requests in flight have ended. */
    stop(): Promise<void> {
        if (!this.startedAt) {
            this.stopReason = "stopped";
            this.client.close();
            this.resolveDone();
        } else this.finish("stopped");
        return this.done;
    }

    acknowledgedOrders(): AcknowledgedOrder[] {
        return [...this.acked.values()].map((order) => ({ ...order, ticketCodes: [...order.ticketCodes] }));
    }

    /** Every scan the service answered "admitted", in order; a code listed twice was admitted twice. */
    admissions(): Array<{ code: string; at: number }> {
        return this.admitted.map((admission) => ({ ...admission }));
    }

    summary(): RunSummary {
        const seen = new Set<string>();
        let twice = 0;
        for (const { code } of this.admitted) {
            if (seen.has(code)) twice++;
            seen.add(code);
        }
        const counters: GeneratorCounters = {
            ...this.counters,
            acknowledgedOrders: this.acked.size,
            acknowledgedTickets: [...this.acked.values()].reduce((sum, order) => sum + order.ticketCodes.length, 0),
            admissions: this.admitted.length,
            codesAdmittedTwice: twice,
            connectionsOpened: this.client.stats.connectionsOpened,
            lookups: this.client.stats.lookups,
        };
        return summarize(this.records, {
            target: new URL(this.options.baseUrl).origin,
            stopReason: this.stopReason ?? "running",
            startedAt: this.startedAt,
            endedAt: this.endedAt || Date.now(),
            counters,
        });
    }

    /** Fires every arrival that is due (catching up at once after a stall: the schedule is open loop). */
    private tick(): void {
        this.scheduleTimer = undefined;
        if (this.stopReason) return;
        const now = Date.now();
        while (this.nextOffset !== undefined && this.startedAt + this.nextOffset * 1000 <= now) {
            if (this.sent + this.retryTimers.size >= this.options.maxRequests) {
                // Budget left is kept for the retries already owed.
                this.endSchedule();
                return;
            }
            const due = this.startedAt + this.nextOffset * 1000;
            this.counters.maxSchedulerLagMs = Math.max(this.counters.maxSchedulerLagMs, now - due);
            this.arrive(due);
            this.nextOffset = this.schedule!.next().value as number | undefined;
        }
        if (this.nextOffset === undefined) {
            this.endSchedule();
            return;
        }
        this.scheduleTimer = setTimeout(
            () => this.tick(),
            Math.max(0, this.startedAt + this.nextOffset * 1000 - Date.now()),
        );
    }

    private endSchedule(): void {
        this.scheduleEnded = true;
        this.finishIfIdle();
    }

    private finishIfIdle(): void {
        if (this.scheduleEnded && this.inFlight === 0 && this.retryTimers.size === 0) {
            this.finish(
                this.sent >= this.options.maxRequests || this.nextOffset !== undefined
                    ? "max-requests"
                    : "profile-complete",
            );
        }
    }

    private arrive(due: number): void {
        if (this.inFlight >= (this.options.maxInFlight ?? 256)) {
            this.counters.droppedAtCap++;
            return;
        }
        void this.execute(this.nextOperation(), due);
    }

    private nextOperation(): Operation {
        const roll = this.random();
        const lookupShare = this.options.lookupShare ?? 0;
        if (roll < lookupShare) return { kind: "lookup", attempt: 1 };
        if (roll < lookupShare + (this.options.scanShare ?? 0.3)) {
            const rescan = this.admittedCodes.length > 0 && this.random() < (this.options.rescanShare ?? 0.05);
            if (rescan) {
                const code = this.admittedCodes[Math.floor(this.random() * this.admittedCodes.length)];
                return { kind: "scan", code, rescan, attempt: 1 };
            }
            const code = this.toScan.shift();
            if (code !== undefined) return { kind: "scan", code, rescan: false, attempt: 1 };
        }
        const open = this.options.ticketTypeIds.filter((id) => !this.soldOut.has(id));
        const types = open.length ? open : this.options.ticketTypeIds;
        const { min, max } = this.options.quantity ?? { min: 1, max: 2 };
        return {
            kind: "buy",
            key: randomUUID(),
            ticketTypeId: types[Math.floor(this.random() * types.length)],
            quantity: min + Math.floor(this.random() * (max - min + 1)),
            attempt: 1,
        };
    }

    private async execute(operation: Operation, startedAt: number): Promise<void> {
        this.sent++;
        this.inFlight++;
        let response: HttpResponse;
        try {
            response = await this.send(operation);
        } finally {
            this.inFlight--;
        }
        const record: RequestRecord = {
            kind: operation.kind,
            startedAt,
            endedAt: Date.now(),
            status: response.status,
            attempt: operation.attempt,
        };
        const body = (response.body ?? {}) as Record<string, unknown>;
        if (response.status === 0) record.error = response.error;
        else if (typeof body.error === "string") record.error = body.error;
        if (operation.kind === "buy") record.idempotencyKey = operation.key;
        if (operation.kind === "scan" && operation.rescan) record.rescan = true;
        this.records.push(record);
        this.handle(operation, response, record, body);
        this.finishIfIdle();
        this.settleIfDrained();
    }

    private send(operation: Operation): Promise<HttpResponse> {
        const event = encodeURIComponent(this.options.eventId);
        switch (operation.kind) {
            case "buy":
                return this.client.request("POST", `/events/${event}/orders`, {
                    headers: { "idempotency-key": operation.key },
                    json: {
                        ticketTypeId: operation.ticketTypeId,
                        quantity: operation.quantity,
                        email: this.options.email ?? "success+loadgen@simulator.amazonses.com",
                    },
                });
            case "scan":
                return this.client.request("POST", "/checkins", {
                    json: { code: operation.code, gate: this.options.gate ?? "loadgen" },
                });
            case "lookup":
                return this.client.request("GET", `/events/${event}`);
        }
    }

    private handle(
        operation: Operation,
        response: HttpResponse,
        record: RequestRecord,
        body: Record<string, unknown>,
    ): void {
        const ambiguous = response.status === 0 || response.status >= 500 || response.status === 429;
        if (operation.kind === "buy") {
            if (isSuccess(record)) {
                const order = acknowledgement(operation, body);
                if (order) {
                    record.orderId = order.orderId;
                    if (!this.acked.has(operation.key)) {
                        this.acked.set(operation.key, order);
                        this.toScan.push(...order.ticketCodes);
                    }
                    return;
                }
                // A 2xx without a usable order is no acknowledgement: ask again under the same key.
                record.error = "2xx_without_order";
                this.retry(operation, response);
            } else if (ambiguous) {
                this.retry(operation, response);
            } else if (response.status === 409 && body.error === "sold_out") {
                this.soldOut.add(operation.ticketTypeId);
            }
        } else if (operation.kind === "scan") {
            if (isSuccess(record) && body.status === "admitted") {
                this.admitted.push({ code: operation.code, at: record.endedAt });
                if (!operation.rescan) this.admittedCodes.push(operation.code);
            } else if (response.status === 409 && !operation.rescan && operation.attempt > 1) {
                // The lost answer of an earlier try admitted this ticket: it may be re-scanned like the others.
                this.admittedCodes.push(operation.code);
            } else if (ambiguous) {
                this.retry(operation, response);
            }
        }
    }

    /** Schedules the same operation again (same key or code) after Retry-After or an exponential backoff. */
    private retry(operation: Operation, response: HttpResponse): void {
        if (operation.kind === "lookup" || this.stopReason) return;
        if (operation.attempt >= (this.options.maxAttempts ?? 6)) return;
        const retryAfter = Number(response.headers["retry-after"]);
        const backoff = Math.min(5000, 500 * 2 ** (operation.attempt - 1)) * (0.5 + this.random());
        const delay = Math.min(
            MAX_RETRY_DELAY_MS,
            Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : backoff,
        );
        const again = { ...operation, attempt: operation.attempt + 1 };
        const fire = () => {
            this.retryTimers.delete(timer);
            if (this.stopReason || this.sent >= this.options.maxRequests) {
                this.counters.abandonedRetries++;
                this.finishIfIdle();
                return;
            }
            if (this.inFlight >= (this.options.maxInFlight ?? 256)) {
                timer = setTimeout(fire, RETRY_DEFER_MS);
                this.retryTimers.add(timer);
                return;
            }
            this.counters.retries++;
            void this.execute(again, Date.now());
        };
        let timer = setTimeout(fire, delay);
        this.retryTimers.add(timer);
    }

    private finish(reason: string): void {
        if (this.stopReason) return;
        this.stopReason = reason;
        clearTimeout(this.scheduleTimer);
        clearTimeout(this.deadlineTimer);
        this.counters.abandonedRetries += this.retryTimers.size;
        for (const timer of this.retryTimers) clearTimeout(timer);
        this.retryTimers.clear();
        this.settleIfDrained();
    }

    /** After finish: the run ends when the last request in flight has its answer (or its timeout). */
    private settleIfDrained(): void {
        if (!this.stopReason || this.inFlight > 0 || this.endedAt) return;
        this.endedAt = Date.now();
        clearInterval(this.progressTimer);
        // The last partial interval, unless the timer just reported it.
        if (this.options.onProgress && this.records.length > this.progressFrom.index) this.emitProgress();
        this.client.close();
        this.resolveDone();
    }

    private emitProgress(): void {
        const now = Date.now();
        const progress = intervalProgress(this.records.slice(this.progressFrom.index), {
            profile: this.options.profile,
            from: (this.progressFrom.at - this.startedAt) / 1000,
            to: (now - this.startedAt) / 1000,
            sentInInterval: this.sent - this.progressFrom.sent,
            inFlight: this.inFlight,
            sent: this.sent,
            acknowledgedOrders: this.acked.size,
            admitted: this.admitted.length,
            retries: this.counters.retries,
            droppedAtCap: this.counters.droppedAtCap,
        });
        this.progressFrom = { index: this.records.length, sent: this.sent, at: now };
        this.options.onProgress?.(progress);
    }
}
