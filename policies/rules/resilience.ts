/**
 * Stack-level resilience rules, the ones no public pack has: they need the whole graph, not one resource.
 *
 * - no-single-point-of-failure: each tier (tag `boxoffice:tier`) is present and every serving resource in it
 *   can run from ≥ 2 AZs (ALB subnets, ECS tasks over subnets, Multi-AZ RDS, Redis with failover,
 *   cross-AZ Memcached, NAT gateways).
 * - az-consistency: the tiers line up: app tasks only in AZs the load balancers serve, and app/worker tasks
 *   only in AZs that have their own NAT gateway.
 * - rto-budget: the worst recovery time implied by the configuration stays within the SLO.
 */
import { PolicyResource } from "@pulumi/policy";
import {
    StackFinding,
    T,
    TIERS,
    Tier,
    azList,
    bool,
    isReadReplica,
    known,
    list,
    num,
    references,
    stackRule,
} from "./common";
import { Placement, Topology, effectiveAzCount, union } from "./topology";
import { AURORA_NO_READER_RECOVERY_S, Scenario, databaseFailover, dnsFailover, formatSeconds } from "./rto";
import { isAurora, membersOf } from "./database-cluster";

interface SpofConfig {
    requiredTiers: Tier[];
    minimumAzs: number;
}

function describe(p: Placement): string {
    const azs = p.azs.size ? azList(p.azs) : "unknown AZs";
    return `${p.resource.name} (${p.resource.type.split(":").pop()}) in ${azs}${p.limit ? `, ${p.limit}` : ""}`;
}

export const noSinglePointOfFailure = stackRule<SpofConfig>(
    {
        name: "no-single-point-of-failure",
        description:
            "Every tier (network, load balancer, app, worker, database, cache) is present and each of its serving resources runs in, or fails over across, at least two AZs.",
        severity: "critical",
        remediationSteps:
            "1. Tag each tier's resources `boxoffice:tier`. 2. Spread each one: ALB and ECS services over subnets in ≥ 2 AZs with ≥ 2 tasks, RDS `multiAz: true`, Redis automatic failover + Multi-AZ with a replica, Memcached `azMode: cross-az` with ≥ 1 node per AZ, one NAT gateway per AZ. 3. Make sure every referenced subnet is declared with its `availabilityZone` in the stack (or passed by reference), so the AZs can be checked.",
        configSchema: {
            properties: {
                requiredTiers: { type: "array", items: { type: "string", enum: [...TIERS] }, default: [...TIERS] },
                minimumAzs: { type: "integer", minimum: 2, maximum: 6, default: 2 },
            },
        },
    },
    (args, cfg) => {
        const topo = new Topology(args);
        const placements = topo.placements();
        const findings: StackFinding[] = [];
        for (const tier of cfg.requiredTiers) {
            const members = placements.filter((p) => p.tier === tier);
            if (members.length === 0) {
                findings.push({
                    message: `tier ${tier}: no resource tagged boxoffice:tier=${tier} serves this tier, so nothing can take over when it fails.`,
                });
                continue;
            }
            for (const p of members) {
                if (p.unresolved) {
                    findings.push({
                        urn: p.resource.urn,
                        message: `tier ${tier}: ${p.resource.name}: cannot tell its AZs (${p.unresolved}).`,
                    });
                } else if (!p.zonal && effectiveAzCount(p) < cfg.minimumAzs) {
                    findings.push({
                        urn: p.resource.urn,
                        message: `tier ${tier}: ${describe(p)}: runs in ${effectiveAzCount(p)} AZ(s); at least ${cfg.minimumAzs} required.`,
                    });
                }
            }
            const azs = union(members);
            if (!members.some((p) => p.unresolved || p.regional) && azs.size < cfg.minimumAzs) {
                const zonal = members.filter((p) => p.zonal).map((p) => p.resource.name);
                const which = zonal.length ? ` (${zonal.join(", ")})` : "";
                findings.push({
                    message: `tier ${tier} spans ${azList(azs)} only${which}; at least ${cfg.minimumAzs} AZs required.`,
                });
            }
        }
        return findings;
    },
);

export const azConsistency = stackRule(
    {
        name: "az-consistency",
        description:
            "Tiers line up across AZs: app tasks run only in AZs the load balancers serve, and app and worker tasks only in AZs with their own NAT gateway.",
        severity: "high",
        remediationSteps:
            "1. Give the load balancers a subnet in every AZ the app service uses (an ALB only routes to targets in its enabled AZs). 2. Put a NAT gateway in every AZ where app or worker tasks run, or their egress crosses AZs and dies with the NAT's AZ.",
    },
    (args) => {
        const topo = new Topology(args);
        const placements = topo.placements().filter((p) => !p.unresolved);
        if (placements.length === 0) return { notApplicable: "no tier-tagged resources with known AZs" };
        const of = (tier: Tier) => placements.filter((p) => p.tier === tier);
        const findings: StackFinding[] = [];
        // ELB User Guide: a load balancer routes only to targets in its enabled Availability Zones.
        const lbAzs = union(of("load-balancer"));
        if (lbAzs.size) {
            for (const p of of("app")) {
                const outside = [...p.azs].filter((az) => !lbAzs.has(az));
                if (outside.length)
                    findings.push({
                        urn: p.resource.urn,
                        message: `${p.resource.name}: app tasks may run in ${azList(outside)}, where no load balancer has a subnet; those tasks get no traffic.`,
                    });
            }
        }
        const natAzs = topo.networkAzs(placements);
        if (natAzs) {
            for (const p of [...of("app"), ...of("worker")]) {
                const outside = [...p.azs].filter((az) => !natAzs.has(az));
                if (outside.length)
                    findings.push({
                        urn: p.resource.urn,
                        message: `${p.resource.name}: tasks in ${azList(outside)} have no NAT gateway in their AZ (NAT in ${azList(natAzs)}): their egress fails with another AZ.`,
                    });
            }
        }
        return findings;
    },
);

