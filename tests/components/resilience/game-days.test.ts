import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { GameDays, GameDaysArgs } from "../../../components/resilience/game-days";
import { DRILL_ACTION, LOGGING_PERMISSIONS } from "../../../components/resilience/fis-actions";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";

const TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate";
const o = pulumi.output;
const ALARMS = [
    "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:five-xx",
    "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:no-healthy",
];
const WRITER = "arn:aws:rds:eu-west-1:123456789012:db:writer";
const subnetArn = (id: string) => `arn:aws:ec2:eu-west-1:123456789012:subnet/${id}`;

const base = (): GameDaysArgs => ({
    stopConditionAlarmArns: ALARMS.map((a) => o(a)),
    database: { writerArn: o(WRITER) },
    cache: { tag: { key: "Name", value: "gd-redis-group" }, availabilityZones: [o("eu-west-1a"), o("eu-west-1b")] },
    app: { clusterName: o("gd-cluster"), taskTag: { key: "Name", value: "gd-app-service" } },
    zones: [
        { availabilityZone: o("eu-west-1a"), subnetArns: [o(subnetArn("subnet-p1")), o(subnetArn("subnet-i1"))] },
        { availabilityZone: o("eu-west-1b"), subnetArns: [o(subnetArn("subnet-p2")), o(subnetArn("subnet-i2"))] },
    ],
    tags: { team: "ops" },
});

async function build(args: GameDaysArgs, name = "gd") {
    let gd!: GameDays;
    const run = await runProgram(() => {
        gd = new GameDays(name, args);
    });
    return { run, gd };
}

function buildError(args: GameDaysArgs): string {
    try {
        new GameDays("gd", args);
    } catch (err) {
        return (err as Error).message;
    }
    return assert.fail("arguments were accepted");
}

