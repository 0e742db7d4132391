import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { child } from "../transform";
import { PlannedAction, planScheduledActions } from "./schedule-plan";
import { SCHEDULED_SCALING_CONTRACT, ScheduledScalingArgs } from "./scheduled-scaling-args";

export type { ScaledServiceRef, ScheduledScalingArgs } from "./scheduled-scaling-args";

/**
 * Application Auto Scaling scheduled actions for the app and worker: the "timed instances" of the old
 * platform. A schedule sets the min and/or max of the services it names; target tracking keeps working
 * inside the new bounds. An action may lower a minimum below 2 — the config allows it for staging, and the
 * policy pack refuses it in prod — so quiet-hours schedules should keep 2 tasks wherever an outage matters.
 *
 * Cost: none (scheduled actions are free; the tasks they start are not).
 */
export class ScheduledScaling extends pulumi.ComponentResource {
    /** What was planned, for the plan output and tests. */
    readonly actions: PlannedAction[];
    /** The raw scheduled actions, in the order of `actions`. */
    readonly resources: { scheduledActions: aws.appautoscaling.ScheduledAction[] };

    constructor(name: string, args: ScheduledScalingArgs, opts?: pulumi.ComponentResourceOptions) {
        const c = SCHEDULED_SCALING_CONTRACT.resolve(name, args);
        const planned = planScheduledActions(c.schedules, c.onSale ?? undefined, {
            app: args.services.app.capacity,
            worker: args.services.worker.capacity,
        });
        if ("problem" in planned)
            argChecker("ScheduledScaling", name).fail(
                planned.problem.field,
                planned.problem.value,
                planned.problem.rule,
            );
        super("boxoffice:compute:ScheduledScaling", name, {}, opts);
        this.actions = (planned as { actions: PlannedAction[] }).actions;
        this.resources = { scheduledActions: [] };
        for (const a of this.actions) {
            const svc = args.services[a.service];
            this.resources.scheduledActions.push(
                child(
                    aws.appautoscaling.ScheduledAction,
                    `${name}-${a.name}`,
                    {
                        name: a.name,
                        serviceNamespace: "ecs",
                        scalableDimension: "ecs:service:DesiredCount",
                        resourceId: svc.resourceId,
                        schedule: a.schedule,
                        timezone: a.timezone,
                        scalableTargetAction: { minCapacity: a.minCapacity, maxCapacity: a.maxCapacity },
                    },
                    { parent: this, dependsOn: [svc.target] },
                    args.transform?.scheduledAction,
                ),
            );
        }
        this.registerOutputs({ actions: this.actions.map((a) => a.name) });
    }
}
