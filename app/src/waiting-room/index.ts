import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Database } from "../db/database";
import type { ModeStore } from "../mode-store";
import type { TicketSigner } from "../tickets/codes";
import { HealthGate } from "./health-gate";
import { createRoomMetrics, QueueMetricPublisher } from "./metrics";
import { RoomPasses } from "./passes";
import { WaitingRoom } from "./service";
import { WAITING_ROOM_DEFAULTS, WaitingRoomSettings } from "./settings";
import { MemoryRoomStore, RoomStore } from "./store";

/** How the app's waiting room is wired; everything has an embedded default. */
export interface WaitingRoomOptions {
    /** Redis in production (runtime.ts); the in-process store otherwise. */
    store?: RoomStore;
    settings?: WaitingRoomSettings;
    /** Start the inlet steps, the health checks and the CloudWatch publisher (the server does; tests step by hand). */
    start?: boolean;
    /** The CloudWatch dimension `Stack`. */
    stack?: string;
    cloudWatch?: Pick<CloudWatchClient, "send">;
    clock?: () => number;
}

export function createWaitingRoom(
    deps: { writer: Database; signer: TicketSigner; mode: ModeStore; registry: Registry; logger?: Logger },
    options: WaitingRoomOptions = {},
): { room: WaitingRoom; close: () => void } {
    const settings = options.settings ?? WAITING_ROOM_DEFAULTS;
    const health = new HealthGate({
        ping: () => deps.writer.query("SELECT 1"),
        mode: deps.mode,
        errorPercent: settings.pauseErrorPercent,
        alarmPrefixes: settings.pauseAlarmPrefixes,
        cloudWatch: options.cloudWatch,
        clock: options.clock,
        logger: deps.logger,
    });
    // The metrics read the room lazily (on scrape), so they may be created before it.
    const metrics = createRoomMetrics(deps.registry, () => room.sample());
    const room = new WaitingRoom({
        writer: deps.writer,
        store: options.store ?? new MemoryRoomStore(),
        // Its own key, derived from the ticket-signing seed: never the signing key itself.
        passes: new RoomPasses(deps.signer.deriveKey("waiting-room-v1")),
        settings,
        health,
        metrics,
        clock: options.clock,
        logger: deps.logger,
    });
    const publisher = settings.metricNamespace
        ? new QueueMetricPublisher({
              namespace: settings.metricNamespace,
              stack: options.stack ?? "local",
              sample: () => room.sample(),
              client: options.cloudWatch,
              logger: deps.logger,
          })
        : undefined;
    if (options.start) {
        room.start();
        publisher?.start();
    }
    return {
        room,
        close: () => {
            room.stop();
            publisher?.stop();
        },
    };
}

export { WaitingRoom } from "./service";
