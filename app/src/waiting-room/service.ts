import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { HttpError } from "../errors";
import { AdmissionChecks } from "./admission";
import type { HealthGate } from "./health-gate";
import { etaRatePerMinute, etaSeconds, measuredPerMinute, pollAfterSeconds } from "./inlet";
import type { RoomGaugeValues } from "./metrics";
import type { AdmissionToken, QueueTicket } from "./passes";
import { RoomConfig, RoomConfigs, RoomInput, roomParams } from "./rooms";
import type { OrderAdmission, QueueAnswer, WaitingRoomDeps } from "./service-types";
import type { RoomParams, RoomStore, Snapshot, TicketRecord } from "./store";

/** Each instance steps every open room's inlet this often (jittered so instances interleave). */
export const TICK_EVERY_MS = 250;
/** How often an instance writes the serving counter's floor to the database. */
const FLOOR_EVERY_MS = 5_000;
/** A pause reported by any instance within this long shows in every status answer. */
const PAUSE_VISIBLE_MS = 3_000;
/** How long an order waits for a first read of the rooms before leaving the decision to its transaction. */
const CONFIG_WAIT_MS = 1000;
/** Random pre-start scores below 2^48 (crypto.randomInt's limit), exact in a double and in a Redis sorted-set score. */
const SCORE_RANGE = 2 ** 48 - 1;

export type { OrderAdmission, QueueAnswer, WaitingRoomDeps } from "./service-types";

export const VISITOR_ID_PATTERN = "^[A-Za-z0-9_-]{16,128}$";

export class WaitingRoom {
    readonly configs: RoomConfigs;
    private readonly clock: () => number;
    private timer?: NodeJS.Timeout;
    private ticking = false;
    private readonly floorsWrittenAt = new Map<string, number>();
    private readonly admissions: AdmissionChecks;

    constructor(private readonly deps: WaitingRoomDeps) {
        this.clock = deps.clock ?? Date.now;
        this.configs = new RoomConfigs(deps.writer, this.clock);
        this.admissions = new AdmissionChecks(deps.passes, deps.metrics, this.clock);
    }

    get health(): HealthGate {
        return this.deps.health;
    }

    get store(): RoomStore {
        return this.deps.store;
    }

    private params(config: RoomConfig): RoomParams {
        return roomParams(config, {
            collectMs: this.deps.settings.collectSeconds * 1000,
            tokenTtlMs: this.deps.settings.tokenTtlSeconds * 1000,
        });
    }

    /** Open (or scheduled) rooms: those whose queue exists. An auto-opening room waits for its trigger. */
    private async openRoom(eventId: string): Promise<RoomConfig | undefined> {
        const config = await this.configs.get(eventId);
        return config && config.opensAtMs !== null ? config : undefined;
    }

    private storeCall<T>(call: Promise<T>): Promise<T> {
        return call.catch((error) => {
            this.deps.logger?.warn({ err: error }, "waiting room store failed");
            throw new HttpError(
                503,
                "queue_unavailable",
                "the waiting room is briefly unavailable; retry shortly",
                {},
                { "retry-after": "2" },
            );
        });
    }

    // ---- admin ----

    async configure(eventId: string, input: RoomInput) {
        const config = await this.configs.save(eventId, input, this.clock());
        return this.view(config);
    }

    async remove(eventId: string): Promise<boolean> {
        const removed = await this.configs.remove(eventId);
        if (removed) await this.deps.store.drop(removed.roomId).catch(() => undefined);
        return removed !== undefined;
    }

    async describe(eventId: string) {
        const config = await this.configs.get(eventId);
        if (!config) return undefined;
        const view = this.view(config);
        if (config.opensAtMs === null) return view;
        const snapshot = await this.storeCall(this.deps.store.snapshot(this.params(config), this.clock()));
        const gauges = this.gauges(config, snapshot);
        return {
            ...view,
            queued: snapshot.tail,
            admitted: snapshot.served,
            waiting: gauges.queueLength,
            active: snapshot.active,
            admittedPerMinute: gauges.admittedPerMinute,
            newcomerWaitSeconds: gauges.newcomerWaitSeconds,
            paused: gauges.paused,
            health: this.deps.health.current(),
        };
    }

    private view(config: RoomConfig) {
        const now = this.clock();
        return {
            eventId: config.eventId,
            roomId: config.roomId,
            admitPerMinute: config.admitPerMinute,
            maxActive: config.maxActive,
            opensAt: config.opensAtMs === null ? null : new Date(config.opensAtMs).toISOString(),
            autoOpenOrdersPerMinute: config.autoOpenOrdersPerMinute,
            state: config.opensAtMs === null ? "armed" : config.opensAtMs > now ? "before-start" : "open",
        };
    }

