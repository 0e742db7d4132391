/** The `MemcachedCluster` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { defineContract, field } from "../contract";
import type { PlacementArgs } from "../network/network-ids";
import type { Transform } from "../transform";
import { cacheNodeTypeProblem } from "./node-types";
import { cacheMaintenanceWindowProblem } from "./windows";

/** ElastiCache allows up to 60 nodes in a Memcached cluster. */
const MAX_NODES = 60;

export const MEMCACHED_CLUSTER_CONTRACT = defineContract({
    component: "MemcachedCluster",
    fields: {
        nodeType: field.checked(cacheNodeTypeProblem, "an ElastiCache node type like cache.r7g.large"),
        engineVersion: field.text(
            /^1\.6\.(1[2-9]|[2-9]\d)$/,
            "Memcached 1.6.12 or later (needed for in-transit encryption)",
        ),
        // Two is the HA floor: with one node, losing it (or its AZ) turns every read into a database query.
        nodes: field.int(
            2,
            MAX_NODES,
            `at least 2 in different AZs, so losing one node or AZ costs only its share of the keys; ElastiCache allows up to ${MAX_NODES} per cluster`,
        ),
        maintenanceWindow: field.checked(cacheMaintenanceWindowProblem, "ddd:hh24:mi-ddd:hh24:mi"),
    },
    defaults: {
        nodeType: "cache.r7g.large",
        engineVersion: "1.6.22",
        nodes: 3,
        maintenanceWindow: "sun:05:00-sun:06:00",
    },
});

/**
 * The rule between `nodes` and the AZs, which the contract cannot see (they come with the network): every AZ
 * holds a node, so an AZ outage costs only that AZ's share. `azLabel` names the AZ count in the caller's terms.
 */
export function nodesPerAzProblem(nodes: number, azCount: number, azLabel: string): string | undefined {
    return nodes >= azCount ? undefined : `must be at least ${azLabel} (${azCount}) so every AZ holds a node`;
}

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface MemcachedClusterTransform {
    subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** Every client ingress rule. */
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    cluster?: Transform<aws.elasticache.ClusterArgs>;
}

export interface MemcachedClusterArgs extends PlacementArgs {
    /** Security groups allowed to connect on 11211. At least one. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** ElastiCache node type: a current generation with in-transit encryption (see `node-types.ts`). @default "cache.r7g.large" */
    nodeType?: string;
    /** 1.6.12 or later: in-transit encryption needs it. @default "1.6.22" */
    engineVersion?: string;
    /**
     * Nodes, 2..60 and at least one per AZ, so a lost node or AZ costs only its share of the keys.
     * @default 3
     */
    nodes?: number;
    /** Weekly maintenance window, UTC, at least 60 minutes. @default "sun:05:00-sun:06:00" */
    maintenanceWindow?: string;
    /** An existing ElastiCache parameter group of the `memcached1.6` family. @default undefined (the default group) */
    parameterGroupName?: pulumi.Input<string>;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: MemcachedClusterTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