interface RtoConfig {
    sloSeconds: number;
    redisFailoverSeconds: number;
}

function proxied(db: PolicyResource, args: { resources: PolicyResource[] }): boolean {
    const targets = args.resources.filter((r) => r.type === T.rdsProxyTarget);
    return targets.some((t) => references(t, "dbInstanceIdentifier", db) || references(t, "dbClusterIdentifier", db));
}

export function recoveryScenarios(resources: PolicyResource[], cfg: RtoConfig): Scenario[] {
    const args = { resources };
    const scenarios: Scenario[] = [];
    for (const db of resources.filter((r) => r.type === T.rdsInstance && !isReadReplica(r.props))) {
        if (known(db.props, "multiAz") !== true) {
            scenarios.push({
                what: `database ${db.name}`,
                seconds: Number.POSITIVE_INFINITY,
                basis: "multiAz is false: recovery means a restore from backup",
            });
        } else {
            const f = databaseFailover("instance", proxied(db, args));
            scenarios.push({ what: `database ${db.name}`, ...f });
        }
    }
    for (const c of resources.filter((r) => r.type === T.rdsCluster)) {
        if (isAurora(c)) {
            // Only a reader pinned to another AZ than the rest can take over after an AZ loss.
            const members = membersOf(c, resources);
            const azs = new Set(members.map((m) => known(m.props, "availabilityZone")));
            const spread = members.length >= 2 && !azs.has(undefined) && azs.size >= 2;
            if (!spread) {
                const why =
                    members.length < 2
                        ? `${members.length} cluster instance(s), no reader to promote`
                        : "its instances are not pinned to different AZs";
                scenarios.push({
                    what: `database cluster ${c.name}`,
                    seconds: AURORA_NO_READER_RECOVERY_S,
                    basis: `${why}: Aurora re-creates the primary, typically under ${AURORA_NO_READER_RECOVERY_S} s (Aurora User Guide)`,
                });
                continue;
            }
        }
        const f = databaseFailover(isAurora(c) ? "aurora" : "multi-az-cluster", proxied(c, args));
        scenarios.push({ what: `database cluster ${c.name}`, ...f });
    }
    for (const rg of resources.filter((r) => r.type === T.cacheReplicationGroup)) {
        const failover = bool(known(rg.props, "automaticFailoverEnabled")) === true;
        scenarios.push(
            failover
                ? {
                      what: `cache ${rg.name}`,
                      seconds: cfg.redisFailoverSeconds,
                      basis: `Redis automatic failover ${cfg.redisFailoverSeconds} s (policy-config assumption: AWS publishes no figure)`,
                  }
                : { what: `cache ${rg.name}`, seconds: Number.POSITIVE_INFINITY, basis: "automatic failover is off" },
        );
    }
    const checks = resources.filter((r) => r.type === T.healthCheck);
    for (const rec of resources.filter((r) => r.type === T.record)) {
        const failover = list<{ type?: string }>(known(rec.props, "failoverRoutingPolicies"));
        if (!failover.some((f) => f.type === "PRIMARY")) continue;
        const check = checks.find((c) => references(rec, "healthCheckId", c));
        const isAlias = list(known(rec.props, "aliases")).length > 0;
        const f = dnsFailover(
            check ? num(known(check.props, "requestInterval")) : undefined,
            check ? num(known(check.props, "failureThreshold")) : undefined,
            isAlias ? undefined : num(known(rec.props, "ttl")),
        );
        scenarios.push({ what: `DNS failover ${String(known(rec.props, "name") ?? rec.name)}`, ...f });
    }
    return scenarios;
}

export const rtoBudget = stackRule<RtoConfig>(
    {
        name: "rto-budget",
        description:
            "The worst recovery time implied by the configuration (database failover, cache failover, DNS failover) stays within the RTO SLO from the policy config.",
        severity: "high",
        remediationSteps:
            "1. Run RDS Multi-AZ (120 s worst case) and put RDS Proxy in front to cut client recovery. 2. Enable Redis automatic failover. 3. For DNS failover use 10 s health-check intervals, a low failure threshold and a short TTL (or alias records). 4. If the SLO itself is wrong, change `sloSeconds` in the environment's policy config in a reviewed change.",
        configSchema: {
            properties: {
                sloSeconds: {
                    type: "number",
                    minimum: 1,
                    default: 300,
                    description: "Recovery time objective, seconds",
                },
                redisFailoverSeconds: {
                    type: "number",
                    minimum: 1,
                    default: 60,
                    description: "Assumed Redis Multi-AZ failover time (AWS publishes none)",
                },
            },
        },
    },
    (args, cfg) => {
        const scenarios = recoveryScenarios(args.resources, cfg);
        if (scenarios.length === 0) return { notApplicable: "no databases, caches or DNS failover records" };
        return scenarios
            .filter((s) => s.seconds > cfg.sloSeconds)
            .map((s) => ({
                message: `${s.what}: recovery ${formatSeconds(s.seconds)} exceeds the ${cfg.sloSeconds} s RTO SLO (${s.basis}).`,
            }));
    },
);

export const resiliencePolicies = [noSinglePointOfFailure, azConsistency, rtoBudget];
