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
import { T, TIER_TAG, TIERS, Tier, bool, flatStrings, identifiersOf, isReadReplica, known, list, num, tagsOf } from "./common";

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
}

export function effectiveAzCount(p: Placement): number {
    return Math.min(p.azs.size, p.cap);
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

    private placementOf(r: PolicyResource, tier: Tier): Placement | undefined {
        const props = r.props;
        const base = { resource: r, tier, cap: Number.POSITIVE_INFINITY };
        const resolved = (azs: Set<string>, what: string, cap = Number.POSITIVE_INFINITY, limit?: string): Placement =>
            ({ ...base, azs, cap, limit, unresolved: azs.size === 0 ? `no ${what} of this stack with a known availabilityZone` : undefined });
        switch (r.type) {
            case T.natGateway:
                return { ...resolved(this.azsVia(r, "subnetId"), "subnet"), zonal: true };
            case T.loadBalancer: {
                const azs = this.azsVia(r, "subnets");
                for (const az of this.azsVia(r, "subnetMappings")) azs.add(az);
                return resolved(azs, "subnets");
            }
            case T.ecsService: {
                const desired = num(known(props, "desiredCount")) ?? 1;
                return resolved(this.azsVia(r, "networkConfiguration"), "subnets", desired, desired < 2 ? `desiredCount is ${desired}` : undefined);
            }
            case T.rdsInstance: {
                if (isReadReplica(props)) return undefined; // a replica needs a manual promotion: not a failover target
                const azs = this.azsViaGroup(r, "dbSubnetGroupName", T.rdsSubnetGroup);
                const multiAz = known(props, "multiAz") === true;
                return resolved(azs, "DB subnet group", multiAz ? Number.POSITIVE_INFINITY : 1, multiAz ? undefined : "multiAz is false");
            }
            case T.rdsCluster: {
                const listed = new Set(list<string>(known(props, "availabilityZones")));
                const azs = listed.size ? listed : this.azsViaGroup(r, "dbSubnetGroupName", T.rdsSubnetGroup);
                return resolved(azs, "availability zones or DB subnet group");
            }
            case T.cacheReplicationGroup: {
                const preferred = new Set(list<string>(known(props, "preferredCacheClusterAzs")));
                const azs = preferred.size ? preferred : this.azsViaGroup(r, "subnetGroupName", T.cacheSubnetGroup);
                const failover = bool(known(props, "automaticFailoverEnabled")) === true && bool(known(props, "multiAzEnabled")) === true;
                const replicas = num(known(props, "replicasPerNodeGroup"));
                const nodes = replicas !== undefined ? replicas + 1 : num(known(props, "numCacheClusters")) ?? 1;
                const cap = failover ? nodes : 1;
                return resolved(azs, "cache subnet group", cap, !failover ? "automatic failover / Multi-AZ is off" : nodes < 2 ? `${nodes} node` : undefined);
            }
            case T.cacheCluster: {
                if (known(props, "replicationGroupId")) return undefined; // judged through its replication group
                const preferred = new Set(list<string>(known(props, "preferredAvailabilityZones")));
                const azs = preferred.size ? preferred : this.azsViaGroup(r, "subnetGroupName", T.cacheSubnetGroup);
                const nodes = num(known(props, "numCacheNodes")) ?? 1;
                const crossAz = known(props, "azMode") === "cross-az";
                return resolved(azs, "cache subnet group", crossAz ? nodes : 1, !crossAz ? "azMode is not cross-az" : nodes < 2 ? `${nodes} node` : undefined);
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
