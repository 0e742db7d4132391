/** The data tier and backups of the compliant baseline (see `baseline()` in fixture.ts). */
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { Spec, T, tier } from "./fixture-shapes";

/** A value the engine marks secret, as a program's `pulumi.secret()` arrives in a registration. */
export const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

const backupRule = (ruleName: string, schedule: string, deleteAfter: number) => ({
    ruleName,
    schedule,
    targetVaultName: "main",
    lifecycle: { deleteAfter },
    copyActions: [
        { destinationVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr", lifecycle: { deleteAfter } },
    ],
});

/** Key, RDS writer, replica and proxy, Redis, Memcached, backup vaults with locks, the plan and its selection. */
export function dataTier(): Spec[] {
    return [
        { type: T.kms, name: "key", props: { description: "data", enableKeyRotation: true, deletionWindowInDays: 30 } },
        {
            type: T.pg,
            name: "pg",
            props: {
                family: "postgres16",
                parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
            },
            outputs: { name: "pg" },
        },
        {
            type: T.dbsg,
            name: "db-subnets",
            props: { subnetIds: ["subnet-iso-a", "subnet-iso-b"] },
            deps: { subnetIds: ["iso-a", "iso-b"] },
            outputs: { name: "db-subnets" },
        },
        {
            type: T.db,
            name: "db",
            props: {
                identifier: "db",
                engine: "postgres",
                engineVersion: "16",
                instanceClass: "db.r6g.large",
                allocatedStorage: 100,
                multiAz: true,
                backupRetentionPeriod: 7,
                storageEncrypted: true,
                kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1",
                deletionProtection: true,
                finalSnapshotIdentifier: "db-final",
                skipFinalSnapshot: false,
                publiclyAccessible: false,
                performanceInsightsEnabled: true,
                monitoringInterval: 60,
                monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                autoMinorVersionUpgrade: true,
                iamDatabaseAuthenticationEnabled: true,
                manageMasterUserPassword: true,
                username: "boxoffice",
                parameterGroupName: "pg",
                dbSubnetGroupName: "db-subnets",
                ...tier("database", { "boxoffice:backup": "daily-weekly-monthly" }),
            },
            deps: { parameterGroupName: ["pg"], dbSubnetGroupName: ["db-subnets"] },
            outputs: { arn: "arn:aws:rds:eu-west-1:123456789012:db:db" },
        },
        {
            type: T.db,
            name: "db-replica",
            props: {
                identifier: "db-replica",
                replicateSourceDb: "db",
                instanceClass: "db.r6g.large",
                storageEncrypted: true,
                publiclyAccessible: false,
                performanceInsightsEnabled: true,
                monitoringInterval: 60,
                monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
                enabledCloudwatchLogsExports: ["postgresql"],
                iamDatabaseAuthenticationEnabled: true,
                skipFinalSnapshot: true,
                parameterGroupName: "pg",
                ...tier("database"),
            },
            deps: { replicateSourceDb: ["db"], parameterGroupName: ["pg"] },
        },
        {
            type: T.proxy,
            name: "proxy",
            props: {
                engineFamily: "POSTGRESQL",
                requireTls: true,
                vpcSubnetIds: ["subnet-iso-a", "subnet-iso-b"],
                roleArn: "arn:aws:iam::123456789012:role/proxy",
                auths: [{ authScheme: "SECRETS", secretArn: "arn:secret" }],
            },
            deps: { vpcSubnetIds: ["iso-a", "iso-b"] },
        },
        {
            type: T.proxyTarget,
            name: "proxy-target",
            props: { dbProxyName: "proxy", targetGroupName: "default", dbInstanceIdentifier: "db" },
            deps: { dbInstanceIdentifier: ["db"], dbProxyName: ["proxy"] },
        },
        {
            type: T.csg,
            name: "cache-subnets",
            props: { subnetIds: ["subnet-iso-a", "subnet-iso-b"] },
            deps: { subnetIds: ["iso-a", "iso-b"] },
            outputs: { name: "cache-subnets" },
        },
        {
            type: T.rg,
            name: "redis",
            props: {
                description: "baskets",
                engine: "redis",
                nodeType: "cache.r7g.large",
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                numCacheClusters: 2,
                atRestEncryptionEnabled: true,
                transitEncryptionEnabled: true,
                authToken: secret("s3cr3t-token-of-32-characters!!"),
                snapshotRetentionLimit: 7,
                subnetGroupName: "cache-subnets",
                ...tier("cache"),
            },
            deps: { subnetGroupName: ["cache-subnets"] },
        },
        {
            type: T.cc,
            name: "memcached",
            props: {
                engine: "memcached",
                nodeType: "cache.r7g.large",
                azMode: "cross-az",
                numCacheNodes: 2,
                subnetGroupName: "cache-subnets",
                ...tier("cache"),
            },
            deps: { subnetGroupName: ["cache-subnets"] },
        },
        { type: T.vault, name: "main", props: { name: "main", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" } },
        {
            type: T.vault,
            name: "dr",
            props: { name: "dr", kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/2" },
            outputs: { arn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr" },
        },
        ...["main", "dr"].map((v): Spec => ({
            type: T.lock,
            name: `${v}-lock`,
            props: { backupVaultName: v, changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 },
            deps: { backupVaultName: [v] },
        })),
        {
            type: T.plan,
            name: "plan",
            props: {
                name: "daily-weekly-monthly",
                rules: [
                    backupRule("daily", "cron(0 3 * * ? *)", 7),
                    backupRule("weekly", "cron(0 4 ? * SUN *)", 35),
                    backupRule("monthly", "cron(0 5 1 * ? *)", 365),
                    {
                        ruleName: "continuous",
                        targetVaultName: "main",
                        enableContinuousBackup: true,
                        lifecycle: { deleteAfter: 14 },
                    },
                ],
            },
        },
        {
            type: T.selection,
            name: "selection",
            props: {
                planId: "plan-1",
                iamRoleArn: "arn:aws:iam::123456789012:role/backup",
                selectionTags: [{ type: "STRINGEQUALS", key: "boxoffice:backup", value: "daily-weekly-monthly" }],
            },
            deps: { planId: ["plan"] },
        },
    ];
}
