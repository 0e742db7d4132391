/** The `RedisCache` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { defineContract, field } from "../contract";
import type { PlacementArgs } from "../network/network-ids";
import type { Transform } from "../transform";
import { cacheNodeTypeProblem } from "./node-types";
import { cacheMaintenanceWindowProblem, snapshotWindowProblem } from "./windows";

export const REDIS_CACHE_CONTRACT = defineContract({
    component: "RedisCache",
    fields: {
        nodeType: field.checked(cacheNodeTypeProblem, "an ElastiCache node type like cache.r7g.large"),
        // Only the `redis` engine is built (ElastiCache's Redis OSS 6.x and 7.x), so only its versions are accepted.
        engineVersion: field.text(/^[67]\.\d+$/, 'a Redis OSS major.minor 6.x or 7.x ElastiCache supports, e.g. "7.1"'),
        replicas: field.int(1, 5, "Multi-AZ automatic failover needs at least 1 replica; a group holds up to 5"),
        snapshotRetentionDays: field.int(0, 35, "ElastiCache limit"),
        snapshotWindow: field.checked(snapshotWindowProblem, "hh24:mi-hh24:mi"),
        maintenanceWindow: field.checked(cacheMaintenanceWindowProblem, "ddd:hh24:mi-ddd:hh24:mi"),
        protect: field.bool(),
    },
    defaults: {
        nodeType: "cache.r7g.large",
        engineVersion: "7.1",
        replicas: 2,
        snapshotRetentionDays: 7,
        snapshotWindow: "03:00-04:00",
        maintenanceWindow: "sun:05:00-sun:06:00",
        protect: false,
    },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface RedisCacheTransform {
    /** The customer-managed key (absent with `kmsKeyArn`). */
    key?: Transform<aws.kms.KeyArgs>;
    authToken?: Transform<random.RandomPasswordArgs>;
    subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
    /** The parameter group (absent with `parameterGroupName`). */
    parameterGroup?: Transform<aws.elasticache.ParameterGroupArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** Every client ingress rule. */
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    /** The suffix of the final snapshot's name (see `uniqueFinalSnapshotName`). */
    finalSnapshotId?: Transform<random.RandomIdArgs>;
    /**
     * The replication group. `finalSnapshotIdentifier` is derived from the transformed arguments afterwards, so a
     * change made here draws a new final-snapshot name; set it here to choose one yourself.
     */
    group?: Transform<aws.elasticache.ReplicationGroupArgs>;
}

export interface RedisCacheArgs extends PlacementArgs {
    /** Security groups allowed to connect on 6379. At least one. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** A current node type with Multi-AZ failover and in-transit encryption. @default "cache.r7g.large" */
    nodeType?: string;
    /**
     * Redis OSS major.minor (6.x or 7.x); the parameter group family follows the major (`redis6.x` or `redis7`).
     * @default "7.1"
     */
    engineVersion?: string;
    /** Replicas of the primary, 1..5: Multi-AZ automatic failover needs at least one. @default 2 */
    replicas?: number;
    /** Daily snapshots kept, days, 0..35 (0 turns them off). @default 7 */
    snapshotRetentionDays?: number;
    /** Daily snapshot window, UTC, at least 60 minutes. @default "03:00-04:00" */
    snapshotWindow?: string;
    /** Weekly maintenance window, UTC, at least 60 minutes. @default "sun:05:00-sun:06:00" */
    maintenanceWindow?: string;
    /**
     * An existing KMS key (ARN) for data at rest and snapshots, instead of a key of our own.
     * @default undefined (a key per cache)
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * An existing ElastiCache parameter group (its family must match `engineVersion`'s major) instead of ours. Ours
     * sets `maxmemory-policy volatile-lru`, so keys without a TTL survive memory pressure; keep that in yours.
     * @default undefined (ours)
     */
    parameterGroupName?: pulumi.Input<string>;
    /** Protect the replication group and KMS key from `pulumi destroy` and replacement. @default false */
    protect?: boolean;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: RedisCacheTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
