/**
 * The RPO budget: how much acknowledged data each store of record (RDS instances and clusters, DynamoDB
 * tables) can lose, in two failures, each against its own SLO from the policy config:
 *
 * - zone: an AZ or host fails. Synchronous copies lose nothing: RDS Multi-AZ instances and Multi-AZ DB
 *   clusters (a standby that acknowledged the commit), Aurora (storage written to six copies over three
 *   AZs whatever the instance count) and DynamoDB (three AZs). A single-AZ RDS instance loses what its
 *   transaction logs had not shipped: restored to its latest restorable time, "typically within the last
 *   5 minutes" (RDS uploads the logs every 5 minutes); without automated backups, everything.
 * - region: the region is lost. Only copies elsewhere count: an asynchronous replica in another region
 *   (RDS cross-region read replica, Aurora global database member, DynamoDB global-table replica) loses its
 *   replication lag (`replicaLagSeconds`, a policy-config assumption: AWS publishes no bound); AWS Backup
 *   copies to another region lose up to the period of the most frequent copying rule that selects the
 *   store (daily: 86,400 s, not counting the copy job's own duration); otherwise everything.
 *
 * Sources: RDS User Guide, "Restoring a DB instance to a specified time" (USER_PIT) and "Multi-AZ
 * deployments"; Aurora User Guide, "Amazon Aurora storage"; DynamoDB Developer Guide, "Resilience".
 */
import { PolicyResource } from "@pulumi/policy";
import { T, isReadReplica, known, list, num, ofType, stackRule } from "./common";
import { periodOf, selects } from "./backup";

export const RDS_LOG_SHIPPING_S = 300;
const PERIOD_S = { daily: 86_400, weekly: 7 * 86_400, monthly: 31 * 86_400 } as const;

interface RpoConfig {
    sloSeconds: number;
    regionSloSeconds: number;
    replicaLagSeconds: number;
}

export interface Exposure {
    what: string;
    failure: "zone" | "region";
    seconds: number;
    basis: string;
}

function regionOf(r: PolicyResource, home: string | undefined): string | undefined {
    const explicit = known(r.props, "region");
    if (typeof explicit === "string" && explicit) return explicit;
    const fromProvider = r.provider?.props?.region;
    return typeof fromProvider === "string" ? fromProvider : home;
}

function arnRegion(value: unknown): string | undefined {
    return typeof value === "string" && value.startsWith("arn:") ? value.split(":")[3] : undefined;
}

/** Period (s) of the most frequent backup rule that selects `store` and copies to another region. */
function backupCopyPeriod(
    store: PolicyResource,
    resources: PolicyResource[],
    home: string | undefined,
): number | undefined {
    const selections = resources.filter((r) => r.type === T.backupSelection && selects(r, store));
    let best: number | undefined;
    for (const plan of resources.filter((r) => r.type === T.backupPlan)) {
        const planRegion = regionOf(plan, home);
        if (
            !selections.some(
                (s) =>
                    (s.propertyDependencies["planId"] ?? []).some((d) => d.urn === plan.urn) ||
                    known(s.props, "planId") === known(plan.props, "id"),
            )
        )
            continue;
        for (const rule of list<{
            schedule?: string;
            enableContinuousBackup?: boolean;
            copyActions?: { destinationVaultArn?: string }[];
        }>(known(plan.props, "rules"))) {
            if (rule.enableContinuousBackup) continue;
            const remote = list<{ destinationVaultArn?: string }>(rule.copyActions).some((c) => {
                const r = arnRegion(c.destinationVaultArn);
                return r !== undefined && r !== planRegion;
            });
            const period = periodOf(rule.schedule);
            if (remote && period) best = Math.min(best ?? Number.POSITIVE_INFINITY, PERIOD_S[period]);
        }
    }
    return best;
}

/** Asynchronous copies of `store` in another region: cross-region read replicas, global clusters, global tables. */
function remoteReplicas(store: PolicyResource, resources: PolicyResource[], home: string | undefined): string[] {
    const out: string[] = [];
    const myRegion = regionOf(store, home);
    if (store.type === T.rdsInstance) {
        for (const r of resources.filter((x) => x.type === T.rdsInstance && isReadReplica(x.props))) {
            const follows =
                (r.propertyDependencies["replicateSourceDb"] ?? []).some((d) => d.urn === store.urn) ||
                [known(store.props, "arn"), known(store.props, "identifier")].includes(
                    known(r.props, "replicateSourceDb"),
                );
            if (follows && regionOf(r, home) !== myRegion) out.push(`read replica ${r.name} in ${regionOf(r, home)}`);
        }
    }
    if (store.type === T.rdsCluster) {
        const global = known(store.props, "globalClusterIdentifier");
        if (typeof global === "string" && global) {
            const others = resources.filter(
                (x) =>
                    x.type === T.rdsCluster &&
                    x !== store &&
                    known(x.props, "globalClusterIdentifier") === global &&
                    regionOf(x, home) !== myRegion,
            );
            out.push(...others.map((x) => `global-database member ${x.name} in ${regionOf(x, home)}`));
        }
    }
    if (store.type === T.dynamoTable) {
        out.push(
            ...list<{ regionName?: string }>(known(store.props, "replicas"))
                .filter((r) => r.regionName && r.regionName !== myRegion)
                .map((r) => `global-table replica in ${r.regionName}`),
        );
    }
    return out;
}

