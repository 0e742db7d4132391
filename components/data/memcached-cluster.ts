import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { requireDataPlacement } from "./data-placement";
import { TIER_TAG } from "../tiers";
import { child } from "../transform";
import { MEMCACHED_CLUSTER_CONTRACT, MemcachedClusterArgs, nodesPerAzProblem } from "./memcached-cluster-args";
import { spreadOverAzs } from "./placement";
import { clientOnlySecurityGroup } from "./security-group";

export type { MemcachedClusterArgs, MemcachedClusterTransform } from "./memcached-cluster-args";

const PORT = 11211;
/** ElastiCache cache cluster ids are at most 50 characters; the autonamer appends 8 (`-` + 7). */
const MAX_CLUSTER_ID = 50;

/** The raw children, for what the arguments do not cover. */
export interface MemcachedClusterResources {
    cluster: aws.elasticache.Cluster;
    subnetGroup: aws.elasticache.SubnetGroup;
    securityGroup: aws.ec2.SecurityGroup;
}

/**
 * Memcached for read-through caches (event and seat-map pages): N nodes spread over the AZs (`cross-az`),
 * TLS in transit, in the isolated subnets, reachable only from the given client security groups.
 *
 * HA: Memcached has no replication; clients shard keys over `servers` with consistent hashing, so losing a node
 * or an AZ only turns that share of the keys into misses that the database answers. At least 2 nodes and at least
 * one per AZ are enforced, so every AZ holds a share and no single node holds them all. Memcached has no at-rest encryption or snapshots; nothing here is the source of truth.
 *
 * Cost (eu-west-1, on demand): cache.r7g.large ≈ 0.24 USD/h per node, 3 nodes by default.
 *
 * Escape hatches: `transform` adjusts any child's AWS arguments; `resources` exposes the children.
 *
 * @example new MemcachedCluster("prod-memcached", { network, allowedSecurityGroupIds: [appSg] })
 */
export class MemcachedCluster extends pulumi.ComponentResource {
    /** `host:port,host:port` of every node, for MEMCACHED_SERVERS. */
    readonly servers: pulumi.Output<string>;
    /** Memcached's port, 11211 (TLS in transit). */
    readonly port = PORT;
    /** The configuration endpoint (`host:port`) for clients with ElastiCache auto discovery. */
    readonly configurationEndpoint: pulumi.Output<string>;
    /** The ElastiCache cluster id. */
    readonly clusterId: pulumi.Output<string>;
    /** The cluster's security group (clients are admitted by rule, one per client group). */
    readonly securityGroupId: pulumi.Output<string>;

    /** The raw children (cluster, subnet group, security group). */
    readonly resources: MemcachedClusterResources;

    constructor(name: string, args: MemcachedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const check = argChecker("MemcachedCluster", name);
        check.that(
            /^[a-z](-?[a-z0-9])*$/.test(name),
            "name",
            name,
            "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes ElastiCache ids)",
        );
        check.that(
            `${name}-nodes`.length + 8 <= MAX_CLUSTER_ID,
            "name",
            name,
            `must be at most ${MAX_CLUSTER_ID - 14} characters (the autonamed cluster id "<name>-nodes-xxxxxxx" must fit ElastiCache's ${MAX_CLUSTER_ID})`,
        );
        const place = requireDataPlacement(check, args, "(cross-az needs a second AZ)");
        const azCount = place.availabilityZones.length;
        const c = MEMCACHED_CLUSTER_CONTRACT.resolve(name, args);
        const perAz = nodesPerAzProblem(c.nodes, azCount, "the number of AZs");
        check.that(!perAz, "nodes", c.nodes, perAz ?? "");
        super("boxoffice:data:MemcachedCluster", name, {}, opts);
        const t = args.transform ?? {};

        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: "cache", Name: `${name}-${role}` });

        const subnetGroup = child(
            aws.elasticache.SubnetGroup,
            `${name}-subnets`,
            {
                description: `${name}: isolated subnets`,
                subnetIds: place.subnetIds,
                tags: tags("subnets"),
            },
            parent,
            t.subnetGroup,
        );
        const sg = clientOnlySecurityGroup(
            name,
            {
                vpcId: place.vpcId,
                port: PORT,
                clientSecurityGroupIds: args.allowedSecurityGroupIds,
                description: `${name}: Memcached from the given clients only`,
                tags: tags("sg"),
                transform: { securityGroup: t.securityGroup, ingressRule: t.ingressRule },
            },
            parent,
        );
        const cluster = child(
            aws.elasticache.Cluster,
            `${name}-nodes`,
            {
                engine: "memcached",
                engineVersion: c.engineVersion,
                nodeType: c.nodeType,
                port: PORT,
                numCacheNodes: c.nodes,
                azMode: "cross-az",
                // One entry per node, round-robin, so every AZ gets floor or ceil of nodes / AZs.
                preferredAvailabilityZones: spreadOverAzs(c.nodes, place.availabilityZones),
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [sg.id],
                parameterGroupName: args.parameterGroupName,
                transitEncryptionEnabled: true,
                maintenanceWindow: c.maintenanceWindow,
                // autoMinorVersionUpgrade is left out: the provider supports it for Redis 6+ only.
                applyImmediately: false,
                tags: tags("nodes"),
            },
            parent,
            t.cluster,
        );

        this.servers = cluster.cacheNodes.apply((ns) => ns.map((n) => `${n.address}:${n.port}`).join(","));
        this.configurationEndpoint = cluster.configurationEndpoint;
        this.clusterId = cluster.id;
        this.securityGroupId = sg.id;
        this.resources = { cluster, subnetGroup, securityGroup: sg };
        this.registerOutputs({
            servers: this.servers,
            configurationEndpoint: this.configurationEndpoint,
            clusterId: this.clusterId,
            securityGroupId: this.securityGroupId,
        });
    }
}
