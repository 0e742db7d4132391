/**
 * ElastiCache rules. Redis/Valkey holds state the ticket flow needs (baskets, holds), so it must fail over
 * automatically to a replica in another AZ (ElastiCache User Guide, "AutoFailover": Multi-AZ needs at least
 * one replica and automatic failover), be encrypted and authenticated. Memcached has no replication: the
 * only redundancy is spreading its nodes over AZs, so a lost AZ costs only its share of the keys.
 */
import * as aws from "@pulumi/aws";
import {
    StackFinding,
    T,
    Verdict,
    azList,
    bool,
    isSet,
    known,
    list,
    num,
    ofType,
    resourceRule,
    stackRule,
} from "./common";
import { Topology } from "./topology";

export const redisHighAvailability = resourceRule(
    {
        name: "redis-high-availability",
        description:
            "Every Redis/Valkey replication group has automatic failover, Multi-AZ and at least one replica per shard.",
        severity: "critical",
        remediationSteps:
            "1. Set `automaticFailoverEnabled: true` and `multiAzEnabled: true`. 2. Set `numCacheClusters` ≥ 2 (cluster mode disabled) or `replicasPerNodeGroup` ≥ 1 (cluster mode enabled). 3. Leave `preferredCacheClusterAzs` unset or list distinct AZs.",
    },
    aws.elasticache.ReplicationGroup,
    (rg): Verdict => {
        const out: string[] = [];
        if (bool(rg.automaticFailoverEnabled) !== true)
            out.push(
                "`automaticFailoverEnabled` is not true: losing the primary loses writes until someone promotes a replica.",
            );
        if (bool(rg.multiAzEnabled) !== true)
            out.push("`multiAzEnabled` is not true: the replica may share the primary's AZ.");
        const clusters = num(rg.numCacheClusters);
        const replicasPerShard = num(rg.replicasPerNodeGroup);
        const nodesPerShard = replicasPerShard !== undefined ? replicasPerShard + 1 : (clusters ?? 1);
        if (nodesPerShard < 2)
            out.push(
                `${replicasPerShard !== undefined ? "`replicasPerNodeGroup`" : "`numCacheClusters`"} gives ${nodesPerShard} node per shard; at least 2 (a primary and a replica) required.`,
            );
        const azs = list<string>(rg.preferredCacheClusterAzs);
        if (azs.length > 0 && new Set(azs).size < 2)
            out.push(`\`preferredCacheClusterAzs\` puts every node in ${azs[0]}.`);
        return out;
    },
);

export const redisEncryption = resourceRule(
    {
        name: "redis-encryption",
        description: "Every Redis/Valkey replication group encrypts data at rest and in transit.",
        severity: "high",
        remediationSteps:
            "1. Set `atRestEncryptionEnabled: true` (optionally `kmsKeyId`). 2. Set `transitEncryptionEnabled: true` and connect with TLS (`rediss://`). Enabling at-rest encryption on an existing group requires a replacement.",
    },
    aws.elasticache.ReplicationGroup,
    (rg): Verdict => {
        const out: string[] = [];
        if (bool(rg.atRestEncryptionEnabled) !== true) out.push("`atRestEncryptionEnabled` is not true.");
        if (bool(rg.transitEncryptionEnabled) !== true)
            out.push("`transitEncryptionEnabled` is not true: AUTH tokens and data cross the network in clear text.");
        else if (rg.transitEncryptionMode === "preferred")
            out.push("`transitEncryptionMode` is preferred: clients may still connect without TLS.");
        return out;
    },
);

export const redisAuth = resourceRule(
    {
        name: "redis-auth",
        description:
            "Every Redis/Valkey replication group requires clients to authenticate (AUTH token or RBAC user group).",
        severity: "high",
        remediationSteps:
            '1. Generate a token (`random.RandomPassword`, ≥ 16 characters, no @ " /) and pass it as a secret to `authToken`, or 2. attach an RBAC user group via `userGroupIds`. Both need `transitEncryptionEnabled: true`.',
    },
    aws.elasticache.ReplicationGroup,
    (rg): Verdict =>
        isSet(rg.authToken) || isSet(rg.authTokenWoVersion) || list(rg.userGroupIds).length > 0
            ? []
            : [
                  "neither `authToken` nor `userGroupIds` is set: anyone who can reach the port can read and flush the cache.",
              ],
);