describe("GameDays", () => {
    let shared: Awaited<ReturnType<typeof build>>;
    before(async () => {
        shared = await build(base());
    });

    it("creates one template per drill and per AZ, named after the component, and reports their ids", async () => {
        const { run, gd } = shared;
        const names = ofType(run, TEMPLATE)
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(names, [
            "gd-app-stop-tasks",
            "gd-az1-connectivity",
            "gd-az2-connectivity",
            "gd-cache-az1-power",
            "gd-cache-az2-power",
            "gd-database-failover",
        ]);
        for (const r of ofType(run, TEMPLATE)) {
            const key = r.name.slice("gd-".length);
            assert.strictEqual(await promiseOf(gd.templateIds[key]), r.id);
            assert.match(r.id!, /^EXT[0-9A-Z]{14}$/);
            assert.strictEqual(outputsOf(r).arn, `arn:aws:fis:eu-west-1:123456789012:experiment-template/${r.id}`);
            assert.deepStrictEqual(inputsOf(r).tags, { team: "ops", Name: r.name, "boxoffice:game-day": key });
        }
    });

    it("reboots the writer it is given with a forced failover", () => {
        const t = inputsOf(byName(shared.run, TEMPLATE, "gd-database-failover"));
        assert.deepStrictEqual(t.actions, [
            {
                name: "database-failover",
                actionId: "aws:rds:reboot-db-instances",
                parameters: [{ key: "forceFailover", value: "true" }],
                target: { key: "DBInstances", value: "writer" },
            },
        ]);
        assert.deepStrictEqual(t.targets, [
            { name: "writer", resourceType: "aws:rds:db", resourceArns: [WRITER], selectionMode: "ALL" },
        ]);
    });

    it("cuts power to the cache in one AZ per template, for 10 minutes by default, finding the group by its tag", () => {
        const t = inputsOf(byName(shared.run, TEMPLATE, "gd-cache-az2-power"));
        assert.strictEqual(t.actions[0].actionId, "aws:elasticache:replicationgroup-interrupt-az-power");
        assert.deepStrictEqual(t.actions[0].parameters, [{ key: "duration", value: "PT10M" }]);
        assert.deepStrictEqual(t.targets[0], {
            name: "replication-group",
            resourceType: "aws:elasticache:replicationgroup",
            resourceTags: [{ key: "Name", value: "gd-redis-group" }],
            parameters: { availabilityZoneIdentifier: "eu-west-1b" },
            selectionMode: "ALL",
        });
        assert.match(t.description, /eu-west-1b for 10 min/);
    });

    it("stops 34 % of the app service's running tasks by default, found by the service's tag", () => {
        const t = inputsOf(byName(shared.run, TEMPLATE, "gd-app-stop-tasks"));
        assert.deepStrictEqual([t.actions[0].actionId, t.actions[0].parameters], ["aws:ecs:stop-task", []]);
        assert.deepStrictEqual(t.targets[0], {
            name: "tasks",
            resourceType: "aws:ecs:task",
            resourceTags: [{ key: "Name", value: "gd-app-service" }],
            filters: [{ path: "LastStatus", values: ["RUNNING"] }],
            selectionMode: "PERCENT(34)",
        });
    });

    it("cuts one AZ's subnets off completely for 5 minutes by default", () => {
        const t = inputsOf(byName(shared.run, TEMPLATE, "gd-az1-connectivity"));
        assert.strictEqual(t.actions[0].actionId, "aws:network:disrupt-connectivity");
        assert.deepStrictEqual(t.actions[0].parameters, [
            { key: "scope", value: "all" },
            { key: "duration", value: "PT5M" },
        ]);
        assert.deepStrictEqual(t.targets[0].resourceArns, [subnetArn("subnet-p1"), subnetArn("subnet-i1")]);
        assert.strictEqual(t.targets[0].resourceType, "aws:ec2:subnet");
    });

    it("gives every template every stop condition, its log group and fail-on-empty targets", async () => {
        const logGroup = outputsOf(byName(shared.run, "aws:cloudwatch/logGroup:LogGroup", "gd-experiments"));
        assert.strictEqual(logGroup.retentionInDays, 90);
        for (const r of ofType(shared.run, TEMPLATE)) {
            const t = inputsOf(r);
            assert.deepStrictEqual(
                t.stopConditions,
                ALARMS.map((value) => ({ source: "aws:cloudwatch:alarm", value })),
                r.name,
            );
            assert.deepStrictEqual(t.logConfiguration, {
                logSchemaVersion: 2,
                cloudwatchLogsConfiguration: { logGroupArn: `${logGroup.arn}:*` },
            });
            assert.deepStrictEqual(t.experimentOptions, {
                accountTargeting: "single-account",
                emptyTargetResolutionMode: "fail",
            });
        }
    });

    it("runs each drill under its own role, whose policy is attached before the template exists", () => {
        const { run } = shared;
        for (const [kind, key] of [
            ["database", "database-failover"],
            ["cache", "cache-az1-power"],
            ["app", "app-stop-tasks"],
            ["zone", "az2-connectivity"],
        ] as const) {
            const role = byName(run, "aws:iam/role:Role", `gd-${kind}-role`);
            const policy = byName(run, "aws:iam/rolePolicy:RolePolicy", `gd-${kind}-policy`);
            const template = byName(run, TEMPLATE, `gd-${key}`);
            assert.strictEqual(inputsOf(template).roleArn, outputsOf(role).arn);
            assert.strictEqual(inputsOf(policy).role, role.id);
            assert.strictEqual(policy.id, `${role.id}:${outputsOf(policy).name}`, "inline policy id as AWS forms it");
            assert.ok(template.dependencies.includes(policy.urn), `${key} waits for its role's policy`);
            const granted = JSON.parse(inputsOf(policy).policy)
                .Statement.flatMap((s: { Action: string[] }) => s.Action)
                .sort();
            assert.deepStrictEqual(granted, [...DRILL_ACTION[kind].permissions, ...LOGGING_PERMISSIONS].sort());
            assert.strictEqual(
                JSON.parse(inputsOf(role).assumeRolePolicy).Statement[0].Principal.Service,
                "fis.amazonaws.com",
            );
        }
        assert.strictEqual(
            ofType(run, "aws:iam/role:Role").length,
            4,
            "one role per drill kind, shared by its per-AZ templates",
        );
    });

    it("takes durations, share and retention from its arguments, and builds only the drills it is given", async () => {
        const { run } = await build({
            stopConditionAlarmArns: [o(ALARMS[0])],
            app: { clusterName: o("c"), taskTag: { key: "Name", value: "s" }, stopTaskPercent: 50 },
            zones: [{ availabilityZone: o("eu-west-1c"), subnetArns: [o(subnetArn("subnet-x"))] }],
            zoneDisruptionMinutes: 2,
            logRetentionDays: 30,
        });
        assert.deepStrictEqual(
            ofType(run, TEMPLATE)
                .map((r) => r.name)
                .sort(),
            ["gd-app-stop-tasks", "gd-az1-connectivity"],
        );
        assert.strictEqual(
            inputsOf(byName(run, TEMPLATE, "gd-app-stop-tasks")).targets[0].selectionMode,
            "PERCENT(50)",
        );
        assert.deepStrictEqual(inputsOf(byName(run, TEMPLATE, "gd-az1-connectivity")).actions[0].parameters[1], {
            key: "duration",
            value: "PT2M",
        });
        assert.strictEqual(inputsOf(ofType(run, "aws:cloudwatch/logGroup:LogGroup")[0]).retentionInDays, 30);
        assert.deepStrictEqual(
            ofType(run, "aws:iam/role:Role")
                .map((r) => r.name)
                .sort(),
            ["gd-app-role", "gd-zone-role"],
        );
    });

    it("refuses bad arguments before creating anything, naming the argument, value and rule", () => {
        const msg = (patch: Partial<GameDaysArgs>) => buildError({ ...base(), ...patch });
        assert.strictEqual(
            msg({ stopConditionAlarmArns: [] }),
            'GameDays "gd": stopConditionAlarmArns = 0: must list 1..5 alarms (FIS stop conditions per template); an experiment without a stop condition cannot be stopped by what users see',
        );
        assert.match(
            msg({ stopConditionAlarmArns: Array.from({ length: 6 }, () => o(ALARMS[0])) }),
            /stopConditionAlarmArns = 6: must list 1\.\.5/,
        );
        assert.strictEqual(
            msg({ app: { clusterName: "c", taskTag: { key: "Name", value: "s" }, stopTaskPercent: 60 } }),
            'GameDays "gd": app.stopTaskPercent = 60: must be 1..50 (stopping more than half the fleet at once is an outage, not a drill)',
        );
        assert.match(
            msg({ zoneDisruptionMinutes: 0 }),
            /zoneDisruptionMinutes = 0: must be 1\.\.720 \(FIS action duration/,
        );
        assert.match(msg({ cacheInterruptMinutes: 721 }), /cacheInterruptMinutes = 721: must be 1\.\.720/);
        assert.match(
            msg({
                zones: [
                    {
                        availabilityZone: "eu-west-1a",
                        subnetArns: Array.from({ length: 6 }, (_v, i) => subnetArn(`s${i}`)),
                    },
                ],
            }),
            /zones\.subnetArns = 6: must list 1\.\.5 subnet ARNs \(FIS resource ARNs per target\)/,
        );
        assert.match(
            buildError({ stopConditionAlarmArns: [ALARMS[0]] }),
            /args = "no drill": must configure at least one of database, cache, app, zones/,
        );
    });
});
