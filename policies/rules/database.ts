/**
 * RDS rules: a database that survives an AZ loss, can be restored to any second of the retention window,
 * cannot be deleted by accident, and is reachable only privately over TLS.
 *
 * Read replicas (`replicateSourceDb`) are rebuilt from their source, so the rules about failover, backups,
 * final snapshots and deletion protection do not apply to them (RDS does not even allow a final snapshot
 * of a replica); the rules about exposure, encryption and observability do.
 */
import * as aws from "@pulumi/aws";
import { Verdict, isReadReplica, isSet, list, num, bool, resourceRule } from "./common";
import { rdsForceTls, rdsMasterPasswordGenerated, rdsProxyTls } from "./database-access";

const REPLICA = { notApplicable: "read replicas are rebuilt from their source instance" };

export const rdsMultiAz = resourceRule(
    {
        name: "rds-multi-az",
        description:
            "Every RDS instance that is not a read replica runs Multi-AZ, so an AZ or host failure fails over to a synchronous standby.",
        severity: "critical",
        remediationSteps:
            "1. Set `multiAz: true` on the instance. 2. Apply in a maintenance window: the conversion adds a standby without downtime but increases write latency slightly.",
    },
    aws.rds.Instance,
    (db): Verdict => {
        if (isReadReplica(db)) return REPLICA;
        return db.multiAz === true
            ? []
            : [
                  "`multiAz` is not true: an AZ outage or host failure leaves the database down until it is restored from backup.",
              ];
    },
);

interface RetentionConfig {
    minimumDays: number;
}

export const rdsBackupRetention = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs, RetentionConfig>(
    {
        name: "rds-backup-retention",
        description:
            "Every RDS instance that is not a read replica, and every RDS/Aurora cluster, keeps automated backups (point-in-time recovery) for at least the configured number of days.",
        severity: "high",
        remediationSteps:
            "1. Set `backupRetentionPeriod` to at least the floor from the policy config (RDS allows up to 35 days). 2. Keep `backupWindow` outside the peak sales hours.",
        configSchema: {
            properties: {
                minimumDays: {
                    type: "integer",
                    minimum: 1,
                    maximum: 35,
                    default: 7,
                    description: "Floor for backupRetentionPeriod, in days",
                },
            },
        },
    },
    [aws.rds.Instance, aws.rds.Cluster],
    (db, cfg): Verdict => {
        if (isReadReplica(db)) return REPLICA;
        const days = num(db.backupRetentionPeriod);
        // RDS defaults to 1 day when the property is omitted (7 in the console, 1 in the API).
        if (days === undefined)
            return [
                `\`backupRetentionPeriod\` is not set (RDS API default: 1 day); at least ${cfg.minimumDays} days required.`,
            ];
        return days >= cfg.minimumDays
            ? []
            : [`\`backupRetentionPeriod\` is ${days} day(s); at least ${cfg.minimumDays} days required.`];
    },
);

export const rdsStorageEncrypted = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs>(
    {
        name: "rds-storage-encrypted",
        description:
            "Every RDS instance and RDS/Aurora cluster encrypts its storage, with a customer-managed KMS key unless it is a read replica that inherits its source's key.",
        severity: "high",
        remediationSteps:
            "1. Set `storageEncrypted: true` and `kmsKeyId` to a customer-managed key with rotation. 2. An existing unencrypted instance must be migrated: snapshot, copy the snapshot with encryption, restore from it.",
    },
    [aws.rds.Instance, aws.rds.Cluster],
    (db): Verdict => {
        const out: string[] = [];
        if (isReadReplica(db)) {
            if (db.storageEncrypted === false) out.push("`storageEncrypted` is false on a read replica.");
            return out;
        }
        if (db.storageEncrypted !== true) out.push("`storageEncrypted` is not true.");
        if (!isSet(db.kmsKeyId))
            out.push(
                "`kmsKeyId` is not set: the AWS-managed key cannot be shared for cross-account or cross-region backup copies and its policy cannot be restricted.",
            );
        return out;
    },
);