interface SnapshotConfig {
    minimumDays: number;
}

export const redisSnapshotRetention = resourceRule<
    aws.elasticache.ReplicationGroup,
    aws.elasticache.ReplicationGroupArgs,
    SnapshotConfig
>(
    {
        name: "redis-snapshot-retention",
        description:
            "Every Redis/Valkey replication group keeps automatic daily snapshots for at least the configured number of days.",
        severity: "medium",
        remediationSteps:
            "1. Set `snapshotRetentionLimit` to at least the configured floor (ElastiCache allows up to 35). 2. Set `snapshotWindow` outside peak hours.",
        configSchema: { properties: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 1 } } },
    },
    aws.elasticache.ReplicationGroup,
    (rg, cfg): Verdict => {
        const days = num(rg.snapshotRetentionLimit) ?? 0;
        return days >= cfg.minimumDays
            ? []
            : [`\`snapshotRetentionLimit\` is ${days} day(s); at least ${cfg.minimumDays} required.`];
    },
);

interface MemcachedConfig {
    minimumAzs: number;
}

export const memcachedCrossAz = stackRule<MemcachedConfig>(
    {
        name: "memcached-cross-az",
        description:
            "Every Memcached cluster spreads its nodes across AZs (azMode cross-az), with at least one node per AZ of its subnet group and never fewer than the configured minimum.",
        severity: "high",
        remediationSteps:
            '1. Set `azMode: "cross-az"`. 2. Set `numCacheNodes` ≥ the number of AZs in its subnet group (or in `preferredAvailabilityZones`). 3. If `preferredAvailabilityZones` is set, list one entry per node over distinct AZs.',
        configSchema: { properties: { minimumAzs: { type: "integer", minimum: 2, maximum: 6, default: 2 } } },
    },
    (args, cfg) => {
        const clusters = ofType(args, T.cacheCluster).filter((c) => known(c.props, "engine") === "memcached");
        if (clusters.length === 0) return { notApplicable: "no Memcached clusters" };
        const topo = new Topology(args);
        const findings: StackFinding[] = [];
        for (const c of clusters) {
            const preferred = list<string>(known(c.props, "preferredAvailabilityZones"));
            const groupAzs = topo.azsViaGroup(c, "subnetGroupName", T.cacheSubnetGroup);
            const azs = Math.max(cfg.minimumAzs, new Set(preferred).size, groupAzs.size);
            const nodes = num(known(c.props, "numCacheNodes")) ?? 1;
            if (known(c.props, "azMode") !== "cross-az")
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: \`azMode\` is not cross-az: every node is in one AZ.`,
                });
            if (nodes < azs)
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: \`numCacheNodes\` is ${nodes}; at least ${azs} (one per AZ${groupAzs.size ? ` of ${azList(groupAzs)}` : ""}) required.`,
                });
            if (preferred.length > 0 && new Set(preferred).size < Math.min(nodes, azs))
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: \`preferredAvailabilityZones\` covers only ${new Set(preferred).size} AZ(s).`,
                });
        }
        return findings;
    },
);

export const redisNoStandaloneCluster = resourceRule(
    {
        name: "redis-no-standalone-node",
        description: "No Redis/Valkey node runs as a standalone cache cluster outside a replication group.",
        severity: "high",
        remediationSteps:
            "1. Replace the `aws.elasticache.Cluster` with an `aws.elasticache.ReplicationGroup` (automatic failover, Multi-AZ, ≥ 2 nodes), or 2. set its `replicationGroupId` to join an existing group.",
    },
    aws.elasticache.Cluster,
    (c): Verdict => {
        if (c.engine === "memcached") return { notApplicable: "Memcached has no replication groups" };
        return isSet(c.replicationGroupId) ? [] : ["a standalone Redis/Valkey node has no replica and no failover."];
    },
);

export const cachePolicies = [
    redisHighAvailability,
    redisEncryption,
    redisAuth,
    redisSnapshotRetention,
    memcachedCrossAz,
    redisNoStandaloneCluster,
];
