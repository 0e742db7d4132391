/**
 * Game days on the real stacks, as shipped: every FIS template aims at a resource of its own stack and stops on
 * the stack's own user-facing alarms. Targets are compared with what the mock engine returned for the stack's
 * resources (their ARNs, names and tags), and template ids with the stack output people start experiments from.
 */
import * as assert from "assert";
import { ProgramRun, Registration, runStack } from "../../tools/offline/engine";
import { planText } from "../../tools/plan";
import { byName, inputsOf, ofType, outputsOf, plainValue } from "../../tools/offline/values";

const TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The fields of an FIS experiment template's inputs these tests read. */
type Target = {
    resourceArns: string[];
    parameters: Record<string, string>;
    resourceTags: Array<{ key: string; value: string }>;
    filters: Array<{ path: string; values: string[] }>;
    selectionMode: string;
};
type Template = {
    description: string;
    targets: Target[];
    stopConditions: Array<{ source: string; value: string }>;
};

interface Stack {
    run: ProgramRun;
    outputs: Record<string, unknown>;
    templates: Map<string, Template>;
}

async function stack(name: string, configOverrides?: Record<string, unknown>): Promise<Stack> {
    const run = await runStack({ stack: name, configOverrides });
    const prefix = `boxoffice-${name}-game-days-`;
    const templates = new Map(ofType(run, TEMPLATE).map((r) => [r.name.slice(prefix.length), inputsOf(r) as Template]));
    return { run, outputs: plainValue(run.stackOutputs) as Record<string, unknown>, templates };
}

const writerOf = (run: ProgramRun) =>
    ofType(run, "aws:rds/instance:Instance").find((r) => !inputsOf(r).replicateSourceDb)!;
const subnetsIn = (run: ProgramRun, az: string) =>
    ofType(run, "aws:ec2/subnet:Subnet").filter((r) => inputsOf(r).availabilityZone === az);
const tierOf = (r: Registration) => inputsOf(r).tags["boxoffice:subnet-tier"];

/** The checks that hold for every environment. */
function checkTargetsAndStops(s: Stack, env: string, azCount: number): void {
    const { run, outputs, templates } = s;
    const zones = outputs.gameDayZones as string[];
    assert.strictEqual(zones.length, azCount);

    // The database drill reboots exactly this stack's writer.
    const writerArn = outputsOf(writerOf(run)).arn;
    assert.deepStrictEqual(templates.get("database-failover")!.targets[0].resourceArns, [writerArn]);

    // Each AZ drill cuts exactly that AZ's private and isolated subnets of this stack, never the public ones.
    zones.forEach((az, i) => {
        const t = templates.get(`az${i + 1}-connectivity`)!;
        const expected = subnetsIn(run, az)
            .filter((r) => tierOf(r) !== "public")
            .map((r) => outputsOf(r).arn);
        assert.strictEqual(expected.length, 2);
        assert.deepStrictEqual([...t.targets[0].resourceArns].sort(), expected.sort());
        assert.ok(
            t.targets[0].resourceArns.every((arn: string) =>
                arn.endsWith(`subnet/${subnetsIn(run, az).find((r) => outputsOf(r).arn === arn)!.id}`),
            ),
        );
        assert.ok(t.description.includes(az));
    });

    // The cache drills find this stack's replication group by a tag only it carries, in the AZs its nodes are in.
    const [group] = ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup");
    const nodeAzs: string[] = inputsOf(group).preferredCacheClusterAzs;
    const cacheTemplates = [...templates].filter(([key]) => key.startsWith("cache-")).map(([, t]) => t.targets[0]);
    assert.deepStrictEqual(
        cacheTemplates.map((t) => t.parameters.availabilityZoneIdentifier).sort(),
        [...new Set(nodeAzs)].sort(),
    );
    for (const t of cacheTemplates)
        assert.deepStrictEqual(t.resourceTags, [{ key: "Name", value: inputsOf(group).tags.Name }]);
    const sameTag = run.resources.filter((r) => r.custom && inputsOf(r).tags?.Name === inputsOf(group).tags.Name);
    assert.deepStrictEqual(
        sameTag.map((r) => r.type),
        ["aws:elasticache/replicationGroup:ReplicationGroup"],
        "the tag is unique to the group",
    );

    // The app drill stops running tasks of this stack's app service: the service's Name tag, which the service
    // propagates to its tasks and nothing else in the stack carries.
    const app = templates.get("app-stop-tasks")!.targets[0];
    const service = inputsOf(byName(run, "aws:ecs/service:Service", `boxoffice-${env}-app-service`));
    assert.strictEqual(service.propagateTags, "SERVICE");
    assert.deepStrictEqual(app.resourceTags, [{ key: "Name", value: service.tags.Name }]);
    assert.deepStrictEqual(
        run.resources.filter((r) => r.custom && inputsOf(r).tags?.Name === service.tags.Name).map((r) => r.type),
        ["aws:ecs/service:Service"],
    );
    assert.deepStrictEqual(app.filters, [{ path: "LastStatus", values: ["RUNNING"] }]);

    // Every template stops on alarms of this stack, in its Region, and only the user-facing ones.
    const alarmsByArn = new Map(ofType(run, ALARM).map((r) => [outputsOf(r).arn as string, r]));
    for (const [key, t] of templates) {
        assert.ok(t.stopConditions.length >= 1, `${key} has a stop condition`);
        const names = t.stopConditions.map((c: { source: string; value: string }) => {
            assert.strictEqual(c.source, "aws:cloudwatch:alarm");
            const alarm = alarmsByArn.get(c.value);
            assert.ok(alarm, `${key}: ${c.value} is an alarm of this stack`);
            assert.strictEqual(alarm.provider, undefined, "in the stack's own Region");
            return alarm.name;
        });
        assert.deepStrictEqual(
            names.sort(),
            [
                `alb1-5xx-rate`,
                `alb1-no-healthy-targets`,
                `alb1-p99-latency`,
                `alb2-5xx-rate`,
                `alb2-no-healthy-targets`,
            ].map((n) => `boxoffice-${env}-${n}`),
        );
    }

    // The ids people start experiments with are the templates' ids.
    const ids = Object.fromEntries(
        ofType(run, TEMPLATE).map((r) => [r.name.slice(`boxoffice-${env}-game-days-`.length), r.id]),
    );
    assert.deepStrictEqual(outputs.gameDayTemplateIds, ids);
}

