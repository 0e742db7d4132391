/**
 * The data tier: config → component args, nothing else. Every store sits in the isolated subnets and admits
 * only the client security groups it is given (the app and worker tasks); the backup policy picks up whatever
 * carries the backup tag (the RDS writer). Prod protects stateful resources against accidental deletion.
 */
import type * as pulumi from "@pulumi/pulumi";
import { BackupPolicy, Database, MemcachedCluster, RedisCache, ENVIRONMENT_TAG } from "@boxoffice/components";
import type { Network } from "@boxoffice/components";
import type { PlatformConfig } from "./config/schema";
import type { DataTier } from "./tiers";

export function createDataTier(
    name: string,
    config: PlatformConfig,
    network: Network,
    clientSecurityGroupIds: pulumi.Input<string>[],
): DataTier & { backup: BackupPolicy } {
    const protect = config.environment === "prod";
    const tags = { [ENVIRONMENT_TAG]: config.environment };
    const placement = {
        vpcId: network.vpcId,
        subnetIds: network.isolatedSubnetIds,
        availabilityZones: network.availabilityZones,
        allowedSecurityGroupIds: clientSecurityGroupIds,
        tags,
    };
    const db = config.database;
    const database = new Database(`${name}-db`, {
        ...placement,
        engineVersion: db.engineVersion,
        instanceClass: db.instanceClass,
        allocatedStorageGb: db.allocatedStorageGb,
        maxAllocatedStorageGb: db.maxAllocatedStorageGb,
        multiAz: db.multiAz,
        readReplicas: db.readReplicas,
        backupRetentionDays: db.backupRetentionDays,
        backupWindow: db.backupWindow,
        maintenanceWindow: db.maintenanceWindow,
        proxy: db.proxy,
        deletionProtection: db.deletionProtection,
        iamAuthentication: db.iamAuthentication,
        performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
        monitoringIntervalSeconds: db.monitoringIntervalSeconds,
        protect,
    });
    const redis = new RedisCache(`${name}-redis`, {
        ...placement,
        nodeType: config.redis.nodeType,
        engineVersion: config.redis.engineVersion,
        replicas: config.redis.replicas,
        snapshotRetentionDays: config.redis.snapshotRetentionDays,
        snapshotWindow: config.redis.snapshotWindow,
        protect,
    });
    const memcached = new MemcachedCluster(`${name}-memcached`, {
        ...placement,
        nodeType: config.memcached.nodeType,
        engineVersion: config.memcached.engineVersion,
        nodes: config.memcached.nodes,
    });
    const b = config.backup;
    const backup = new BackupPolicy(`${name}-backup`, {
        dailyRetentionDays: b.dailyRetentionDays,
        weeklyRetentionDays: b.weeklyRetentionDays,
        monthlyRetentionDays: b.monthlyRetentionDays,
        monthlyColdStorageAfterDays: b.monthlyColdStorageAfterDays,
        copyToRegion: b.copyToRegion,
        vaultLock: b.vaultLock,
        vaultLockMode: b.vaultLockMode,
        restoreTesting: b.restoreTesting,
        // The schedules must start clear of the writer's backup and maintenance windows, or the jobs expire.
        databaseWindows: { backupWindow: db.backupWindow, maintenanceWindow: db.maintenanceWindow },
        tags,
    });

    return {
        database: {
            writerAddress: database.writerAddress,
            clientWriterAddress: database.clientWriterAddress,
            readerAddresses: database.readerAddresses,
            port: database.port,
            databaseName: database.databaseName,
            masterUsername: database.masterUsername,
            masterSecretArn: database.masterSecretArn,
            secretKmsKeyArn: database.secretKmsKeyArn,
            securityGroupId: database.securityGroupId,
            writerIdentifier: database.writerIdentifier,
            writerArn: database.writerArn,
            replicaIdentifiers: database.replicaIdentifiers,
        },
        redis: {
            primaryAddress: redis.primaryAddress,
            readerAddress: redis.readerAddress,
            port: redis.port,
            authToken: redis.authToken,
            replicationGroupId: redis.replicationGroupId,
            memberClusterIds: redis.memberClusterIds,
            securityGroupId: redis.securityGroupId,
            groupTag: redis.groupTag,
            nodeAvailabilityZones: redis.nodeAvailabilityZones,
        },
        memcached: {
            servers: memcached.servers,
            port: memcached.port,
            clusterId: memcached.clusterId,
            securityGroupId: memcached.securityGroupId,
        },
        backup,
    };
}
