import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { minusMinutes, planScheduledActions } from "../../../components/compute/schedule-plan";
import { ScheduledScaling, ScheduledScalingArgs } from "../../../components/compute/scheduled-scaling";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType } from "../../../tools/offline/values";

const base = { app: { min: 3, max: 30 }, worker: { min: 2, max: 10 } };
const onSale = {
    name: "summer",
    start: "2026-06-01T10:00:00",
    end: "2026-06-01T14:00:00",
    timezone: "Europe/Dublin",
    leadMinutes: 30,
    appMinTasks: 12,
    workerMinTasks: 4,
};

describe("schedule plan", () => {
    it("subtracts minutes across midnight and month ends in local time", () => {
        assert.strictEqual(minusMinutes("2026-03-01T00:10:00", 30), "2026-02-28T23:40:00");
    });

    it("raises both services before an on-sale and restores the configured capacity after it", () => {
        const planned = planScheduledActions([], onSale, base);
        assert.ok("actions" in planned);
        assert.deepStrictEqual(planned.actions, [
            {
                name: "summer-raise-app",
                service: "app",
                schedule: "at(2026-06-01T09:30:00)",
                timezone: "Europe/Dublin",
                minCapacity: 12,
                maxCapacity: 30,
            },
            {
                name: "summer-restore-app",
                service: "app",
                schedule: "at(2026-06-01T14:00:00)",
                timezone: "Europe/Dublin",
                minCapacity: 3,
                maxCapacity: 30,
            },
            {
                name: "summer-raise-worker",
                service: "worker",
                schedule: "at(2026-06-01T09:30:00)",
                timezone: "Europe/Dublin",
                minCapacity: 4,
                maxCapacity: 10,
            },
            {
                name: "summer-restore-worker",
                service: "worker",
                schedule: "at(2026-06-01T14:00:00)",
                timezone: "Europe/Dublin",
                minCapacity: 2,
                maxCapacity: 10,
            },
        ]);
    });

    it("lifts the maximum with a raised minimum so min never exceeds max", () => {
        const planned = planScheduledActions([], { ...onSale, appMinTasks: 40 }, base);
        assert.ok("actions" in planned);
        assert.deepStrictEqual(
            planned.actions.filter((a) => a.name === "summer-raise-app").map((a) => [a.minCapacity, a.maxCapacity]),
            [[40, 40]],
        );
    });

    it("gives a schedule an action only for the services it names", () => {
        const planned = planScheduledActions(
            [{ name: "friday", schedule: "cron(0 9 ? * FRI *)", timezone: "Europe/Dublin", appMinTasks: 6 }],
            undefined,
            base,
        );
        assert.ok("actions" in planned);
        assert.deepStrictEqual(planned.actions, [
            {
                name: "friday-app",
                service: "app",
                schedule: "cron(0 9 ? * FRI *)",
                timezone: "Europe/Dublin",
                minCapacity: 6,
                maxCapacity: undefined,
            },
        ]);
    });

    it("names the field of every problem", () => {
        const s = { name: "a", schedule: "rate(1 day)", timezone: "UTC" };
        const problems = [
            planScheduledActions([s], undefined, base),
            planScheduledActions([{ ...s, appMinTasks: 5, appMaxTasks: 4 }], undefined, base),
            planScheduledActions(
                [
                    { ...s, appMinTasks: 2 },
                    { ...s, workerMinTasks: 2 },
                ],
                undefined,
                base,
            ),
            planScheduledActions([], { ...onSale, end: "2026-06-01T09:00:00" }, base),
        ].map((p) => ("problem" in p ? p.problem.field : "none"));
        assert.deepStrictEqual(problems, [
            "schedules[0]",
            "schedules[0].appMinTasks",
            "schedules[1].name",
            "onSale.end",
        ]);
    });
});

describe("ScheduledScaling", () => {
    const services = (): ScheduledScalingArgs["services"] => {
        const target = new aws.appautoscaling.Target("t", {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: "service/c/app",
            minCapacity: 2,
            maxCapacity: 4,
        });
        return {
            app: { resourceId: pulumi.output("service/c/app"), capacity: base.app, target },
            worker: { resourceId: pulumi.output("service/c/worker"), capacity: base.worker, target },
        };
    };

    it("creates one scheduled action per schedule and service, in the schedule's time zone", async () => {
        const run = await runProgram(
            () =>
                new ScheduledScaling("sched", {
                    services: services(),
                    onSale,
                    schedules: [
                        {
                            name: "night",
                            schedule: "cron(0 1 * * ? *)",
                            timezone: "Europe/Dublin",
                            appMinTasks: 2,
                            appMaxTasks: 6,
                            workerMinTasks: 2,
                            workerMaxTasks: 4,
                        },
                    ],
                }),
        );
        const actions = ofType(run, "aws:appautoscaling/scheduledAction:ScheduledAction");
        assert.deepStrictEqual(
            actions.map((r) => r.name),
            [
                "sched-night-app",
                "sched-night-worker",
                "sched-summer-raise-app",
                "sched-summer-restore-app",
                "sched-summer-raise-worker",
                "sched-summer-restore-worker",
            ],
        );
        const night = inputsOf(actions[0]);
        assert.deepStrictEqual(
            [
                night.resourceId,
                night.schedule,
                night.timezone,
                night.scalableTargetAction,
                night.serviceNamespace,
                night.scalableDimension,
            ],
            [
                "service/c/app",
                "cron(0 1 * * ? *)",
                "Europe/Dublin",
                { minCapacity: 2, maxCapacity: 6 },
                "ecs",
                "ecs:service:DesiredCount",
            ],
        );
        assert.deepStrictEqual(
            new Set(actions.map((r) => inputsOf(r).resourceId)),
            new Set(["service/c/app", "service/c/worker"]),
        );
        assert.ok(actions.every((r) => r.dependencies.some((d) => d.endsWith("::t"))));
    });

    it("refuses a bad schedule with one error naming the field", async () => {
        await assert.rejects(
            runProgram(
                () => new ScheduledScaling("sched", { services: services(), onSale: { ...onSale, end: onSale.start } }),
            ),
            (e: Error) => {
                assert.strictEqual(
                    e.message,
                    'ScheduledScaling "sched": onSale.end = "2026-06-01T10:00:00": must be a yyyy-mm-ddThh:mm:ss after start (2026-06-01T10:00:00)',
                );
                return true;
            },
        );
    });
});