    // ---- visitors ----

    /** Joins the line; undefined when the event has no open room (the caller answers "admitted"). */
    async join(
        eventId: string,
        visitorId: string | undefined,
    ): Promise<{ created: boolean; answer: QueueAnswer } | undefined> {
        const config = await this.openRoom(eventId);
        if (!config) return undefined;
        const id = visitorId ?? randomBytes(16).toString("base64url");
        const visitor = this.deps.passes.visitorHash(id);
        const params = this.params(config);
        const fresh = { ticketId: randomUUID(), score: randomInt(SCORE_RANGE) };
        const { record, created } = await this.storeCall(this.deps.store.join(params, visitor, fresh, this.clock()));
        const ticket = { roomId: config.roomId, ...record, visitor };
        const answer = await this.answer(config, ticket, record);
        return { created, answer: { ...answer, visitorId: id } };
    }

    async status(eventId: string, queueTicket: string, visitorId: string | undefined): Promise<QueueAnswer> {
        const ticket = this.deps.passes.readTicket(queueTicket);
        if (!ticket) throw new HttpError(400, "invalid_ticket", "not a queue ticket issued by this service");
        const config = await this.openRoom(eventId);
        if (!config || config.roomId !== ticket.roomId) {
            throw new HttpError(410, "room_closed", "this event's waiting room was turned off or replaced; join again");
        }
        if (!visitorId || this.deps.passes.visitorHash(visitorId) !== ticket.visitor) {
            throw new HttpError(
                403,
                "visitor_mismatch",
                "the Visitor-Id header must carry the visitorId this ticket was issued to",
            );
        }
        return this.answer(config, ticket, ticket, queueTicket);
    }

    private async answer(
        config: RoomConfig,
        ticket: QueueTicket,
        record: TicketRecord,
        text?: string,
    ): Promise<QueueAnswer> {
        const now = this.clock();
        const params = this.params(config);
        const status = await this.storeCall(this.deps.store.status(params, record, now, randomInt(SCORE_RANGE)));
        if (status.lost)
            throw new HttpError(404, "ticket_lost", "this place was lost with the queue's last writes; join again");
        const queueTicket = text ?? this.deps.passes.ticket(ticket);
        const opensAt = new Date(config.opensAtMs!).toISOString();
        const paused = now - status.pausedAtMs < PAUSE_VISIBLE_MS;
        const rate = this.rate(config, status, now);
        const base = { queueTicket, opensAt, paused };
        if (status.admission.state === "admitted") {
            const { expiresAtMs, firstCollect } = status.admission;
            if (firstCollect)
                this.deps.metrics.wait.observe((now - Math.max(record.joinedAtMs, config.opensAtMs!)) / 1000);
            const claims: AdmissionToken = {
                roomId: config.roomId,
                eventId: config.eventId,
                ticketId: record.ticketId,
                position: status.position!,
                expiresAtMs,
            };
            return {
                ...base,
                state: "admitted",
                position: status.position!,
                aheadOfYou: 0,
                etaSeconds: 0,
                admitted: true,
                admissionToken: this.deps.passes.token(claims),
                admissionExpiresAt: new Date(expiresAtMs).toISOString(),
                pollAfterSeconds: 15,
            };
        }
        if (status.admission.state === "over") {
            return {
                ...base,
                state: "expired",
                position: status.position ?? null,
                aheadOfYou: null,
                etaSeconds: 0,
                admitted: false,
                pollAfterSeconds: 15,
            };
        }
        if (status.position === undefined) {
            // Before the start: the draw will place this visitor uniformly among the pre-start joins.
            const eta = etaSeconds((status.preCount - 1) / 2, rate, config.opensAtMs! - now);
            return {
                ...base,
                state: "before-start",
                position: null,
                aheadOfYou: null,
                etaSeconds: eta,
                admitted: false,
                pollAfterSeconds: pollAfterSeconds(eta),
            };
        }
        const ahead = Math.max(0, status.position - status.served - 1);
        const eta = etaSeconds(ahead, rate, Math.max(0, config.opensAtMs! - now));
        return {
            ...base,
            state: "waiting",
            position: status.position,
            aheadOfYou: ahead,
            etaSeconds: eta,
            admitted: false,
            pollAfterSeconds: pollAfterSeconds(eta),
        };
    }

    private rate(config: RoomConfig, snapshot: Snapshot, now: number): number {
        return etaRatePerMinute(
            measuredPerMinute(snapshot.samples, now, snapshot.served),
            config.admitPerMinute,
            config.maxActive,
            this.deps.settings.tokenTtlSeconds * 1000,
        );
    }