describe("game days on the shipped stacks", function () {
    this.timeout(120_000);

    describe("prod", () => {
        let prod: Stack;
        before(async () => {
            prod = await stack("prod");
        });

        it("has a database, an app and three cache and three AZ templates", () => {
            assert.deepStrictEqual([...prod.templates.keys()].sort(), [
                "app-stop-tasks",
                "az1-connectivity",
                "az2-connectivity",
                "az3-connectivity",
                "cache-az1-power",
                "cache-az2-power",
                "cache-az3-power",
                "database-failover",
            ]);
            assert.strictEqual(prod.templates.get("app-stop-tasks")!.targets[0].selectionMode, "PERCENT(34)");
        });

        it("aims every template at its own stack's resources and stops it on its own user-facing alarms", () => {
            checkTargetsAndStops(prod, "prod", 3);
        });

        it("scopes the reboot to the stack's writer and task stops to its cluster", () => {
            const policy = (kind: string) =>
                JSON.parse(
                    inputsOf(
                        byName(prod.run, "aws:iam/rolePolicy:RolePolicy", `boxoffice-prod-game-days-${kind}-policy`),
                    ).policy,
                );
            const grant = (kind: string, action: string) =>
                policy(kind).Statement.find((s: { Action: string[] }) => s.Action.includes(action));
            assert.strictEqual(grant("database", "rds:RebootDBInstance").Resource, outputsOf(writerOf(prod.run)).arn);
            const cluster = outputsOf(ofType(prod.run, "aws:ecs/cluster:Cluster")[0]).name;
            assert.strictEqual(
                grant("app", "ecs:StopTask").Resource,
                `arn:aws:ecs:eu-west-1:123456789012:task/${cluster}/*`,
            );
        });

        it("shows the templates in the plan", () => {
            const text = planText(prod.run);
            for (const key of prod.templates.keys())
                assert.ok(text.includes(`${TEMPLATE} boxoffice-prod-game-days-${key}\n`), key);
            assert.match(text, /gameDayTemplateIds: \{"database-failover":"EXT/);
        });
    });

    it("staging: two AZs, half the app's two tasks, same guarantees", async () => {
        const staging = await stack("staging");
        assert.deepStrictEqual([...staging.templates.keys()].sort(), [
            "app-stop-tasks",
            "az1-connectivity",
            "az2-connectivity",
            "cache-az1-power",
            "cache-az2-power",
            "database-failover",
        ]);
        assert.strictEqual(staging.templates.get("app-stop-tasks")!.targets[0].selectionMode, "PERCENT(50)");
        checkTargetsAndStops(staging, "staging", 2);
    });

    it("gameDays.enabled = false creates no template, role or output", async () => {
        const off = await stack("staging", { "boxoffice:gameDays": { enabled: false } });
        assert.strictEqual(off.templates.size, 0);
        assert.ok(
            !off.run.resources.some((r) => r.type === "boxoffice:resilience:GameDays" || r.name.includes("game-days")),
        );
        assert.ok(!("gameDayTemplateIds" in off.outputs));
    });

    it("drops the drills that would be outages: a single-AZ writer, a single app task", async () => {
        const s = await stack("staging", {
            "boxoffice:database": { multiAz: false },
            "boxoffice:app": { minTasks: 1 },
        });
        assert.deepStrictEqual([...s.templates.keys()].sort(), [
            "az1-connectivity",
            "az2-connectivity",
            "cache-az1-power",
            "cache-az2-power",
        ]);
    });
});
