import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";
import { WEEKLY_WINDOW, spreadOverAzs } from "./placement";
import { cacheNodeTypeProblem } from "./node-types";
import { clientOnlySecurityGroup } from "./security-group";

const PORT = 11211;
/** ElastiCache cache cluster ids are at most 50 characters; the autonamer appends 8 (`-` + 7). */
const MAX_CLUSTER_ID = 50;

export interface MemcachedClusterArgs {
    /** VPC of the subnets and client security groups. */
    vpcId: pulumi.Input<string>;
    /** Isolated subnets, one per AZ. */
    subnetIds: pulumi.Input<string>[];
    /** The AZ of each subnet, in the same order; nodes are placed round-robin over them. */
    availabilityZones: pulumi.Input<string>[];
    /** Security groups allowed to connect on 11211. At least one. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** @default "cache.r7g.large" */
    nodeType?: string;
    /** 1.6.12 or later: in-transit encryption needs it. @default "1.6.22" */
    engineVersion?: string;
    /** Nodes, at least one per AZ so a lost AZ costs only its share of the keys. @default 3 */
    nodes?: number;
    /** Weekly maintenance window, UTC. @default "sun:05:00-sun:06:00" */
    maintenanceWindow?: string;
    /** Tags for every child. */
    tags?: Record<string, string>;
}

/**
 * Memcached for read-through caches of event and seat-map pages: N nodes spread over the AZs (`cross-az`),
 * TLS in transit, in the isolated subnets, reachable only from the given client security groups.
 *
 * HA: Memcached has no replication; clients shard keys over `servers` with consistent hashing, so losing a node
 * or an AZ only turns that share of the keys into misses that the database answers. Nodes ≥ AZs is enforced so
 * every AZ holds a share. Memcached has no at-rest encryption or snapshots; nothing here is the source of truth.
 *
 * Cost (eu-west-1, on demand): cache.r7g.large ≈ 0.24 USD/h per node, 3 nodes by default.
 *
 * @example new MemcachedCluster("prod-memcached", { vpcId, subnetIds, availabilityZones, allowedSecurityGroupIds: [appSg] })
 */
export class MemcachedCluster extends pulumi.ComponentResource {
    /** `host:port,host:port` of every node, for MEMCACHED_SERVERS. */
    readonly servers: pulumi.Output<string>;
    readonly port = PORT;
    readonly configurationEndpoint: pulumi.Output<string>;
    readonly clusterId: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: MemcachedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const nodeType = args.nodeType ?? "cache.r7g.large";
        const engineVersion = args.engineVersion ?? "1.6.22";
        const nodes = args.nodes ?? 3;
        const maintenanceWindow = args.maintenanceWindow ?? "sun:05:00-sun:06:00";
        const azCount = args.availabilityZones.length;

        const check = argChecker("MemcachedCluster", name);
        check.that(/^[a-z](-?[a-z0-9])*$/.test(name), "name", name, "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes ElastiCache ids)");
        check.that(`${name}-nodes`.length + 8 <= MAX_CLUSTER_ID, "name", name, `must be at most ${MAX_CLUSTER_ID - 14} characters (the autonamed cluster id "<name>-nodes-xxxxxxx" must fit ElastiCache's ${MAX_CLUSTER_ID})`);
        check.that(args.subnetIds.length >= 2, "subnetIds", args.subnetIds.length, "must list at least 2 subnets (cross-az needs a second AZ)");
        check.that(azCount === args.subnetIds.length, "availabilityZones", azCount, `must name one AZ per subnet (${args.subnetIds.length})`);
        check.that(args.allowedSecurityGroupIds.length >= 1, "allowedSecurityGroupIds", args.allowedSecurityGroupIds.length, "must list at least 1 client security group (nothing else can ever connect)");
        const nodeProblem = cacheNodeTypeProblem(nodeType);
        check.that(!nodeProblem, "nodeType", nodeType, nodeProblem ?? "");
        check.that(/^1\.6\.(1[2-9]|[2-9]\d)$/.test(engineVersion), "engineVersion", engineVersion, "must be Memcached 1.6.12 or later (needed for in-transit encryption)");
        check.intRange("nodes", nodes, azCount, 60, `at least one node per AZ (${azCount}); ElastiCache allows up to 60 per cluster`);
        check.that(WEEKLY_WINDOW.test(maintenanceWindow), "maintenanceWindow", maintenanceWindow, "must be ddd:hh24:mi-ddd:hh24:mi in UTC");
        super("boxoffice:data:MemcachedCluster", name, {}, opts);

        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, [TIER_TAG]: "cache", Name: `${name}-${role}` });

        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            description: `${name}: isolated subnets`, subnetIds: args.subnetIds, tags: tags("subnets"),
        }, parent);
        const sg = clientOnlySecurityGroup(name, {
            vpcId: args.vpcId, port: PORT, clientSecurityGroupIds: args.allowedSecurityGroupIds,
            description: `${name}: Memcached from the given clients only`, tags: tags("sg"),
        }, parent);
        const cluster = new aws.elasticache.Cluster(`${name}-nodes`, {
            engine: "memcached",
            engineVersion,
            nodeType,
            port: PORT,
            numCacheNodes: nodes,
            azMode: "cross-az",
            // One entry per node, round-robin, so every AZ gets floor or ceil of nodes / AZs.
            preferredAvailabilityZones: spreadOverAzs(nodes, args.availabilityZones),
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [sg.id],
            transitEncryptionEnabled: true,
            maintenanceWindow,
            // autoMinorVersionUpgrade is left out: the provider supports it for Redis 6+ only.
            applyImmediately: false,
            tags: tags("nodes"),
        }, parent);

        this.servers = cluster.cacheNodes.apply((ns) => ns.map((n) => `${n.address}:${n.port}`).join(","));
        this.configurationEndpoint = cluster.configurationEndpoint;
        this.clusterId = cluster.id;
        this.securityGroupId = sg.id;
        this.registerOutputs({
            servers: this.servers, configurationEndpoint: this.configurationEndpoint, clusterId: this.clusterId, securityGroupId: this.securityGroupId,
        });
    }
}
