import type { SuiteContext } from "../api-suite";
import { adminAuthPart } from "./admin-auth";
import { degradedPart } from "./degraded";
import { eventInputPart } from "./event-input";
import { healthPart } from "./health";
import { holdPart } from "./hold";
import { orderAccessPart } from "./order-access";

/** Every part of the HTTP suite; both backends run all of them. */
export const API_PARTS: Array<(t: SuiteContext) => void> = [
    adminAuthPart,
    eventInputPart,
    healthPart,
    orderAccessPart,
    holdPart,
    degradedPart,
];
