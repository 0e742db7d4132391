import * as assert from "assert";
import { Database, DatabaseArgs } from "../../../components/data/database";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";
import { AZS, base, CLIENTS, SUBNETS } from "./helpers";

const RDS = "aws:rds/instance:Instance";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

async function make(args: Partial<DatabaseArgs> = {}, name = "db") {
    let db!: Database;
    const result = await runProgram(() => {
        db = new Database(name, { ...base, ...args });
    });
    return { run: result, db };
}

describe("Database: options, protection and names", () => {
    it("creates the writer and every replica only after the monitoring policy is attached (not just the role)", async () => {
        const { run } = await make({ readReplicas: 2 });
        const attachment = byName(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy");
        const instances = ofType(run, RDS);
        assert.deepStrictEqual(
            instances.map((r) => r.name),
            ["db-writer", "db-replica-1", "db-replica-2"],
        );
        for (const r of instances)
            assert.ok(r.dependencies.includes(attachment.urn), `${r.name} does not wait for ${attachment.urn}`);
        const off = await runProgram(() => {
            new Database("db", { ...base, monitoringIntervalSeconds: 0 });
        });
        assert.strictEqual(ofType(off, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    });

    it("options: single-AZ writer pinned to the first AZ, no replicas, IAM auth, no deletion protection", async () => {
        const { run, db } = await make({
            multiAz: false,
            readReplicas: 0,
            iamAuthentication: true,
            deletionProtection: false,
            backupRetentionDays: 0,
            instanceClass: "db.t4g.medium",
        });
        const w = inputsOf(byName(run, RDS, "db-writer"));
        assert.deepStrictEqual(
            [
                w.multiAz,
                w.availabilityZone,
                w.iamDatabaseAuthenticationEnabled,
                w.deletionProtection,
                w.backupRetentionPeriod,
                w.instanceClass,
            ],
            [false, AZS[0], true, false, 0, "db.t4g.medium"],
        );
        assert.strictEqual(ofType(run, RDS).length, 1);
        assert.deepStrictEqual(db.readerAddresses, []);
    });

    it("proxy: TLS-only RDS Proxy on our master secret, its own client group, and the database admits only it besides the clients", async () => {
        const { run, db } = await make({ proxy: true });
        const proxy = byName(run, "aws:rds/proxy:Proxy", "db-proxy");
        const p = inputsOf(proxy);
        assert.deepStrictEqual([p.engineFamily, p.requireTls, p.vpcSubnetIds], ["POSTGRESQL", true, base.subnetIds]);
        assert.strictEqual(p.auths[0].secretArn, outputsOf(byName(run, SECRET, "db-master-secret")).arn);
        assert.strictEqual(p.auths[0].secretArn, await promiseOf(db.masterSecretArn));
        assert.ok(
            proxy.dependencies.includes(byName(run, SECRET_VERSION, "db-master-secret-value").urn),
            "the proxy waits for the secret's value",
        );
        assert.strictEqual(p.auths[0].authScheme, "SECRETS");
        assert.strictEqual(await promiseOf(db.clientWriterAddress), outputsOf(proxy).endpoint);
        assert.strictEqual(await promiseOf(db.proxyAddress!), outputsOf(proxy).endpoint);
        const proxySgId =
            outputsOf(byName(run, "aws:ec2/securityGroup:SecurityGroup", "db-proxy-sg")).id ??
            byName(run, "aws:ec2/securityGroup:SecurityGroup", "db-proxy-sg").id;
        const dbRules = ofType(run, INGRESS)
            .filter((r) => r.name.startsWith("db-ingress-"))
            .map((r) => inputsOf(r).referencedSecurityGroupId);
        assert.deepStrictEqual(dbRules, [...CLIENTS, proxySgId]);
        const proxyRules = ofType(run, INGRESS)
            .filter((r) => r.name.startsWith("db-proxy-ingress-"))
            .map((r) => inputsOf(r).referencedSecurityGroupId);
        assert.deepStrictEqual(proxyRules, CLIENTS);
        const egress = inputsOf(
            byName(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "db-proxy-egress"),
        );
        assert.deepStrictEqual(
            [egress.securityGroupId, egress.referencedSecurityGroupId, egress.fromPort],
            [proxySgId, await promiseOf(db.securityGroupId), 5432],
        );
        const target = inputsOf(byName(run, "aws:rds/proxyTarget:ProxyTarget", "db-proxy-target"));
        assert.strictEqual(target.dbInstanceIdentifier, await promiseOf(db.writerIdentifier));
        const policy = JSON.parse(
            inputsOf(byName(run, "aws:iam/rolePolicy:RolePolicy", "db-proxy-secret-policy")).policy,
        );
        assert.strictEqual(policy.Statement[0].Resource, await promiseOf(db.masterSecretArn));
        assert.deepStrictEqual(policy.Statement[0].Action, [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ]);
        assert.strictEqual(policy.Statement[1].Resource, await promiseOf(db.secretKmsKeyArn));
    });

    it("protect: the writer, its secret and the key are protected and retained; replicas stay removable", async () => {
        const { run } = await make({ protect: true });
        for (const [type, n] of [
            [SECRET, "db-master-secret"],
            [SECRET_VERSION, "db-master-secret-value"],
        ]) {
            assert.deepStrictEqual(
                [byName(run, type, n).options.protect, byName(run, type, n).options.retainOnDelete],
                [true, true],
                n,
            );
        }
        assert.deepStrictEqual(byName(run, RDS, "db-writer").options.protect, true);
        assert.deepStrictEqual(byName(run, RDS, "db-writer").options.retainOnDelete, true);
        assert.deepStrictEqual(byName(run, "aws:kms/key:Key", "db-key").options.protect, true);
        assert.deepStrictEqual(byName(run, RDS, "db-replica-1").options.protect, false);
        const { run: unprotected } = await make();
        assert.strictEqual(byName(unprotected, RDS, "db-writer").options.protect, false);
        assert.strictEqual(
            byName(unprotected, "aws:kms/key:Key", "db-key").options.retainOnDelete,
            true,
            "the final snapshot needs the key",
        );
    });

    it("derives every child name from the component name and parents them to it", async () => {
        const { run } = await make({ proxy: true }, "orders");
        const component = run.resources.find((r) => r.type === "boxoffice:data:Database")!;
        const children = run.resources.filter((r) => r.parent === component.urn);
        assert.ok(children.length >= 15, `${children.length} children`);
        for (const c of children) assert.match(c.name, /^orders-/);
        for (const r of run.resources.filter((x) => x.custom && x.inputs.tags))
            assert.strictEqual(inputsOf(r).tags["boxoffice:tier"], "database", r.name);
    });

    const errors: [string, Partial<DatabaseArgs>, string][] = [
        [
            "one subnet",
            { subnetIds: ["subnet-a"], availabilityZones: ["eu-west-1a"] },
            'Database "db": subnetIds = 1: must list at least 2 subnets (a DB subnet group must span two AZs)',
        ],
        [
            "AZs not matching subnets",
            { availabilityZones: ["eu-west-1a", "eu-west-1b"] },
            'Database "db": availabilityZones = 2: must name one AZ per subnet (3)',
        ],
        [
            "no clients",
            { allowedSecurityGroupIds: [] },
            'Database "db": allowedSecurityGroupIds = 0: must list at least 1 client security group (nothing else can ever connect)',
        ],
        [
            "engine",
            { engineVersion: "12" },
            'Database "db": engineVersion = "12": must be a PostgreSQL major (13..17) or major.minor RDS supports, e.g. "16"',
        ],
        [
            "class",
            { instanceClass: "r6g.large" },
            'Database "db": instanceClass = "r6g.large": must be an RDS instance class like db.r6g.large',
        ],
        [
            "storage",
            { allocatedStorageGb: 10 },
            'Database "db": allocatedStorageGb = 10: must be 20..65536 (RDS PostgreSQL gp3 storage limits)',
        ],
        [
            "ceiling below storage",
            { maxAllocatedStorageGb: 50 },
            'Database "db": maxAllocatedStorageGb = 50: must be at least 10% above allocatedStorageGb 100 (RDS storage autoscaling rule)',
        ],
        // One rule for the component and the stack config: RDS wants the ceiling at least 10 % above the storage.
        [
            "ceiling equal to storage",
            { maxAllocatedStorageGb: 100 },
            'Database "db": maxAllocatedStorageGb = 100: must be at least 10% above allocatedStorageGb 100 (RDS storage autoscaling rule)',
        ],
        [
            "replicas",
            { readReplicas: 16 },
            'Database "db": readReplicas = 16: must be 0..15 (RDS PostgreSQL allows up to 15 read replicas per source)',
        ],
        [
            "retention",
            { backupRetentionDays: 36 },
            'Database "db": backupRetentionDays = 36: must be 0..35 (RDS limit)',
        ],
        [
            "no backups with replicas",
            { backupRetentionDays: 0 },
            'Database "db": backupRetentionDays = 0: must be at least 1 when readReplicas > 0 (RDS needs automated backups on a replica source)',
        ],
        [
            "backup window",
            { backupWindow: "2am" },
            'Database "db": backupWindow = "2am": must be hh24:mi-hh24:mi (UTC)',
        ],
        [
            "maintenance window",
            { maintenanceWindow: "sunday 4am" },
            'Database "db": maintenanceWindow = "sunday 4am": must be ddd:hh24:mi-ddd:hh24:mi (UTC)',
        ],
        [
            "PI retention",
            { performanceInsightsRetentionDays: 30 },
            'Database "db": performanceInsightsRetentionDays = 30: must be 7, a multiple of 31 up to 713, or 731 (Performance Insights retention values)',
        ],
        [
            "monitoring",
            { monitoringIntervalSeconds: 20 },
            'Database "db": monitoringIntervalSeconds = 20: must be one of 0, 1, 5, 10, 15, 30, 60 (RDS enhanced monitoring intervals)',
        ],
        [
            "database name",
            { databaseName: "Box-Office" },
            'Database "db": databaseName = "Box-Office": must be a PostgreSQL identifier: lower-case letter, then letters, digits or _, at most 63',
        ],
        [
            "username",
            { masterUsername: "rdsadmin" },
            'Database "db": masterUsername = "rdsadmin": must not be rdsadmin (reserved by RDS)',
        ],
        [
            "blue/green with replicas",
            { blueGreenUpdate: true },
            'Database "db": blueGreenUpdate = true: cannot be combined with readReplicas = 1: the provider\'s low-downtime (blue/green) update cannot be used with DB instances that have replicas (https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/#low-downtime-updates); set readReplicas to 0 or leave blueGreenUpdate unset',
        ],
        [
            "blue/green without backups",
            { readReplicas: 0, backupRetentionDays: 0, blueGreenUpdate: true },
            'Database "db": blueGreenUpdate = true: needs backupRetentionDays >= 1: low-downtime (blue/green) updates require automated backups (https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/#low-downtime-updates)',
        ],
        [
            "overlapping windows",
            { backupWindow: "04:00-04:30" },
            'Database "db": backupWindow = "04:00-04:30": must not overlap maintenanceWindow sun:04:00-sun:05:00 (RDS rule)',
        ],
        [
            "a short backup window",
            { backupWindow: "02:00-02:10" },
            'Database "db": backupWindow = "02:00-02:10": must last at least 30 minutes (RDS limit)',
        ],
        [
            "TLS off through logParameters",
            { logParameters: { "rds.force_ssl": "0" } },
            'Database "db": logParameters = {"rds.force_ssl":"0"}: must not set rds.force_ssl: TLS is always forced (a transform of parameterGroup can still change it)',
        ],
        [
            "logParameters with a parameter group of one's own",
            { parameterGroupName: "pg-mine", logParameters: { log_lock_waits: "1" } },
            'Database "db": logParameters = {"log_lock_waits":"1"}: cannot be combined with parameterGroupName: set logging in your own parameter group',
        ],
        [
            "an unknown log export",
            { cloudwatchLogsExports: ["audit" as never] },
            'Database "db": cloudwatchLogsExports.0 = "audit": must be one of postgresql, upgrade, iam-db-auth-error',
        ],
        [
            "a proxy borrow timeout above 300 s",
            { proxy: true, proxyConnectionBorrowTimeoutSeconds: 600 },
            'Database "db": proxyConnectionBorrowTimeoutSeconds = 600: must be 0..300 (RDS Proxy ConnectionBorrowTimeout)',
        ],
        [
            "a network and raw ids at once",
            { network: { vpcId: "vpc-1", availabilityZones: AZS, isolatedSubnetIds: SUBNETS } },
            'Database "db": network = "set": give either network or vpcId + subnetIds + availabilityZones, not both',
        ],
        [
            "no placement",
            { vpcId: undefined, subnetIds: undefined, availabilityZones: undefined },
            'Database "db": network = undefined: is required: our Network, an existing VPC\'s ids, or vpcId + subnetIds + availabilityZones',
        ],
    ];
    for (const [what, args, message] of errors) {
        it(`refuses ${what} before creating anything`, () => {
            assert.throws(() => new Database("db", { ...base, ...args }), { name: "ComponentArgError", message });
        });
    }
    it("refuses a name that cannot prefix RDS identifiers", () => {
        assert.throws(() => new Database("Prod--DB", base), {
            message:
                'Database "Prod--DB": name = "Prod--DB": must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes RDS identifiers and the final snapshot name)',
        });
    });
});
