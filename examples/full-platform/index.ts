/**
 * The whole platform from the components, with their production defaults: a three-AZ network with a NAT gateway
 * per AZ, two internet-facing load balancers in front of one app service (each task registered with both), a
 * worker service, a Multi-AZ PostgreSQL writer with a read replica, Redis with automatic failover, Memcached over
 * every AZ, AWS Backup with a cross-region copy, and alarms. Composition only: every resource is in a component.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    Alarms,
    AutoscaledService,
    BackupPolicy,
    Database,
    EcsCluster,
    ENVIRONMENT_TAG,
    MemcachedCluster,
    Network,
    PairedLoadBalancers,
    RedisCache,
    ServiceSecrets,
    ServiceSecurityGroups,
} from "@boxoffice/components";

const config = new pulumi.Config();
const name = "tickets";
const appPort = 8080;
const tags = { [ENVIRONMENT_TAG]: pulumi.getStack() };
const databaseWindows = { backupWindow: "02:00-03:00", maintenanceWindow: "sun:04:00-sun:05:00" };

const network = new Network(name, { cidr: config.require("vpcCidr"), tags });
const albs = new PairedLoadBalancers(name, {
    network,
    domain: config.require("domain"),
    hostedZoneId: config.require("hostedZoneId"),
    appPort,
    tags,
});
const groups = new ServiceSecurityGroups(name, {
    network,
    loadBalancerSecurityGroupId: albs.securityGroupId,
    appPort,
    tags,
});
const clients = [groups.appSecurityGroupId, groups.workerSecurityGroupId];

const database = new Database(`${name}-db`, {
    network,
    allowedSecurityGroupIds: clients,
    ...databaseWindows,
    protect: true,
    tags,
});
const redis = new RedisCache(`${name}-redis`, { network, allowedSecurityGroupIds: clients, protect: true, tags });
const memcached = new MemcachedCluster(`${name}-memcached`, { network, allowedSecurityGroupIds: clients, tags });
new BackupPolicy(`${name}-backup`, { copyToRegion: config.require("backupCopyRegion"), databaseWindows, tags });

const cluster = new EcsCluster(name, { tags });
const secrets = new ServiceSecrets(name, { redisAuthToken: redis.authToken, protect: true, tags });
// Wiring by reference only: addresses as environment, credentials as Secrets Manager ARNs that ECS resolves.
// The request metrics of each load balancer's target group: the app scales on them, the alarms watch them.
const targetGroups = albs.loadBalancerArnSuffixes.map((lb, i) => ({ lb, tg: albs.targetGroupArnSuffixes[i] }));
const wiring = {
    cluster,
    image: config.require("image"),
    network,
    containerUser: "1000:1000",
    environment: {
        DATABASE_HOST: database.clientWriterAddress,
        REDIS_HOST: redis.primaryAddress,
        MEMCACHED_SERVERS: memcached.servers,
    },
    secrets: {
        DATABASE_PASSWORD: { arn: database.masterSecretArn, jsonKey: "password" },
        REDIS_AUTH_TOKEN: { arn: secrets.redisAuthTokenArn },
    },
    secretKmsKeyArns: [database.secretKmsKeyArn, secrets.kmsKeyArn],
    tags,
};
const app = new AutoscaledService(`${name}-app`, {
    ...wiring,
    role: "app",
    command: ["node", "dist/server.js"],
    port: appPort,
    securityGroupIds: [groups.appSecurityGroupId],
    targetGroupArns: albs.targetGroupArns,
    listenerDependencies: albs.listeners,
    requestScaling: {
        targetGroups: targetGroups.map(({ lb, tg }) => ({ loadBalancerArnSuffix: lb, targetGroupArnSuffix: tg })),
        targetRequestsPerTask: 800,
    },
});
const worker = new AutoscaledService(`${name}-worker`, {
    ...wiring,
    role: "worker",
    command: ["node", "dist/worker.js"],
    securityGroupIds: [groups.workerSecurityGroupId],
});

new Alarms(name, {
    alertEmail: config.get("alertEmail"),
    loadBalancers: targetGroups.map(({ lb, tg }) => ({ arnSuffix: lb, targetGroupArnSuffix: tg })),
    database: { writerIdentifier: database.writerIdentifier, replicaIdentifiers: database.replicaIdentifiers },
    redis: { memberClusterIds: redis.memberClusterIds, nodeCount: 3 },
    memcached: { clusterId: memcached.clusterId, nodeCount: 3 },
    services: [
        { role: "app", clusterName: cluster.clusterName, serviceName: app.serviceName, minTasks: 2 },
        { role: "worker", clusterName: cluster.clusterName, serviceName: worker.serviceName, minTasks: 2 },
    ],
    healthCheckIds: albs.healthCheckIds,
    backupFailures: true,
    tags,
});

export const publicUrl = albs.publicUrl;
export const loadBalancerDnsNames = albs.loadBalancerDnsNames;
export const vpcId = network.vpcId;
export const databaseWriterAddress = database.writerAddress;
