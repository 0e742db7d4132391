/**
 * Where things run: the AZs of every tier's serving resources, derived only from AWS resource props and
 * the engine's dependency graph. A resource names its subnets (directly, or through an RDS/ElastiCache
 * subnet group); each `aws:ec2/subnet:Subnet` of the stack knows its `availabilityZone`. References are
 * followed through the property dependencies the engine records (exact URNs), falling back to matching ids
 * by value for programs that pass plain strings.
 *
 * Used by the stack rules `no-single-point-of-failure`, `az-consistency` and `nat-gateway-per-az`.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import {
    LOAD_BALANCER_TYPES,
    T,
    TIER_TAG,
    TIERS,
    Tier,
    bool,
    flatStrings,
    identifiersOf,
    isReadReplica,
    isSet,
    known,
    list,
    num,
    tagsOf,
} from "./common";
import { isAurora, membersOf } from "./database-cluster";

/** How many AZs a resource can serve from after an automatic failover, and why. */
export interface Placement {
    resource: PolicyResource;
    tier: Tier;
    /** AZ names the resource spans (or can fail over to). Empty when unknown. */
    azs: Set<string>;
    /** At most this many AZs are really used (e.g. 2 tasks over 3 subnets' AZs = 2). */
    cap: number;
    /** Why the placement is limited, for messages (e.g. "multiAz is false"). */
    limit?: string;
    /** When the AZs could not be resolved. */
    unresolved?: string;
    /** A zonal resource by nature (a NAT gateway): redundancy comes from its siblings, one per AZ. */
    zonal?: boolean;
    /** A regional service that spans the region's AZs by itself (DynamoDB). */
    regional?: boolean;
}

export function effectiveAzCount(p: Placement): number {
    return p.regional ? Number.POSITIVE_INFINITY : Math.min(p.azs.size, p.cap);
}

export class Topology {
    private readonly byUrn = new Map<string, PolicyResource>();
    private readonly subnets: PolicyResource[];

    constructor(private readonly args: StackValidationArgs) {
        for (const r of args.resources) this.byUrn.set(r.urn, r);
        this.subnets = args.resources.filter((r) => r.type === T.subnet);
    }

    /** Resources of one type that `from` refers to through a top-level property (dependency or value). */
    referenced(from: PolicyResource, property: string, type: string): PolicyResource[] {
        const viaDeps = (from.propertyDependencies[property] ?? []).filter((d) => d.type === type);
        if (viaDeps.length) return viaDeps;
        const values = flatStrings(deepStrings(known(from.props, property)));
        return this.args.resources.filter((r) => r.type === type && identifiersOf(r).some((id) => values.includes(id)));
    }

    private subnetAzs(subnets: PolicyResource[]): Set<string> {
        const azs = new Set<string>();
        for (const s of subnets) {
            const az = known(s.props, "availabilityZone") ?? known(s.props, "availabilityZoneId");
            if (typeof az === "string" && az) azs.add(az);
        }
        return azs;
    }

    /** AZs of the subnets a resource names in `property` (possibly nested, e.g. networkConfiguration). */
    azsVia(from: PolicyResource, property: string): Set<string> {
        return this.subnetAzs(this.referenced(from, property, T.subnet));
    }

    /** AZs of the subnets of the subnet group a resource names in `property`. */
    azsViaGroup(from: PolicyResource, property: string, groupType: string): Set<string> {
        const groups = this.referenced(from, property, groupType);
        return this.subnetAzs(groups.flatMap((g) => this.referenced(g, "subnetIds", T.subnet)));
    }

    /** Every tier-tagged resource that serves traffic or holds state, with where it runs. */
    placements(): Placement[] {
        const out: Placement[] = [];
        for (const r of this.args.resources) {
            const tier = tierOfResource(r);
            if (!tier) continue;
            const p = this.placementOf(r, tier);
            if (p) out.push(p);
        }
        return out;
    }

    /** AZ of an EC2 instance: its `availabilityZone`, else its subnet's. */
    instanceAzs(r: PolicyResource): Set<string> {
        const az = known(r.props, "availabilityZone");
        return typeof az === "string" && az ? new Set([az]) : this.azsVia(r, "subnetId");
    }

    /** AZs of an Auto Scaling group: its subnets' (`vpcZoneIdentifiers`), else its `availabilityZones`. */
    groupAzs(r: PolicyResource): Set<string> {
        const azs = this.azsVia(r, "vpcZoneIdentifiers");
        return azs.size ? azs : new Set(list<string>(known(r.props, "availabilityZones")));
    }