    // ---- orders ----

    /**
     * Checks an order's admission before any database work (forged, expired, other-event tokens never
     * reach it) and returns the guard that records the single use inside the purchase transaction.
     */
    async admit(eventId: string, header: string | undefined): Promise<OrderAdmission> {
        let token: AdmissionToken | undefined;
        const config = await this.configIfKnown(eventId);
        if (config === "unknown") {
            // The configuration could not be read (the database is away): check what the token says by itself and
            // let the purchase transaction decide whether one is needed, with its own retries and deadline.
            if (header) token = this.admissions.check(eventId, undefined, header);
        } else if (config && config.opensAtMs === null) {
            await this.countForAutoOpen(config);
        } else if (config) {
            token = this.admissions.check(eventId, config, header);
        }
        return {
            guard: (tx, orderId, openRoomId) => this.admissions.guard(tx, eventId, token, orderId, openRoomId),
            finished: () => {
                if (token) void this.deps.store.finish(token.roomId, token.position).catch(() => undefined);
            },
        };
    }

    private async configIfKnown(eventId: string): Promise<RoomConfig | undefined | "unknown"> {
        let timer: NodeJS.Timeout | undefined;
        try {
            return await Promise.race([
                this.configs.get(eventId),
                new Promise<"unknown">((resolve) => {
                    timer = setTimeout(() => resolve("unknown"), CONFIG_WAIT_MS);
                }),
            ]);
        } catch {
            return "unknown";
        } finally {
            clearTimeout(timer);
        }
    }

    private async countForAutoOpen(config: RoomConfig): Promise<void> {
        try {
            const perMinute = await this.deps.store.countOrder(config.eventId, this.clock());
            if (perMinute > config.autoOpenOrdersPerMinute!) {
                await this.configs.open(config.eventId, this.clock());
                this.deps.logger?.warn(
                    { eventId: config.eventId, perMinute },
                    "waiting room opened: order rate above its limit",
                );
            }
        } catch (error) {
            // Counting is best effort: an order must not fail because Redis is briefly away.
            this.deps.logger?.warn({ err: error }, "waiting room: could not count the order for auto-open");
        }
    }

    // ---- the inlet ----

    start(): void {
        this.deps.health.start();
        const step = () => {
            void this.tickAll();
            this.timer = setTimeout(step, TICK_EVERY_MS * (0.8 + 0.4 * Math.random()));
            this.timer.unref();
        };
        step();
    }

    stop(): void {
        clearTimeout(this.timer);
        this.deps.health.stop();
    }

    /** One inlet step for every open room; returns the admissions made. */
    async tickAll(): Promise<number> {
        if (this.ticking) return 0;
        this.ticking = true;
        let admitted = 0;
        try {
            const now = this.clock();
            const paused = !this.deps.health.current().ok;
            for (const config of await this.configs.all()) {
                if (config.opensAtMs === null || config.opensAtMs > now) continue;
                const result = await this.deps.store.tick(this.params(config), now, paused);
                admitted += result.admitted;
                if (result.admitted > 0) this.deps.metrics.admitted.inc({ event: config.eventId }, result.admitted);
                if (
                    result.served > config.servedFloor &&
                    now - (this.floorsWrittenAt.get(config.roomId) ?? 0) >= FLOOR_EVERY_MS
                ) {
                    this.floorsWrittenAt.set(config.roomId, now);
                    await this.configs.raiseFloor(config.roomId, result.served);
                }
            }
        } catch (error) {
            this.deps.logger?.warn({ err: error }, "waiting room inlet step failed");
        } finally {
            this.ticking = false;
        }
        return admitted;
    }

    private gauges(config: RoomConfig, snapshot: Snapshot): RoomGaugeValues {
        const now = this.clock();
        const rate = this.rate(config, snapshot, now);
        const waiting = Math.max(0, snapshot.tail - snapshot.served) + (snapshot.sealed ? 0 : snapshot.preCount);
        return {
            eventId: config.eventId,
            queueLength: waiting,
            admittedPerMinute: rate,
            newcomerWaitSeconds: etaSeconds(waiting, rate, Math.max(0, config.opensAtMs! - now)),
            paused: now - snapshot.pausedAtMs < PAUSE_VISIBLE_MS,
        };
    }

    /** Per open room, for /metrics and CloudWatch. */
    async sample(): Promise<RoomGaugeValues[]> {
        const values: RoomGaugeValues[] = [];
        for (const config of await this.configs.all()) {
            if (config.opensAtMs === null) continue;
            values.push(this.gauges(config, await this.deps.store.snapshot(this.params(config), this.clock())));
        }
        return values;
    }
}
