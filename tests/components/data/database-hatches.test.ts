import * as assert from "assert";
import { Database, DatabaseArgs } from "../../../components/data/database";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";
import { AZS, base, CLIENTS, SUBNETS, VPC } from "./helpers";

const RDS = "aws:rds/instance:Instance";
const KEY = "aws:kms/key:Key";
const PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const RANDOM_ID = "random:index/randomId:RandomId";

async function make(args: Partial<DatabaseArgs> = {}) {
    let db!: Database;
    const run = await runProgram(() => {
        db = new Database("db", { ...base, ...args });
    });
    return { run, db };
}

describe("Database escape hatches", () => {
    it("transform as an object: its fields replace the writer's, and a new final-snapshot name is drawn", async () => {
        const plain = await make();
        const { run } = await make({
            transform: { writer: { storageThroughput: 500, instanceClass: "db.r7g.large" } },
        });
        const w = inputsOf(byName(run, RDS, "db-writer"));
        assert.deepStrictEqual([w.storageThroughput, w.instanceClass, w.engine], [500, "db.r7g.large", "postgres"]);
        const keepers = (r: typeof run) => inputsOf(byName(r, RANDOM_ID, "db-final-snapshot-id")).keepers.arguments;
        assert.match(keepers(run), /"storageThroughput":500/);
        assert.notStrictEqual(keepers(run), keepers(plain.run));
        assert.strictEqual(
            w.finalSnapshotIdentifier,
            `db-final-${outputsOf(byName(run, RANDOM_ID, "db-final-snapshot-id")).hex}`,
        );
        assert.strictEqual(
            inputsOf(byName(run, RDS, "db-replica-1")).storageThroughput,
            undefined,
            "the writer's transform is the writer's only",
        );
    });

    it("transform as a function: edits in place or returns new arguments, per child, with its name", async () => {
        const seen: string[] = [];
        const { run } = await make({
            readReplicas: 2,
            transform: {
                replica: (args, _opts, name) => {
                    seen.push(name);
                    args.tags = { ...(args.tags as object), team: "payments" };
                },
                parameterGroup: (args, opts) => [{ ...args, description: "ours, adjusted" }, opts],
            },
        });
        assert.deepStrictEqual(seen, ["db-replica-1", "db-replica-2"]);
        for (const r of ofType(run, RDS).filter((x) => x.name.startsWith("db-replica-"))) {
            assert.strictEqual(inputsOf(r).tags.team, "payments");
            assert.strictEqual(
                inputsOf(r).tags["boxoffice:tier"],
                "database",
                "a copy of the component's tags, extended",
            );
        }
        assert.strictEqual(inputsOf(byName(run, RDS, "db-writer")).tags.team, undefined);
        assert.strictEqual(inputsOf(byName(run, PARAMS, "db-params")).description, "ours, adjusted");
    });

    it("an existing KMS key: no key of ours, and the given one encrypts storage, Performance Insights and the secret", async () => {
        const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
        const ours = await make();
        const { run, db } = await make({ kmsKeyArn: keyArn });
        assert.strictEqual(ofType(run, KEY).length, 0);
        assert.strictEqual(run.resources.length, ours.run.resources.length - 1, "exactly the key is gone");
        const w = inputsOf(byName(run, RDS, "db-writer"));
        assert.deepStrictEqual([w.kmsKeyId, w.performanceInsightsKmsKeyId], [keyArn, keyArn]);
        assert.strictEqual(
            inputsOf(byName(run, "aws:secretsmanager/secret:Secret", "db-master-secret")).kmsKeyId,
            keyArn,
        );
        assert.strictEqual(await promiseOf(db.secretKmsKeyArn), keyArn);
        assert.strictEqual(db.resources.key, undefined);
    });

    it("an existing parameter group: none of ours, and every instance uses the given one", async () => {
        const ours = await make();
        const { run, db } = await make({ parameterGroupName: "pg-shared-postgres16" });
        assert.strictEqual(ofType(run, PARAMS).length, 0);
        assert.strictEqual(run.resources.length, ours.run.resources.length - 1);
        for (const r of ofType(run, RDS))
            assert.strictEqual(inputsOf(r).parameterGroupName, "pg-shared-postgres16", r.name);
        assert.strictEqual(db.resources.parameterGroup, undefined);
    });

    it("a network (ours or an existing VPC's ids) places it exactly as the raw ids do", async () => {
        const raw = await make();
        const viaNetwork = await runProgram(() => {
            new Database("db", {
                network: {
                    vpcId: VPC,
                    availabilityZones: AZS,
                    isolatedSubnetIds: SUBNETS,
                    privateSubnetIds: ["subnet-p1", "subnet-p2", "subnet-p3"],
                },
                allowedSecurityGroupIds: CLIENTS,
            });
        });
        const shape = (run: typeof raw.run) => run.resources.map((r) => [r.type, r.name, JSON.stringify(inputsOf(r))]);
        assert.deepStrictEqual(shape(viaNetwork), shape(raw.run));
        assert.deepStrictEqual(
            inputsOf(byName(viaNetwork, "aws:rds/subnetGroup:SubnetGroup", "db-subnets")).subnetIds,
            SUBNETS,
            "the isolated tier",
        );
        assert.throws(
            () =>
                new Database("db", {
                    network: { vpcId: VPC, availabilityZones: AZS },
                    allowedSecurityGroupIds: CLIENTS,
                }),
            {
                message:
                    'Database "db": network.isolatedSubnetIds = undefined: must list the isolated subnets, one per AZ',
            },
        );
    });

    it("logging, log exports and proxy pooling are arguments with today's values as defaults", async () => {
        const defaults = await make({ proxy: true });
        const params = (run: typeof defaults.run) => inputsOf(byName(run, PARAMS, "db-params")).parameters;
        assert.deepStrictEqual(params(defaults.run), [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_min_duration_statement", value: "500" },
            { name: "log_lock_waits", value: "1" },
            { name: "log_statement", value: "ddl" },
            { name: "log_autovacuum_min_duration", value: "1000" },
        ]);
        assert.strictEqual(inputsOf(byName(defaults.run, "aws:rds/proxy:Proxy", "db-proxy")).idleClientTimeout, 1800);
        assert.deepStrictEqual(
            inputsOf(byName(defaults.run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "db-proxy-tg"))
                .connectionPoolConfig,
            { maxConnectionsPercent: 90, connectionBorrowTimeout: 120 },
        );

        const { run } = await make({
            proxy: true,
            logParameters: { log_min_duration_statement: "250" },
            cloudwatchLogsExports: ["postgresql"],
            proxyIdleClientTimeoutSeconds: 600,
            proxyMaxConnectionsPercent: 75,
            proxyConnectionBorrowTimeoutSeconds: 30,
        });
        assert.deepStrictEqual(params(run), [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_min_duration_statement", value: "250" },
        ]);
        for (const r of ofType(run, RDS))
            assert.deepStrictEqual(inputsOf(r).enabledCloudwatchLogsExports, ["postgresql"], r.name);
        assert.strictEqual(inputsOf(byName(run, "aws:rds/proxy:Proxy", "db-proxy")).idleClientTimeout, 600);
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "db-proxy-tg"))
                .connectionPoolConfig,
            { maxConnectionsPercent: 75, connectionBorrowTimeout: 30 },
        );
    });

    it("exposes its raw children", async () => {
        const { run, db } = await make({ proxy: true, readReplicas: 2 });
        const urn = (r: { urn: import("@pulumi/pulumi").Output<string> } | undefined) =>
            r ? promiseOf(r.urn) : Promise.resolve(undefined);
        assert.strictEqual(await urn(db.resources.writer), byName(run, RDS, "db-writer").urn);
        assert.deepStrictEqual(await Promise.all(db.resources.replicas.map(urn)), [
            byName(run, RDS, "db-replica-1").urn,
            byName(run, RDS, "db-replica-2").urn,
        ]);
        assert.strictEqual(await urn(db.resources.key), byName(run, KEY, "db-key").urn);
        assert.strictEqual(await urn(db.resources.parameterGroup), byName(run, PARAMS, "db-params").urn);
        assert.strictEqual(await urn(db.resources.proxy), byName(run, "aws:rds/proxy:Proxy", "db-proxy").urn);
        assert.strictEqual(
            await urn(db.resources.masterSecret),
            byName(run, "aws:secretsmanager/secret:Secret", "db-master-secret").urn,
        );
    });
});