export function dataLossExposures(
    resources: PolicyResource[],
    cfg: Pick<RpoConfig, "replicaLagSeconds">,
    home: string | undefined,
): Exposure[] {
    const stores = resources.filter(
        (r) =>
            (r.type === T.rdsInstance && !isReadReplica(r.props)) ||
            r.type === T.rdsCluster ||
            r.type === T.dynamoTable,
    );
    const out: Exposure[] = [];
    for (const s of stores) {
        const what = `${s.type === T.dynamoTable ? "table" : s.type === T.rdsCluster ? "database cluster" : "database"} ${s.name}`;
        if (s.type === T.rdsInstance && known(s.props, "multiAz") !== true) {
            const days = num(known(s.props, "backupRetentionPeriod")) ?? 1; // the RDS API default is 1 day
            out.push(
                days > 0
                    ? {
                          what,
                          failure: "zone",
                          seconds: RDS_LOG_SHIPPING_S,
                          basis: "single-AZ: restore to the latest restorable time, transaction logs ship every 5 minutes",
                      }
                    : {
                          what,
                          failure: "zone",
                          seconds: Number.POSITIVE_INFINITY,
                          basis: "single-AZ without automated backups",
                      },
            );
        } else {
            const how =
                s.type === T.dynamoTable
                    ? "DynamoDB writes to three AZs"
                    : s.type === T.rdsCluster
                      ? "cluster storage or standbys span AZs synchronously"
                      : "Multi-AZ standby is synchronous";
            out.push({ what, failure: "zone", seconds: 0, basis: how });
        }
        const replicas = remoteReplicas(s, resources, home);
        const copy = backupCopyPeriod(s, resources, home);
        if (replicas.length)
            out.push({
                what,
                failure: "region",
                seconds: cfg.replicaLagSeconds,
                basis: `asynchronous ${replicas.join(", ")}: replication lag, assumed ${cfg.replicaLagSeconds} s (policy config)`,
            });
        else if (copy !== undefined)
            out.push({
                what,
                failure: "region",
                seconds: copy,
                basis: `AWS Backup copies it to another region every ${copy / 3600} h`,
            });
        else
            out.push({
                what,
                failure: "region",
                seconds: Number.POSITIVE_INFINITY,
                basis: "no copy outside its region (no cross-region replica, no cross-region AWS Backup copy selecting it)",
            });
    }
    return out;
}

const shown = (s: number) => (Number.isFinite(s) ? `up to ${s} s of` : "all its");

export const rpoBudget = stackRule<RpoConfig>(
    {
        name: "rpo-budget",
        description:
            "The acknowledged data each database or table can lose stays within the RPO SLOs from the policy config: one for an AZ or host failure, one for the loss of the region.",
        severity: "critical",
        remediationSteps:
            "1. AZ failures: run RDS Multi-AZ (or Aurora, or a Multi-AZ DB cluster): synchronous copies lose nothing. 2. Region loss: copy backups to another region with AWS Backup (copy actions on a rule as frequent as the SLO needs), or keep an asynchronous replica there (cross-region read replica, Aurora global database, DynamoDB global table). 3. If an SLO itself is wrong, change `sloSeconds` / `regionSloSeconds` in the environment's policy config in a reviewed change.",
        configSchema: {
            properties: {
                sloSeconds: {
                    type: "number",
                    minimum: 0,
                    default: 0,
                    description: "Data loss allowed when an AZ or host fails, seconds",
                },
                regionSloSeconds: {
                    type: "number",
                    minimum: 0,
                    default: 86400,
                    description: "Data loss allowed when the region is lost, seconds",
                },
                replicaLagSeconds: {
                    type: "number",
                    minimum: 0,
                    default: 5,
                    description: "Assumed lag of asynchronous cross-region replicas (AWS publishes no bound)",
                },
            },
        },
    },
    (args, cfg) => {
        // The stack's home region is its default AWS provider's (the engine names it default_<version>).
        const providers = args.resources.map((r) => r.provider).filter((p) => p && p.type === "pulumi:providers:aws");
        const home = [...providers.filter((p) => p!.name.startsWith("default")), ...providers]
            .map((p) => p!.props?.region)
            .find((r): r is string => typeof r === "string");
        const exposures = dataLossExposures(args.resources, cfg, home);
        if (exposures.length === 0) return { notApplicable: "no RDS databases or DynamoDB tables" };
        const byName = new Map(ofType(args, [T.rdsInstance, T.rdsCluster, T.dynamoTable]).map((r) => [r.name, r.urn]));
        return exposures
            .filter((e) => e.seconds > (e.failure === "zone" ? cfg.sloSeconds : cfg.regionSloSeconds))
            .map((e) => ({
                urn: byName.get(e.what.split(" ").pop()!),
                message: `${e.what}: ${e.failure === "zone" ? "an AZ failure" : "losing the region"} loses ${shown(e.seconds)} acknowledged writes, over the ${e.failure === "zone" ? cfg.sloSeconds : cfg.regionSloSeconds} s RPO SLO (${e.basis}).`,
            }));
    },
);