export const rdsDeletionProtection = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs>(
    {
        name: "rds-deletion-protection",
        description:
            "Every RDS instance that is not a read replica, and every RDS/Aurora cluster, has deletion protection on.",
        severity: "high",
        remediationSteps:
            "1. Set `deletionProtection: true`. 2. To delete deliberately, turn it off in a reviewed change first.",
    },
    [aws.rds.Instance, aws.rds.Cluster],
    (db): Verdict => {
        if (isReadReplica(db)) return REPLICA;
        return db.deletionProtection === true
            ? []
            : ["`deletionProtection` is not true: one `pulumi destroy` or replacement deletes the database."];
    },
);

export const rdsFinalSnapshot = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs>(
    {
        name: "rds-final-snapshot",
        description:
            "Every RDS instance that is not a read replica, and every RDS/Aurora cluster, takes a final snapshot when deleted.",
        severity: "high",
        remediationSteps:
            "1. Remove `skipFinalSnapshot: true`. 2. Set `finalSnapshotIdentifier` to a name unique per instance (RDS refuses the delete without one).",
    },
    [aws.rds.Instance, aws.rds.Cluster],
    (db): Verdict => {
        if (isReadReplica(db)) return { notApplicable: "RDS cannot take a final snapshot of a read replica" };
        const out: string[] = [];
        if (db.skipFinalSnapshot === true) out.push("`skipFinalSnapshot` is true: deleting it discards its data.");
        if (!isSet(db.finalSnapshotIdentifier))
            out.push(
                "`finalSnapshotIdentifier` is not set: the delete fails or, with skipFinalSnapshot, loses the data.",
            );
        return out;
    },
);

export const rdsNotPublic = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs>(
    {
        name: "rds-not-public",
        description: "No RDS instance, Aurora cluster instance or Multi-AZ DB cluster is publicly accessible.",
        severity: "critical",
        remediationSteps:
            "1. Set `publiclyAccessible: false`. 2. Place the instance in isolated subnets and reach it through the app's security group (or RDS Proxy).",
    },
    [aws.rds.Instance, aws.rds.ClusterInstance, aws.rds.Cluster],
    (db): Verdict =>
        db.publiclyAccessible === true
            ? ["`publiclyAccessible` is true: the endpoint resolves to a public address."]
            : [],
);

export const rdsPerformanceInsights = resourceRule(
    {
        name: "rds-performance-insights",
        description:
            "Every RDS instance has Performance Insights (or Database Insights advanced mode) on, to diagnose load during on-sales.",
        severity: "medium",
        remediationSteps:
            "1. Set `performanceInsightsEnabled: true` (7 days of retention are free). 2. Optionally set `performanceInsightsKmsKeyId` to the database key.",
    },
    aws.rds.Instance,
    (db): Verdict =>
        db.performanceInsightsEnabled === true || db.databaseInsightsMode === "advanced"
            ? []
            : ["`performanceInsightsEnabled` is not true."],
);

interface MonitoringConfig {
    maximumIntervalSeconds: number;
}

export const rdsEnhancedMonitoring = resourceRule<aws.rds.Instance, aws.rds.InstanceArgs, MonitoringConfig>(
    {
        name: "rds-enhanced-monitoring",
        description:
            "Every RDS instance sends Enhanced Monitoring OS metrics at least as often as the configured interval.",
        severity: "medium",
        remediationSteps:
            "1. Set `monitoringInterval` to 1, 5, 10, 15, 30 or 60 seconds, no more than the configured maximum. 2. Set `monitoringRoleArn` to a role trusting monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole.",
        configSchema: {
            properties: { maximumIntervalSeconds: { type: "integer", enum: [1, 5, 10, 15, 30, 60], default: 60 } },
        },
    },
    aws.rds.Instance,
    (db, cfg): Verdict => {
        const interval = num(db.monitoringInterval) ?? 0;
        const out: string[] = [];
        if (interval <= 0) out.push("`monitoringInterval` is 0 or unset: Enhanced Monitoring is off.");
        else if (interval > cfg.maximumIntervalSeconds)
            out.push(`\`monitoringInterval\` is ${interval} s; at most ${cfg.maximumIntervalSeconds} s required.`);
        if (interval > 0 && !isSet(db.monitoringRoleArn))
            out.push("`monitoringRoleArn` is not set: RDS cannot publish the metrics.");
        return out;
    },
);

