/** The `ScheduledScaling` component's arguments and their contract (schema, defaults): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { defineContract, field } from "../contract";
import type { Transform } from "../transform";
import { taskCount } from "./autoscaled-service-args";
import type { Capacity, OnSaleSpec, ScheduleSpec, ServiceRole } from "./schedule-plan";
import { isIanaTimeZone, scheduleExpressionProblem } from "./schedule-rules";

/** Application Auto Scaling allows 200 scheduled actions per scalable target; 50 schedules stay well under. */
export const MAX_SCHEDULES = 50;

const timeZone = z
    .string({ error: "must be an IANA time zone, e.g. Europe/Dublin" })
    .refine(isIanaTimeZone, "must be an IANA time zone, e.g. Europe/Dublin");
const localDateTime = field
    .text(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, "a local date and time yyyy-mm-ddThh:mm:ss")
    .refine((v) => scheduleExpressionProblem(`at(${v})`) === undefined, "must be a real date and time");
const capacity = {
    appMinTasks: taskCount().optional(),
    appMaxTasks: taskCount().optional(),
    workerMinTasks: taskCount().optional(),
    workerMaxTasks: taskCount().optional(),
};

/** One recurring or one-off capacity change. */
export const scheduleSchema = z.strictObject({
    name: field.text(/^[A-Za-z0-9][A-Za-z0-9-]{0,40}$/, "letters, digits and dashes, at most 41 characters"),
    schedule: field.checked(scheduleExpressionProblem, "cron(...), rate(...) or at(...)"),
    timezone: timeZone,
    ...capacity,
});

/** A known sale: both services raised ahead of it and restored at its end. */
export const onSaleSchema = z.strictObject({
    name: field.text(/^[A-Za-z0-9][A-Za-z0-9-]{0,30}$/, "letters, digits and dashes, at most 31 characters"),
    start: localDateTime,
    end: localDateTime,
    timezone: timeZone,
    leadMinutes: field.int(0, 1440, "minutes the floor is raised before the sale starts, for Fargate start-up"),
    ...capacity,
});

export const SCHEDULED_SCALING_CONTRACT = defineContract({
    component: "ScheduledScaling",
    fields: {
        schedules: z
            .array(scheduleSchema, { error: "must be a list of schedules" })
            .max(
                MAX_SCHEDULES,
                `at most ${MAX_SCHEDULES} schedules (keeps under the 200 scheduled actions per scalable target)`,
            ),
        onSale: onSaleSchema.nullable(),
    },
    defaults: { schedules: [], onSale: null },
});

export interface ScaledServiceRef {
    /** `service/<cluster>/<service>`. */
    resourceId: pulumi.Input<string>;
    /** The service's configured capacity, restored after an on-sale. */
    capacity: Capacity;
    /** The scalable target; actions wait for it (a scheduled action needs a registered target). */
    target: pulumi.Resource;
}

export interface ScheduledScalingArgs {
    /** The services to scale, by role (`app`, `worker`): each one's scalable target and configured capacity. */
    services: Record<ServiceRole, ScaledServiceRef>;
    /** Recurring or one-off capacity changes, at most 50. @default [] */
    schedules?: ScheduleSpec[];
    /** A known sale: raise both services `leadMinutes` before start, restore at end. @default null */
    onSale?: OnSaleSpec | null;
    /** Adjust every scheduled action's arguments (see `Transform`). @default undefined */
    transform?: { scheduledAction?: Transform<aws.appautoscaling.ScheduledActionArgs> };
}
