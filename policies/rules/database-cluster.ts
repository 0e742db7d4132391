/**
 * Where database copies sit. An Aurora cluster's storage spans three AZs, but its compute is the
 * `aws:rds/clusterInstance:ClusterInstance` resources: with one instance there is no failover target, and
 * the primary is re-created after a failure (Aurora User Guide, Concepts.AuroraHighAvailability). Instances
 * created without `availabilityZone` land in "a random, system-chosen Availability Zone" (RDS API,
 * CreateDBInstance), possibly the same one, so the spread must be explicit. The same holds for read
 * replicas of one source: two in one AZ leave the readers with a single AZ.
 *
 * A Multi-AZ DB cluster (a non-Aurora engine with `dbClusterInstanceClass`) always runs a writer and two
 * readable standbys in three AZs, so it needs no instance resources and passes.
 */
import { PolicyResource } from "@pulumi/policy";
import { StackFinding, T, azList, isSet, known, ofType, references, stackRule } from "./common";

export function isAurora(cluster: PolicyResource): boolean {
    return String(known(cluster.props, "engine") ?? "aurora").startsWith("aurora");
}

/** The cluster instances that belong to a cluster (by `clusterIdentifier`, dependency or value). */
export function membersOf(cluster: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
    const name = known(cluster.props, "clusterIdentifier");
    return resources.filter(
        (r) =>
            r.type === T.rdsClusterInstance &&
            (references(r, "clusterIdentifier", cluster) ||
                (typeof name === "string" && name !== "" && known(r.props, "clusterIdentifier") === name)),
    );
}

interface SpreadConfig {
    minimumInstances: number;
    minimumAzs: number;
}

export const auroraMultiAz = stackRule<SpreadConfig>(
    {
        name: "aurora-multi-az",
        description:
            "Every Aurora cluster has at least the configured number of cluster instances, pinned to at least two different AZs, so a failover target survives the loss of the writer's AZ.",
        severity: "critical",
        remediationSteps:
            "1. Create at least two `aws.rds.ClusterInstance` resources with the cluster's `clusterIdentifier`. 2. Set each one's `availabilityZone`, over different AZs (RDS otherwise picks an AZ at random). 3. Keep the readers' instance class equal to the writer's so a promoted reader can carry the load.",
        configSchema: {
            properties: {
                minimumInstances: { type: "integer", minimum: 2, maximum: 16, default: 2 },
                minimumAzs: { type: "integer", minimum: 2, maximum: 3, default: 2 },
            },
        },
    },
    (args, cfg) => {
        const clusters = ofType(args, T.rdsCluster).filter(isAurora);
        if (clusters.length === 0) return { notApplicable: "no Aurora clusters" };
        const findings: StackFinding[] = [];
        for (const c of clusters) {
            const members = membersOf(c, args.resources);
            if (members.length < cfg.minimumInstances) {
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: ${members.length} cluster instance(s); at least ${cfg.minimumInstances} required, or a failure waits for the writer to be re-created.`,
                });
                continue;
            }
            const unpinned = members.filter((m) => !isSet(known(m.props, "availabilityZone")));
            const azs = new Set(
                members
                    .map((m) => known(m.props, "availabilityZone"))
                    .filter((az): az is string => typeof az === "string" && az !== ""),
            );
            if (unpinned.length)
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: ${unpinned.map((m) => m.name).join(", ")} set no availabilityZone; RDS may place every instance in one AZ.`,
                });
            else if (azs.size < cfg.minimumAzs)
                findings.push({
                    urn: c.urn,
                    message: `${c.name}: its instances are all in ${azList(azs)}; at least ${cfg.minimumAzs} AZs required.`,
                });
        }
        return findings;
    },
);

/** The source a read replica follows: a dependency's URN, else the identifier or ARN as written. */
function sourceOf(replica: PolicyResource): string {
    const dep = (replica.propertyDependencies["replicateSourceDb"] ?? [])[0];
    return dep ? dep.urn : String(known(replica.props, "replicateSourceDb"));
}

export const rdsReplicaAzSpread = stackRule(
    {
        name: "rds-replica-az-spread",
        description: "No two read replicas of the same RDS source are pinned to the same AZ.",
        severity: "high",
        remediationSteps:
            "1. Give each read replica of a source its own `availabilityZone` (round-robin over the subnet group's AZs), or 2. leave `availabilityZone` unset on all but one if you cannot pin them.",
    },
    (args) => {
        const replicas = ofType(args, T.rdsInstance).filter((r) => isSet(known(r.props, "replicateSourceDb")));
        if (replicas.length < 2) return { notApplicable: "fewer than two read replicas" };
        const bySourceAndAz = new Map<string, PolicyResource[]>();
        for (const r of replicas) {
            const az = known(r.props, "availabilityZone");
            if (typeof az !== "string" || az === "") continue;
            const key = `${sourceOf(r)}|${az}`;
            bySourceAndAz.set(key, [...(bySourceAndAz.get(key) ?? []), r]);
        }
        return [...bySourceAndAz.entries()]
            .filter(([, rs]) => rs.length > 1)
            .map(([key, rs]) => ({
                urn: rs[1].urn,
                message: `${rs.map((r) => r.name).join(" and ")} replicate the same source in ${key.split("|").pop()}: one AZ outage takes all of them.`,
            }));
    },
);

export const clusterPolicies = [auroraMultiAz, rdsReplicaAzSpread];