/** The CloudWatch log types each engine must export (RDS User Guide, "Publishing database logs"). */
const REQUIRED_LOG_EXPORTS: Record<string, string[]> = {
    postgres: ["postgresql"],
    mysql: ["error", "slowquery"],
    mariadb: ["error", "slowquery"],
};

export const rdsLogExports = resourceRule(
    {
        name: "rds-log-exports",
        description:
            "Every RDS instance exports its engine logs to CloudWatch Logs (PostgreSQL: postgresql; MySQL/MariaDB: error and slowquery).",
        severity: "medium",
        remediationSteps:
            '1. Set `enabledCloudwatchLogsExports` to include the engine\'s log types (postgres: ["postgresql", "upgrade"]). 2. Set a retention on the created /aws/rds/... log groups.',
    },
    aws.rds.Instance,
    (db): Verdict => {
        const engine = typeof db.engine === "string" ? db.engine : "";
        const required = REQUIRED_LOG_EXPORTS[engine];
        if (!required)
            return isReadReplica(db)
                ? REPLICA
                : { notApplicable: `no log export requirement known for engine "${engine}"` };
        const exported = list<string>(db.enabledCloudwatchLogsExports);
        const missing = required.filter((l) => !exported.includes(l));
        return missing.length ? [`\`enabledCloudwatchLogsExports\` lacks ${missing.join(", ")}.`] : [];
    },
);

export const rdsMinorVersionUpgrade = resourceRule(
    {
        name: "rds-minor-version-upgrade",
        description:
            "Every RDS instance takes automatic minor engine upgrades (security fixes) in its maintenance window.",
        severity: "low",
        remediationSteps:
            "1. Remove `autoMinorVersionUpgrade: false` (the default is true). 2. Pin only the major version in `engineVersion`.",
    },
    aws.rds.Instance,
    (db): Verdict =>
        db.autoMinorVersionUpgrade === false
            ? ["`autoMinorVersionUpgrade` is false: security patches are never applied."]
            : [],
);

export const rdsIamAuthentication = resourceRule(
    {
        name: "rds-iam-authentication",
        description:
            "RDS instances allow IAM database authentication, so people and tools can log in with short-lived tokens instead of shared passwords.",
        severity: "low",
        enforcementLevel: "advisory",
        remediationSteps:
            "1. Set `iamDatabaseAuthenticationEnabled: true`. 2. Grant `rds_iam` to database roles that should use tokens and `rds-db:connect` to their IAM principals.",
    },
    aws.rds.Instance,
    (db): Verdict =>
        bool(db.iamDatabaseAuthenticationEnabled) === true ? [] : ["`iamDatabaseAuthenticationEnabled` is not true."],
);

export { PASSWORD_SOURCES, rdsMasterPasswordGenerated, rdsProxyTls, rdsForceTls } from "./database-access";

export const databasePolicies = [
    rdsMultiAz,
    rdsBackupRetention,
    rdsStorageEncrypted,
    rdsDeletionProtection,
    rdsFinalSnapshot,
    rdsNotPublic,
    rdsForceTls,
    rdsPerformanceInsights,
    rdsEnhancedMonitoring,
    rdsLogExports,
    rdsMinorVersionUpgrade,
    rdsIamAuthentication,
    rdsMasterPasswordGenerated,
    rdsProxyTls,
];
