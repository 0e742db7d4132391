/** Violating mutations of the baseline: ElastiCache, Aurora and RDS clusters. */
import { TYPES, baseline, mutated, without } from "../fixture";
import { Case } from "./common";

export const CACHES_CLUSTERS_CASES: Case[] = [
    // ElastiCache
    [
        "redis-high-availability",
        "no automatic failover",
        () =>
            mutated("redis", (p) => {
                p.automaticFailoverEnabled = false;
            }),
        /automaticFailoverEnabled/,
    ],
    [
        "redis-high-availability",
        "not Multi-AZ",
        () =>
            mutated("redis", (p) => {
                p.multiAzEnabled = false;
            }),
        /multiAzEnabled/,
    ],
    [
        "redis-high-availability",
        "one node",
        () =>
            mutated("redis", (p) => {
                p.numCacheClusters = 1;
            }),
        /1 node per shard/,
    ],
    [
        "redis-high-availability",
        "cluster mode without replicas",
        () =>
            mutated("redis", (p) => {
                delete p.numCacheClusters;
                p.numNodeGroups = 3;
                p.replicasPerNodeGroup = 0;
            }),
        /replicasPerNodeGroup/,
    ],
    [
        "redis-high-availability",
        "both nodes in one AZ",
        () =>
            mutated("redis", (p) => {
                p.preferredCacheClusterAzs = ["eu-west-1a", "eu-west-1a"];
            }),
        /every node in eu-west-1a/,
    ],
    [
        "redis-encryption",
        "no at-rest encryption",
        () =>
            mutated("redis", (p) => {
                p.atRestEncryptionEnabled = false;
            }),
        /atRestEncryptionEnabled/,
    ],
    [
        "redis-encryption",
        "no in-transit encryption",
        () =>
            mutated("redis", (p) => {
                p.transitEncryptionEnabled = false;
            }),
        /transitEncryptionEnabled/,
    ],
    [
        "redis-encryption",
        "TLS only preferred",
        () =>
            mutated("redis", (p) => {
                p.transitEncryptionMode = "preferred";
            }),
        /preferred/,
    ],
    [
        "redis-auth",
        "no AUTH",
        () =>
            mutated("redis", (p) => {
                delete p.authToken;
            }),
    ],
    [
        "redis-snapshot-retention",
        "no snapshots",
        () =>
            mutated("redis", (p) => {
                p.snapshotRetentionLimit = 0;
            }),
    ],
    [
        "memcached-cross-az",
        "single-AZ mode",
        () =>
            mutated("memcached", (p) => {
                p.azMode = "single-az";
            }),
        /azMode/,
    ],
    [
        "memcached-cross-az",
        "one node",
        () =>
            mutated("memcached", (p) => {
                p.numCacheNodes = 1;
            }),
        /numCacheNodes` is 1; at least 2/,
    ],
    [
        "memcached-cross-az",
        "fewer nodes than subnet-group AZs",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.subnet,
                name: "iso-c",
                props: { availabilityZone: "eu-west-1c", tags: { "boxoffice:tier": "network" } },
            });
            const g = f.find((s) => s.name === "cache-subnets")!;
            g.deps!.subnetIds.push("iso-c");
            return f;
        },
        /at least 3/,
    ],
    [
        "memcached-cross-az",
        "preferred AZs all the same",
        () =>
            mutated("memcached", (p) => {
                p.preferredAvailabilityZones = ["eu-west-1a", "eu-west-1a"];
            }),
        /covers only 1/,
    ],
    [
        "redis-no-standalone-node",
        "standalone Redis node",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.cc,
                name: "lonely",
                props: {
                    engine: "redis",
                    nodeType: "cache.t4g.small",
                    numCacheNodes: 1,
                    tags: { "boxoffice:tier": "cache" },
                },
            });
            return f;
        },
    ],
    // Aurora and RDS clusters
    [
        "aurora-multi-az",
        "one cluster instance",
        () => without("aurora-b"),
        /aurora: 1 cluster instance\(s\); at least 2/,
    ],
    [
        "aurora-multi-az",
        "instances not pinned to an AZ",
        () =>
            mutated("aurora-b", (p) => {
                delete p.availabilityZone;
            }),
        /aurora-b set no availabilityZone/,
    ],
    [
        "aurora-multi-az",
        "both instances in one AZ",
        () =>
            mutated("aurora-b", (p) => {
                p.availabilityZone = "eu-west-1a";
            }),
        /all in eu-west-1a/,
    ],
    [
        "rds-storage-encrypted",
        "unencrypted Aurora cluster",
        () =>
            mutated("aurora", (p) => {
                p.storageEncrypted = false;
            }),
        /storageEncrypted/,
    ],
    [
        "rds-deletion-protection",
        "Aurora without deletion protection",
        () =>
            mutated("aurora", (p) => {
                p.deletionProtection = false;
            }),
    ],
    [
        "rds-final-snapshot",
        "Aurora skips its final snapshot",
        () =>
            mutated("aurora", (p) => {
                p.skipFinalSnapshot = true;
            }),
        /skipFinalSnapshot/,
    ],
    [
        "rds-backup-retention",
        "Aurora keeps 1 day",
        () =>
            mutated("aurora", (p) => {
                p.backupRetentionPeriod = 1;
            }),
        /1 day\(s\)/,
    ],
    [
        "rds-not-public",
        "public Aurora instance",
        () =>
            mutated("aurora-a", (p) => {
                p.publiclyAccessible = true;
            }),
    ],
    [
        "rds-replica-az-spread",
        "two replicas pinned to one AZ",
        () => {
            const f = mutated("db-replica", (p) => {
                p.availabilityZone = "eu-west-1a";
            });
            const r = structuredClone(f.find((x) => x.name === "db-replica")!);
            r.name = "db-replica-2";
            r.props.identifier = "db-replica-2";
            f.push(r);
            return f;
        },
        /db-replica and db-replica-2 replicate the same source in eu-west-1a/,
    ],
];
