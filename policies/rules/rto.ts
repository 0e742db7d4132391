/**
 * Recovery-time arithmetic for the `rto-budget` rule, kept pure so the figures and their sources sit in one
 * place. Every figure is the *worst case* AWS documents, so the budget errs on the safe side.
 */

/**
 * RDS Multi-AZ DB instance failover: "typically 60–120 seconds".
 * Source: Amazon RDS User Guide, "Failover process for Amazon RDS" (Concepts.MultiAZ.Failover).
 */
export const RDS_MULTI_AZ_INSTANCE_FAILOVER_S = 120;

/**
 * RDS Multi-AZ DB cluster (two readable standbys) failover: "typically under 35 seconds".
 * Source: Amazon RDS User Guide, "Failover process for Multi-AZ DB clusters" (multi-az-db-clusters-concepts-failover).
 */
export const RDS_MULTI_AZ_CLUSTER_FAILOVER_S = 35;

/**
 * Aurora with at least one replica: failover "typically within 30 seconds".
 * Source: AWS whitepaper, Amazon Aurora MySQL Database Administrator's Handbook.
 */
export const AURORA_FAILOVER_S = 30;

/**
 * Aurora without a reader in another AZ: nothing to promote, so Aurora creates a new primary instance,
 * "typically" in under 10 minutes. Source: Amazon Aurora User Guide, "Fault tolerance for an Aurora DB
 * cluster" (Concepts.AuroraHighAvailability).
 */
export const AURORA_NO_READER_RECOVERY_S = 600;

/**
 * RDS Proxy keeps client connections open during a failover and cuts the recovery clients see by up to
 * 32 % (RDS MySQL) and 79 % (Aurora MySQL). Nothing is published for RDS PostgreSQL, so we apply the smaller
 * reduction, 32 %, to every RDS instance behind a proxy.
 * Source: AWS Database Blog, "Improving application availability with Amazon RDS Proxy".
 */
export const RDS_PROXY_REDUCTION = 0.32;
export const AURORA_PROXY_REDUCTION = 0.79;

/**
 * Route 53 health checks: request interval 10 or 30 s (default 30), failure threshold default 3.
 * Source: Route 53 Developer Guide, "How Amazon Route 53 determines whether a health check is healthy"
 * (dns-failover-determining-health-of-endpoints).
 */
export const ROUTE53_DEFAULT_INTERVAL_S = 30;
export const ROUTE53_DEFAULT_FAILURE_THRESHOLD = 3;

/**
 * Alias records have no TTL of their own; Route 53 answers with the target's current state, and resolvers
 * cache the ALB's own 60 s TTL. We assume 60 s for clients to see the change. (Assumption, not an AWS figure.)
 */
export const ALIAS_PROPAGATION_ASSUMPTION_S = 60;

export interface Scenario {
    /** What fails, e.g. "database boxoffice-prod-db (AZ or host failure)". */
    what: string;
    /** Seconds until service is back; Infinity when nothing recovers automatically. */
    seconds: number;
    /** How the figure was computed. */
    basis: string;
}

export function databaseFailover(
    kind: "instance" | "multi-az-cluster" | "aurora",
    proxied: boolean,
): { seconds: number; basis: string } {
    const base =
        kind === "instance"
            ? RDS_MULTI_AZ_INSTANCE_FAILOVER_S
            : kind === "multi-az-cluster"
              ? RDS_MULTI_AZ_CLUSTER_FAILOVER_S
              : AURORA_FAILOVER_S;
    const label =
        kind === "instance"
            ? "Multi-AZ instance failover"
            : kind === "multi-az-cluster"
              ? "Multi-AZ DB cluster failover"
              : "Aurora failover";
    if (!proxied) return { seconds: base, basis: `${label} ${base} s (worst case, AWS RDS User Guide)` };
    const reduction = kind === "aurora" ? AURORA_PROXY_REDUCTION : RDS_PROXY_REDUCTION;
    const seconds = Math.round(base * (1 - reduction) * 10) / 10;
    return { seconds, basis: `${label} ${base} s − ${Math.round(reduction * 100)} % behind RDS Proxy = ${seconds} s` };
}

export function dnsFailover(
    intervalS: number | undefined,
    threshold: number | undefined,
    ttlS: number | undefined,
): { seconds: number; basis: string } {
    const interval = intervalS ?? ROUTE53_DEFAULT_INTERVAL_S;
    const failures = threshold ?? ROUTE53_DEFAULT_FAILURE_THRESHOLD;
    const propagation = ttlS ?? ALIAS_PROPAGATION_ASSUMPTION_S;
    const seconds = interval * failures + propagation;
    const ttlText = ttlS === undefined ? `${propagation} s alias propagation (assumption)` : `TTL ${ttlS} s`;
    return { seconds, basis: `health check ${interval} s × ${failures} failures + ${ttlText} = ${seconds} s` };
}

export function formatSeconds(s: number): string {
    return Number.isFinite(s) ? `${s} s` : "unbounded (no automatic recovery)";
}
