/** What the waiting room answers and what it is built from. */
import type { Logger } from "pino";
import type { Database } from "../db/database";
import type { AdmissionGuard } from "../services/purchase";
import type { HealthGate } from "./health-gate";
import type { RoomMetrics } from "./metrics";
import type { RoomPasses } from "./passes";
import type { WaitingRoomSettings } from "./settings";
import type { RoomStore } from "./store";

/** A visitor's place in line, as the queue endpoints return it. */
export interface QueueAnswer {
    queueTicket: string;
    visitorId?: string;
    state: "before-start" | "waiting" | "admitted" | "expired";
    position: number | null;
    aheadOfYou: number | null;
    etaSeconds: number;
    admitted: boolean;
    admissionToken?: string;
    admissionExpiresAt?: string;
    opensAt: string;
    paused: boolean;
    pollAfterSeconds: number;
}

/** What the order route gets back: the transaction guard, and what to do once the order exists. */
export interface OrderAdmission {
    guard: AdmissionGuard;
    finished: () => void;
}

/** The waiting room's collaborators; `clock` and `logger` default to the real ones. */
export interface WaitingRoomDeps {
    writer: Database;
    store: RoomStore;
    passes: RoomPasses;
    settings: WaitingRoomSettings;
    health: HealthGate;
    metrics: RoomMetrics;
    clock?: () => number;
    logger?: Logger;
}
