/** Violating mutations of the baseline: RDS instances. */
import { mutated, secret } from "../fixture";
import { Case } from "./common";

export const RDS_CASES: Case[] = [
    // RDS
    [
        "rds-multi-az",
        "writer not Multi-AZ",
        () =>
            mutated("db", (p) => {
                p.multiAz = false;
            }),
    ],
    [
        "rds-backup-retention",
        "retention 1 day",
        () =>
            mutated("db", (p) => {
                p.backupRetentionPeriod = 1;
            }),
        /1 day\(s\); at least 7/,
    ],
    [
        "rds-backup-retention",
        "retention unset",
        () =>
            mutated("db", (p) => {
                delete p.backupRetentionPeriod;
            }),
        /not set/,
    ],
    [
        "rds-storage-encrypted",
        "writer unencrypted",
        () =>
            mutated("db", (p) => {
                p.storageEncrypted = false;
            }),
        /storageEncrypted/,
    ],
    [
        "rds-storage-encrypted",
        "writer without CMK",
        () =>
            mutated("db", (p) => {
                delete p.kmsKeyId;
            }),
        /kmsKeyId/,
    ],
    [
        "rds-storage-encrypted",
        "replica unencrypted",
        () =>
            mutated("db-replica", (p) => {
                p.storageEncrypted = false;
            }),
        /read replica/,
    ],
    [
        "rds-deletion-protection",
        "deletion protection off",
        () =>
            mutated("db", (p) => {
                p.deletionProtection = false;
            }),
    ],
    [
        "rds-final-snapshot",
        "skip final snapshot",
        () =>
            mutated("db", (p) => {
                p.skipFinalSnapshot = true;
            }),
        /skipFinalSnapshot/,
    ],
    [
        "rds-final-snapshot",
        "no final snapshot name",
        () =>
            mutated("db", (p) => {
                delete p.finalSnapshotIdentifier;
            }),
        /finalSnapshotIdentifier/,
    ],
    [
        "rds-not-public",
        "public writer",
        () =>
            mutated("db", (p) => {
                p.publiclyAccessible = true;
            }),
    ],
    [
        "rds-not-public",
        "public replica",
        () =>
            mutated("db-replica", (p) => {
                p.publiclyAccessible = true;
            }),
    ],
    [
        "rds-force-tls",
        "parameter group without force_ssl",
        () =>
            mutated("pg", (p) => {
                p.parameters = [{ name: "log_min_duration_statement", value: "500" }];
            }),
        /rds.force_ssl/,
    ],
    [
        "rds-force-tls",
        "force_ssl = 0",
        () =>
            mutated("pg", (p) => {
                p.parameters[0].value = "0";
            }),
        /does not set rds.force_ssl = 1/,
    ],
    [
        "rds-force-tls",
        "default parameter group",
        () =>
            mutated("db", (p, s) => {
                p.parameterGroupName = "default.postgres16";
                delete s.deps!.parameterGroupName;
            }),
        /not a parameter group of this stack/,
    ],
    [
        "rds-force-tls",
        "replica on the default group",
        () =>
            mutated("db-replica", (p, s) => {
                p.parameterGroupName = "default.postgres16";
                delete s.deps!.parameterGroupName;
            }),
        /read replica/,
    ],
    [
        "rds-performance-insights",
        "PI off",
        () =>
            mutated("db", (p) => {
                p.performanceInsightsEnabled = false;
            }),
    ],
    [
        "rds-enhanced-monitoring",
        "monitoring off",
        () =>
            mutated("db", (p) => {
                p.monitoringInterval = 0;
            }),
        /is off/,
    ],
    [
        "rds-enhanced-monitoring",
        "no monitoring role",
        () =>
            mutated("db", (p) => {
                delete p.monitoringRoleArn;
            }),
        /monitoringRoleArn/,
    ],
    [
        "rds-log-exports",
        "no postgresql log export",
        () =>
            mutated("db", (p) => {
                p.enabledCloudwatchLogsExports = ["upgrade"];
            }),
        /lacks postgresql/,
    ],
    [
        "rds-minor-version-upgrade",
        "minor upgrades off",
        () =>
            mutated("db", (p) => {
                p.autoMinorVersionUpgrade = false;
            }),
    ],
    [
        "rds-master-password-generated",
        "neither managed nor given",
        () =>
            mutated("db", (p) => {
                p.manageMasterUserPassword = false;
            }),
        /neither/,
    ],
    [
        "rds-master-password-generated",
        "a typed (secret) password",
        () =>
            mutated("db", (p) => {
                delete p.manageMasterUserPassword;
                p.password = secret("hunter2hunter2");
            }),
        /typed into the program/,
    ],
    [
        "rds-master-password-generated",
        "a password derived from another resource (`${bucket.id}x`)",
        () =>
            mutated("db", (p, spec, all) => {
                delete p.manageMasterUserPassword;
                p.password = secret("logs-bucket-0123x");
                spec.deps = { ...spec.deps, password: ["logs"] };
                all.push({ type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs-bucket-0123" } });
            }),
        /db: `password` depends only on logs \(aws:s3\/bucket:Bucket\).*expected a dependency on one of random:index\/randomPassword:RandomPassword/,
    ],
    [
        "rds-proxy-tls",
        "proxy without TLS",
        () =>
            mutated("proxy", (p) => {
                p.requireTls = false;
            }),
        /requireTls/,
    ],
    [
        "rds-proxy-tls",
        "proxy in one subnet",
        () =>
            mutated("proxy", (p) => {
                p.vpcSubnetIds = ["subnet-iso-a"];
            }),
        /fewer than two/,
    ],
];
