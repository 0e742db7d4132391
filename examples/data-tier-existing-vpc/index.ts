/**
 * The data tier in a VPC you already have, given as raw ids (bring your own network): a Multi-AZ PostgreSQL
 * writer with a read replica, Redis with automatic failover, Memcached spread over the AZs, and AWS Backup plans
 * (copied to a second region) for everything tagged for backup. Nothing here creates a VPC, subnet or route.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    BackupPolicy,
    Database,
    ENVIRONMENT_TAG,
    MemcachedCluster,
    NetworkIds,
    RedisCache,
} from "@boxoffice/components";

const config = new pulumi.Config();
const network: NetworkIds = {
    vpcId: config.require("vpcId"),
    availabilityZones: config.requireObject<string[]>("availabilityZones"),
    // The data stores live in the isolated tier: private subnets without a route to the internet.
    isolatedSubnetIds: config.requireObject<string[]>("subnetIds"),
};
const allowedSecurityGroupIds = config.requireObject<string[]>("clientSecurityGroupIds");
const tags = { [ENVIRONMENT_TAG]: pulumi.getStack() };
// The backup jobs must start clear of the database's own backup and maintenance windows, so both get the same.
const databaseWindows = { backupWindow: "02:00-03:00", maintenanceWindow: "sun:04:00-sun:05:00" };

const database = new Database("orders-db", {
    network,
    allowedSecurityGroupIds,
    ...databaseWindows,
    // Stateful: `pulumi destroy` must not take it (remove the flag deliberately first).
    protect: true,
    tags,
});
const redis = new RedisCache("orders-redis", { network, allowedSecurityGroupIds, protect: true, tags });
const memcached = new MemcachedCluster("orders-memcached", { network, allowedSecurityGroupIds, tags });
new BackupPolicy("orders-backup", { copyToRegion: config.require("backupCopyRegion"), databaseWindows, tags });

export const databaseWriterAddress = database.writerAddress;
export const databaseReaderAddresses = database.readerAddresses;
/** The master password's Secrets Manager ARN: give your service this reference, never the value. */
export const databaseSecretArn = database.masterSecretArn;
export const redisPrimaryAddress = redis.primaryAddress;
export const memcachedServers = memcached.servers;