    private placementOf(r: PolicyResource, tier: Tier): Placement | undefined {
        const props = r.props;
        const base = { resource: r, tier, cap: Number.POSITIVE_INFINITY };
        const resolved = (
            azs: Set<string>,
            what: string,
            cap = Number.POSITIVE_INFINITY,
            limit?: string,
        ): Placement => ({
            ...base,
            azs,
            cap,
            limit,
            unresolved: azs.size === 0 ? `no ${what} of this stack with a known availabilityZone` : undefined,
        });
        if (LOAD_BALANCER_TYPES.includes(r.type) || r.type === T.classicElb) {
            const azs = this.azsVia(r, "subnets");
            for (const az of this.azsVia(r, "subnetMappings")) azs.add(az);
            for (const az of list<string>(known(props, "availabilityZones"))) azs.add(az); // classic ELB in EC2-Classic style
            return resolved(azs, "subnets");
        }
        switch (r.type) {
            case T.natGateway:
                return { ...resolved(this.azsVia(r, "subnetId"), "subnet"), zonal: true };
            case T.ec2Instance:
                return { ...resolved(this.instanceAzs(r), "subnet or availabilityZone"), zonal: true };
            case T.autoscalingGroup: {
                const min = num(known(props, "minSize")) ?? 0;
                return resolved(
                    this.groupAzs(r),
                    "subnets",
                    Math.max(min, 1),
                    min < 2 ? `minSize is ${min}` : undefined,
                );
            }
            case T.dynamoTable:
                // DynamoDB replicates every table synchronously over three AZs of its region (DynamoDB Developer Guide, "Resilience").
                return { ...base, azs: new Set(), regional: true };
            case T.ecsService: {
                const desired = num(known(props, "desiredCount")) ?? 1;
                return resolved(
                    this.azsVia(r, "networkConfiguration"),
                    "subnets",
                    desired,
                    desired < 2 ? `desiredCount is ${desired}` : undefined,
                );
            }
            case T.rdsInstance: {
                if (isReadReplica(props)) return undefined; // a replica needs a manual promotion: not a failover target
                const azs = this.azsViaGroup(r, "dbSubnetGroupName", T.rdsSubnetGroup);
                const multiAz = known(props, "multiAz") === true;
                return resolved(
                    azs,
                    "DB subnet group",
                    multiAz ? Number.POSITIVE_INFINITY : 1,
                    multiAz ? undefined : "multiAz is false",
                );
            }
            case T.rdsCluster: {
                const groupAzs = this.azsViaGroup(r, "dbSubnetGroupName", T.rdsSubnetGroup);
                const listed = new Set(list<string>(known(props, "availabilityZones")));
                if (!isAurora(r)) {
                    // Multi-AZ DB cluster: a writer and two readable standbys, each in its own AZ.
                    return resolved(listed.size ? listed : groupAzs, "availability zones or DB subnet group", 3);
                }
                // Aurora: storage spans three AZs, but serving needs an instance in each AZ that can take over.
                const members = membersOf(r, this.args.resources);
                const pinned = new Set(
                    members.map((m) => known(m.props, "availabilityZone")).filter((az): az is string => isSet(az)),
                );
                const azs = pinned.size && pinned.size === members.length ? pinned : listed.size ? listed : groupAzs;
                const cap = pinned.size === members.length ? pinned.size : Math.min(members.length, 1);
                const limit =
                    members.length < 2
                        ? `${members.length} cluster instance(s)`
                        : cap < 2
                          ? "its instances are not pinned to different AZs"
                          : undefined;
                return resolved(azs, "availability zones or DB subnet group", cap, limit);
            }
            case T.cacheReplicationGroup: {
                const preferred = new Set(list<string>(known(props, "preferredCacheClusterAzs")));
                const azs = preferred.size ? preferred : this.azsViaGroup(r, "subnetGroupName", T.cacheSubnetGroup);
                const failover =
                    bool(known(props, "automaticFailoverEnabled")) === true &&
                    bool(known(props, "multiAzEnabled")) === true;
                const replicas = num(known(props, "replicasPerNodeGroup"));
                const nodes = replicas !== undefined ? replicas + 1 : (num(known(props, "numCacheClusters")) ?? 1);
                const cap = failover ? nodes : 1;
                return resolved(
                    azs,
                    "cache subnet group",
                    cap,
                    !failover ? "automatic failover / Multi-AZ is off" : nodes < 2 ? `${nodes} node` : undefined,
                );
            }
            case T.cacheCluster: {
                if (known(props, "replicationGroupId")) return undefined; // judged through its replication group
                const preferred = new Set(list<string>(known(props, "preferredAvailabilityZones")));
                const azs = preferred.size ? preferred : this.azsViaGroup(r, "subnetGroupName", T.cacheSubnetGroup);
                const nodes = num(known(props, "numCacheNodes")) ?? 1;
                const crossAz = known(props, "azMode") === "cross-az";
                return resolved(
                    azs,
                    "cache subnet group",
                    crossAz ? nodes : 1,
                    !crossAz ? "azMode is not cross-az" : nodes < 2 ? `${nodes} node` : undefined,
                );
            }
            default:
                return undefined;
        }
    }

    /** The network tier's AZs: where its NAT gateways are, or where its subnets are if it has no NAT. */
    networkAzs(placements: Placement[]): Set<string> | undefined {
        const nats = placements.filter((p) => p.resource.type === T.natGateway);
        if (nats.length) return union(nats);
        return undefined;
    }
}

/** All string leaves of a value (subnet ids nested in networkConfiguration, subnetMappings …). */
function deepStrings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(deepStrings);
    if (value && typeof value === "object") return Object.values(value as Record<string, unknown>).flatMap(deepStrings);
    return [];
}

export function tierOfResource(r: PolicyResource): Tier | undefined {
    const tags = known(r.props, "tags");
    const value = tags && typeof tags === "object" ? tagsOf({ tags })[TIER_TAG] : undefined;
    return (TIERS as readonly string[]).includes(value as string) ? (value as Tier) : undefined;
}

export function union(placements: Placement[]): Set<string> {
    const out = new Set<string>();
    for (const p of placements) for (const az of p.azs) out.add(az);
    return out;
}
