/**
 * The paired public entry point: a stack that declares itself highly available (the policy config in force
 * sets `paired-entry-point.required`, as prod.json does) reaches its users through at least two
 * internet-facing load balancers behind a Route 53 failover pair, each record health-checked, so losing a
 * load balancer (or its configuration) moves traffic to the other one instead of taking the service down.
 *
 * A record counts as health-checked when it names a health check (`healthCheckId`) or is an alias with
 * `evaluateTargetHealth: true`. Route 53 answers with the SECONDARY only when the PRIMARY is unhealthy, and
 * treats a record without any health check as always healthy (Route 53 Developer Guide,
 * dns-failover-configuring-options / dns-failover-complex-configs).
 */
import { PolicyResource } from "@pulumi/policy";
import { ANY_LOAD_BALANCER_TYPES, StackFinding, T, bool, isSet, known, list, ofType, stackRule } from "./common";

interface EntryConfig {
    required: boolean;
}

type Alias = { name?: string; evaluateTargetHealth?: boolean };

function isInternetFacing(lb: PolicyResource): boolean {
    return known(lb.props, "internal") !== true;
}

/** DNS names compare without case, a trailing dot or the `dualstack.` prefix alias targets may carry. */
function dnsKey(name: unknown): string {
    return typeof name === "string"
        ? name
              .toLowerCase()
              .replace(/\.$/, "")
              .replace(/^dualstack\./, "")
        : "";
}

/** The load balancers a record sends traffic to: by the engine's dependencies, else by DNS name. */
function targetsOf(rec: PolicyResource, lbs: PolicyResource[]): PolicyResource[] {
    const viaDeps = [
        ...(rec.propertyDependencies["aliases"] ?? []),
        ...(rec.propertyDependencies["records"] ?? []),
    ].filter((d) => lbs.some((lb) => lb.urn === d.urn));
    if (viaDeps.length) return lbs.filter((lb) => viaDeps.some((d) => d.urn === lb.urn));
    const names = [
        ...list<Alias>(known(rec.props, "aliases")).map((a) => a.name),
        ...list<string>(known(rec.props, "records")),
    ].map(dnsKey);
    return lbs.filter((lb) => names.includes(dnsKey(known(lb.props, "dnsName"))));
}

function healthChecked(rec: PolicyResource): boolean {
    return (
        isSet(known(rec.props, "healthCheckId")) ||
        list<Alias>(known(rec.props, "aliases")).some((a) => bool(a.evaluateTargetHealth) === true)
    );
}

function failoverRole(rec: PolicyResource): string | undefined {
    return list<{ type?: string }>(known(rec.props, "failoverRoutingPolicies"))
        .map((f) => f.type)
        .find((t) => t === "PRIMARY" || t === "SECONDARY");
}

export function entryPointFindings(resources: PolicyResource[]): StackFinding[] {
    const lbs = resources.filter((r) => ANY_LOAD_BALANCER_TYPES.includes(r.type) && isInternetFacing(r));
    const findings: StackFinding[] = [];
    if (lbs.length < 2) {
        findings.push({
            message: `${lbs.length} internet-facing load balancer(s)${lbs.length ? ` (${lbs.map((l) => l.name).join(", ")})` : ""}; a highly available stack needs two, behind a Route 53 failover pair.`,
        });
    }
    // Failover records answer together when they share zone, name and type.
    const groups = new Map<string, PolicyResource[]>();
    for (const rec of resources.filter((r) => r.type === T.record && failoverRole(r))) {
        const key = [known(rec.props, "zoneId"), dnsKey(known(rec.props, "name")), known(rec.props, "type")]
            .map(String)
            .join("|");
        groups.set(key, [...(groups.get(key) ?? []), rec]);
    }
    const problems: string[] = [];
    for (const recs of groups.values()) {
        const side = (role: string) => recs.filter((r) => failoverRole(r) === role);
        const [primary, secondary] = [side("PRIMARY"), side("SECONDARY")];
        const name = String(known(recs[0].props, "name") ?? recs[0].name);
        const missing = [primary.length ? "" : "PRIMARY", secondary.length ? "" : "SECONDARY"].filter(Boolean);
        if (missing.length) {
            problems.push(`${name}: no ${missing.join(" or ")} record`);
            continue;
        }
        const unchecked = [...primary, ...secondary].filter((r) => !healthChecked(r));
        if (unchecked.length) {
            problems.push(
                `${name}: ${unchecked.map((r) => r.name).join(", ")} has no health check (healthCheckId or alias evaluateTargetHealth), so Route 53 always treats it as healthy`,
            );
            continue;
        }
        const p = new Set(primary.flatMap((r) => targetsOf(r, lbs)));
        const s = new Set(secondary.flatMap((r) => targetsOf(r, lbs)));
        if (p.size === 0 || s.size === 0) {
            problems.push(
                `${name}: the ${p.size ? "SECONDARY" : "PRIMARY"} record reaches no internet-facing load balancer of this stack`,
            );
            continue;
        }
        if ([...s].every((lb) => p.has(lb))) {
            problems.push(`${name}: PRIMARY and SECONDARY reach the same load balancer`);
            continue;
        }
        return findings; // one sound pair is the paired entry point
    }
    findings.push({
        message:
            groups.size === 0
                ? "no Route 53 failover records (PRIMARY and SECONDARY) in front of the load balancers: users reach a single entry point."
                : `no sound Route 53 failover pair: ${problems.join("; ")}.`,
    });
    return findings;
}

export const pairedEntryPoint = stackRule<EntryConfig>(
    {
        name: "paired-entry-point",
        description:
            "A stack that declares itself highly available (required in the policy config) is reached through at least two internet-facing load balancers behind a Route 53 failover pair whose records are both health-checked.",
        severity: "critical",
        remediationSteps:
            '1. Run two internet-facing load balancers over the same targets. 2. Create a Route 53 record pair with the same name: `failoverRoutingPolicies: [{ type: "PRIMARY" }]` aliasing the first, `[{ type: "SECONDARY" }]` aliasing the second. 3. Give each a `healthCheckId` (an `aws.route53.HealthCheck` on the load balancer\'s /healthz) or alias `evaluateTargetHealth: true`. 4. A stack that is not meant to be highly available sets `paired-entry-point: { required: false }` in its policy config, visibly.',
        configSchema: {
            properties: {
                required: {
                    type: "boolean",
                    default: true,
                    description: "Whether the stack declares itself highly available",
                },
            },
        },
    },
    (args, cfg) => {
        if (!cfg.required)
            return {
                notApplicable:
                    "the policy config does not declare this stack highly available (paired-entry-point.required is false)",
            };
        if (!ofType(args, ANY_LOAD_BALANCER_TYPES).some(isInternetFacing))
            return { notApplicable: "no internet-facing load balancers: the stack has no public entry point" };
        return entryPointFindings(args.resources);
    },
);
