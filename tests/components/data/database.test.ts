import * as assert from "assert";
import { Database, DatabaseArgs } from "../../../components/data/database";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, plainValue, promiseOf, SECRET_MARK } from "../../../tools/offline/values";
import { AZS, base, CLIENTS } from "./helpers";

const RDS = "aws:rds/instance:Instance";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const RANDOM_ID = "random:index/randomId:RandomId";

async function make(args: Partial<DatabaseArgs> = {}, name = "db") {
    let db!: Database;
    const result = await runProgram(() => {
        db = new Database(name, { ...base, ...args });
    });
    return { run: result, db };
}

describe("Database", () => {
    it("defaults: an encrypted Multi-AZ writer with PITR, deletion protection, a final snapshot and our own master secret", async () => {
        const { run, db } = await make();
        const w = inputsOf(byName(run, RDS, "db-writer"));
        const key = byName(run, "aws:kms/key:Key", "db-key");
        const keyArn = outputsOf(key).arn;
        assert.deepStrictEqual(
            {
                engine: w.engine,
                engineVersion: w.engineVersion,
                instanceClass: w.instanceClass,
                multiAz: w.multiAz,
                availabilityZone: w.availabilityZone,
            },
            {
                engine: "postgres",
                engineVersion: "16",
                instanceClass: "db.r6g.large",
                multiAz: true,
                availabilityZone: undefined,
            },
        );
        assert.deepStrictEqual(
            [w.storageType, w.storageEncrypted, w.kmsKeyId, w.allocatedStorage, w.maxAllocatedStorage],
            ["gp3", true, keyArn, 100, 500],
        );
        assert.deepStrictEqual(
            [w.manageMasterUserPassword, w.masterUserSecretKmsKeyId, w.password, w.passwordWo, w.dbName, w.username],
            [undefined, undefined, SECRET_MARK, undefined, "boxoffice", "boxoffice"],
        );
        assert.deepStrictEqual(
            [
                w.backupRetentionPeriod,
                w.backupWindow,
                w.maintenanceWindow,
                w.deleteAutomatedBackups,
                w.deletionProtection,
                w.skipFinalSnapshot,
                w.finalSnapshotIdentifier,
                w.copyTagsToSnapshot,
            ],
            [
                7,
                "02:00-03:00",
                "sun:04:00-sun:05:00",
                false,
                true,
                false,
                `db-final-${outputsOf(byName(run, RANDOM_ID, "db-final-snapshot-id")).hex}`,
                true,
            ],
        );
        assert.deepStrictEqual(
            [
                w.performanceInsightsEnabled,
                w.performanceInsightsKmsKeyId,
                w.performanceInsightsRetentionPeriod,
                w.monitoringInterval,
                w.enabledCloudwatchLogsExports,
                w.autoMinorVersionUpgrade,
                w.publiclyAccessible,
                w.iamDatabaseAuthenticationEnabled,
            ],
            [true, keyArn, 7, 60, ["postgresql", "upgrade"], true, false, false],
        );
        assert.strictEqual(
            w.blueGreenUpdate,
            undefined,
            "the provider's blue/green update cannot be used with replicas (1 by default)",
        );
        assert.strictEqual(db.blueGreenUpdate, false);
        assert.strictEqual(w.tags["boxoffice:tier"], "database");
        assert.strictEqual(w.tags["boxoffice:backup"], "daily-weekly-monthly");
        assert.strictEqual(inputsOf(key).enableKeyRotation, true);
        const secret = byName(run, SECRET, "db-master-secret");
        assert.strictEqual(await promiseOf(db.masterSecretArn), outputsOf(secret).arn);
        assert.deepStrictEqual(
            [inputsOf(secret).kmsKeyId, inputsOf(secret).recoveryWindowInDays, inputsOf(secret).name],
            [keyArn, 30, undefined],
        );
        assert.strictEqual(await promiseOf(db.secretKmsKeyArn), keyArn);
        assert.strictEqual(await promiseOf(db.clientWriterAddress), await promiseOf(db.writerAddress));
        assert.strictEqual(db.proxyAddress, undefined);
        assert.strictEqual(db.port, 5432);
    });

    it("master password: 40 RDS-safe characters, a secret in the writer's inputs and nowhere in plain text", async () => {
        const { run, db } = await make({ proxy: true });
        const p = inputsOf(byName(run, PASSWORD, "db-master-password"));
        assert.deepStrictEqual([p.length, p.special, p.overrideSpecial], [40, true, "-_.~"]);
        assert.doesNotMatch(p.overrideSpecial, /[/@" ]/, 'RDS refuses / @ " and space in a master password');
        const writer = byName(run, RDS, "db-writer");
        assert.strictEqual(inputsOf(writer).password, SECRET_MARK);
        assert.strictEqual(outputsOf(writer).password, SECRET_MARK);
        const revealed: string = inputsOf(writer, { revealSecrets: true }).password;
        assert.strictEqual(
            revealed,
            outputsOf(byName(run, PASSWORD, "db-master-password"), { revealSecrets: true }).result,
        );
        assert.strictEqual(revealed.length, 40);
        const plain = JSON.stringify(plainValue(run.resources.map((r) => [r.inputs, r.outputs])));
        assert.ok(!plain.includes(revealed), "the password appears in some resource's plain inputs or outputs");
        const version = byName(run, SECRET_VERSION, "db-master-secret-value");
        assert.strictEqual(inputsOf(version).secretString, SECRET_MARK);
        assert.strictEqual(inputsOf(version).secretId, await promiseOf(db.masterSecretArn));
        assert.deepStrictEqual(JSON.parse(inputsOf(version, { revealSecrets: true }).secretString), {
            engine: "postgres",
            username: "boxoffice",
            password: revealed,
            host: await promiseOf(db.writerAddress),
            port: 5432,
            dbname: "boxoffice",
        });
    });

    it("blueGreenUpdate: on by default exactly without replicas, never together with replicas or without backups", async () => {
        const none = await make({ readReplicas: 0 });
        assert.deepStrictEqual(inputsOf(byName(none.run, RDS, "db-writer")).blueGreenUpdate, { enabled: true });
        assert.strictEqual(none.db.blueGreenUpdate, true);
        const noBackups = await make({ readReplicas: 0, backupRetentionDays: 0 });
        assert.strictEqual(inputsOf(byName(noBackups.run, RDS, "db-writer")).blueGreenUpdate, undefined);
        const optOut = await make({ readReplicas: 0, blueGreenUpdate: false });
        assert.strictEqual(inputsOf(byName(optOut.run, RDS, "db-writer")).blueGreenUpdate, undefined);
        const two = await make({ readReplicas: 2, blueGreenUpdate: false });
        for (const r of ofType(two.run, RDS)) assert.strictEqual(inputsOf(r).blueGreenUpdate, undefined, r.name);
    });

    it("forces TLS and logs slow statements in a parameter group of the engine's family", async () => {
        const { run } = await make({ engineVersion: "17.2" });
        const pg = byName(run, "aws:rds/parameterGroup:ParameterGroup", "db-params");
        const params = Object.fromEntries(
            inputsOf(pg).parameters.map((p: { name: string; value: string }) => [p.name, p.value]),
        );
        assert.strictEqual(inputsOf(pg).family, "postgres17");
        assert.strictEqual(params["rds.force_ssl"], "1");
        assert.strictEqual(params.log_min_duration_statement, "500");
        for (const db of ofType(run, RDS)) assert.strictEqual(inputsOf(db).parameterGroupName, outputsOf(pg).name);
    });

    it("admits 5432 only from each client security group, one rule resource per client and no CIDR", async () => {
        const { run, db } = await make();
        const sgId = await promiseOf(db.securityGroupId);
        const rules = ofType(run, INGRESS).map((r) => inputsOf(r));
        assert.deepStrictEqual(
            rules.map((r) => [r.securityGroupId, r.referencedSecurityGroupId, r.fromPort, r.toPort, r.ipProtocol]),
            CLIENTS.map((c) => [sgId, c, 5432, 5432, "tcp"]),
        );
        assert.ok(rules.every((r) => r.cidrIpv4 === undefined && r.cidrIpv6 === undefined));
        assert.strictEqual(inputsOf(byName(run, "aws:ec2/securityGroup:SecurityGroup", "db-sg")).ingress, undefined);
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:rds/subnetGroup:SubnetGroup", "db-subnets")).subnetIds,
            base.subnetIds,
        );
    });

    it("spreads read replicas round-robin from the second AZ, each observed and encrypted by inheritance (no kmsKeyId)", async () => {
        const { run, db } = await make({ readReplicas: 4 });
        const writer = byName(run, RDS, "db-writer");
        const replicas = ofType(run, RDS).filter((r) => r.name.startsWith("db-replica-"));
        assert.deepStrictEqual(
            replicas.map((r) => r.name),
            ["db-replica-1", "db-replica-2", "db-replica-3", "db-replica-4"],
        );
        const inputs = replicas.map((r) => inputsOf(r));
        assert.deepStrictEqual(
            inputs.map((r) => r.availabilityZone),
            [AZS[1], AZS[2], AZS[0], AZS[1]],
        );
        // RDS picks the Multi-AZ primary's AZ; only 2+ replicas in 2+ distinct AZs guarantee one outside it.
        for (const n of [2, 3])
            assert.ok(
                new Set(inputs.slice(0, n).map((r) => r.availabilityZone)).size >= 2,
                `${n} replicas share one AZ`,
            );
        for (const r of inputs) {
            assert.strictEqual(r.replicateSourceDb, outputsOf(writer).identifier);
            assert.deepStrictEqual(
                [
                    r.username,
                    r.password,
                    r.passwordWo,
                    r.dbName,
                    r.dbSubnetGroupName,
                    r.manageMasterUserPassword,
                    r.blueGreenUpdate,
                ],
                [undefined, undefined, undefined, undefined, undefined, undefined, undefined],
            );
            // Same-region replicas inherit the source's encryption and key; RDS refuses KmsKeyId for them
            // (CreateDBInstanceReadReplica, KmsKeyId) and the provider forwards it whenever it is set.
            assert.deepStrictEqual([r.kmsKeyId, r.storageEncrypted], [undefined, undefined]);
            assert.deepStrictEqual(
                [
                    r.performanceInsightsEnabled,
                    r.monitoringInterval,
                    r.skipFinalSnapshot,
                    r.finalSnapshotIdentifier,
                    r.multiAz,
                ],
                [true, 60, true, undefined, false],
            );
            assert.strictEqual(r.tags["boxoffice:tier"], "database");
            assert.strictEqual(
                r.tags["boxoffice:backup"],
                undefined,
                "replicas are rebuilt from the writer, not restored",
            );
        }
        assert.strictEqual((await Promise.all(db.readerAddresses.map(promiseOf))).length, 4);
        assert.deepStrictEqual(
            await Promise.all(db.replicaIdentifiers.map(promiseOf)),
            replicas.map((r) => outputsOf(r).identifier),
        );
    });

    it("final snapshot: a name unique per incarnation, drawn anew whenever an argument of the writer changes", async () => {
        const keepers = async (args: Partial<DatabaseArgs>) => {
            const { run } = await make(args);
            const id = byName(run, RANDOM_ID, "db-final-snapshot-id");
            assert.strictEqual(
                inputsOf(byName(run, RDS, "db-writer")).finalSnapshotIdentifier,
                `db-final-${outputsOf(id).hex}`,
            );
            assert.match(outputsOf(id).hex, /^[0-9a-f]{8}$/);
            const k = inputsOf(id).keepers;
            assert.deepStrictEqual(Object.keys(k), ["arguments"]);
            assert.doesNotMatch(k.arguments, /password|\[secret\]/i, "the keepers never hold the password");
            return k;
        };
        const base1 = await keepers({});
        // Same arguments, same suffix: no diff on every `pulumi up`.
        assert.deepStrictEqual(await keepers({}), base1);
        // Arguments whose change replaces the instance (AZ, database name, user, key...) change the keepers, so the
        // random provider draws a new suffix and the new writer never reuses the old one's snapshot name.
        for (const change of [
            { multiAz: false },
            { databaseName: "tickets" },
            { masterUsername: "admin" },
            { instanceClass: "db.r7g.large" },
        ] as Partial<DatabaseArgs>[]) {
            assert.notDeepStrictEqual(await keepers(change), base1, JSON.stringify(change));
        }
    });

    it("runs a monitoring role with the AWS managed policy, or none when monitoring is off", async () => {
        const { run } = await make();
        const role = inputsOf(byName(run, "aws:iam/role:Role", "db-monitoring-role"));
        assert.match(role.assumeRolePolicy, /monitoring\.rds\.amazonaws\.com/);
        assert.strictEqual(
            inputsOf(byName(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy"))
                .policyArn,
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        );
        assert.strictEqual(
            inputsOf(byName(run, RDS, "db-writer")).monitoringRoleArn,
            outputsOf(byName(run, "aws:iam/role:Role", "db-monitoring-role")).arn,
        );
        const off = await runProgram(() => {
            new Database("db", { ...base, monitoringIntervalSeconds: 0 });
        });
        assert.strictEqual(ofType(off, "aws:iam/role:Role").length, 0);
        assert.strictEqual(inputsOf(byName(off, RDS, "db-writer")).monitoringInterval, 0);
    });
});
