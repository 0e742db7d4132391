/**
 * Network rules: egress that survives an AZ loss (a NAT gateway in every AZ with workloads), nothing open to
 * the internet except the public load balancers on 80/443, and KMS keys that rotate.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import {
    StackFinding,
    T,
    TIER_TAG,
    TIERS,
    Tier,
    Verdict,
    azList,
    known,
    list,
    num,
    ofType,
    resourceRule,
    stackRule,
    tagsOf,
} from "./common";
import { WORLD_PREFIX, worldOpen } from "./cidr";
import { Topology } from "./topology";

export const natGatewayPerAz = stackRule(
    {
        name: "nat-gateway-per-az",
        description:
            "There is a NAT gateway in every AZ where the stack has subnets, so losing one AZ never cuts the others' egress.",
        severity: "high",
        remediationSteps:
            "1. Create one NAT gateway (with its Elastic IP) in the public subnet of each AZ. 2. Give each AZ's private subnets a route table whose default route uses that AZ's NAT gateway. Staging may opt out (single NAT) at the cost of this finding.",
    },
    (args) => {
        const nats = ofType(args, T.natGateway);
        if (nats.length === 0) return { notApplicable: "no NAT gateways (no internet egress through NAT)" };
        const topo = new Topology(args);
        const subnetAzs = new Set<string>();
        for (const s of ofType(args, T.subnet)) {
            const az = known(s.props, "availabilityZone");
            if (typeof az === "string") subnetAzs.add(az);
        }
        const natAzs = new Set<string>();
        for (const n of nats) for (const az of topo.azsVia(n, "subnetId")) natAzs.add(az);
        const missing = [...subnetAzs].filter((az) => !natAzs.has(az));
        return missing.length
            ? [
                  {
                      message: `${nats.length} NAT gateway(s) in ${azList(natAzs)}; no NAT gateway in ${azList(missing)}: losing ${azList(natAzs)} cuts egress for every AZ.`,
                  },
              ]
            : [];
    },
);

interface IngressConfig {
    publicPorts: number[];
}

/** The sources of a rule that admit the internet (see worldOpen), as written or explained. */
function openSources(...cidrs: unknown[]): string[] {
    return cidrs
        .flatMap((c) => (Array.isArray(c) ? c : [c]))
        .filter((c): c is string => typeof c === "string" && c !== "")
        .map(worldOpen)
        .filter((why): why is string => why !== undefined);
}

interface OpenRule {
    urn: string;
    name: string;
    from?: number;
    to?: number;
    protocol: string;
    sg?: PolicyResource;
    sources: string[];
}

/** Whether an open rule only admits the allowed ports (TCP) on a security group tagged as the load-balancer tier. */
function allowedOpenRule(rule: OpenRule, ports: number[]): string | undefined {
    const tier = rule.sg ? tagsOf({ tags: known(rule.sg.props, "tags") })[TIER_TAG] : undefined;
    const protocolOk = rule.protocol === "tcp" || rule.protocol === "6";
    const portOk = rule.from !== undefined && rule.from === rule.to && ports.includes(rule.from);
    if (tier === "load-balancer" && protocolOk && portOk) return undefined;
    const range =
        rule.protocol === "-1" || rule.protocol === "all"
            ? "all traffic"
            : `${rule.protocol} ${rule.from ?? "?"}-${rule.to ?? "?"}`;
    const group = rule.sg
        ? `security group ${rule.sg.name}${tier ? ` (tier ${tier})` : " (no tier tag)"}`
        : "an unknown security group";
    return `${rule.name}: ${range} from the internet (${rule.sources.join(", ")}) into ${group}; only the load-balancer tier may be open, on ${ports.join("/")} (TCP).`;
}

export const noPublicIngress = stackRule<IngressConfig>(
    {
        name: "no-public-ingress",
        description: `No security group admits the internet (0.0.0.0/0, ::/0 or any other IPv4 range of /${WORLD_PREFIX[4]} or wider, IPv6 /${WORLD_PREFIX[6]} or wider, outside RFC 1918/4193 private space), except the public load balancers' group (tier load-balancer) on TCP 80 and 443.`,
        severity: "critical",
        remediationSteps:
            "1. Replace the open CIDR (splitting it, e.g. 0.0.0.0/1 + 128.0.0.0/1, is still open) with `referencedSecurityGroupId` of the load balancers' security group. 2. If this really is a public load balancer's group, tag it `boxoffice:tier: load-balancer` and open only 80/443 TCP. 3. Reach instances for administration through SSM Session Manager, never an open port.",
        configSchema: {
            properties: {
                publicPorts: {
                    type: "array",
                    items: { type: "integer", minimum: 1, maximum: 65535 },
                    default: [80, 443],
                },
            },
        },
    },
    (args, cfg) => {
        const groups = ofType(args, T.securityGroup);
        const groupOf = (r: PolicyResource, prop: string) => {
            const deps = (r.propertyDependencies[prop] ?? []).find((d) => d.type === T.securityGroup);
            if (deps) return deps;
            const id = known(r.props, prop);
            return groups.find((g) => known(g.props, "id") === id || known(g.props, "arn") === id);
        };
        const open: OpenRule[] = [];
        for (const r of ofType(args, T.ingressRule)) {
            const sources = openSources(known(r.props, "cidrIpv4"), known(r.props, "cidrIpv6"));
            if (sources.length) {
                open.push({
                    urn: r.urn,
                    name: r.name,
                    from: num(known(r.props, "fromPort")),
                    to: num(known(r.props, "toPort")),
                    protocol: String(known(r.props, "ipProtocol")),
                    sg: groupOf(r, "securityGroupId"),
                    sources,
                });
            }
        }
        for (const r of ofType(args, T.securityGroupRule)) {
            if (known(r.props, "type") !== "ingress") continue;
            const sources = openSources(known(r.props, "cidrBlocks"), known(r.props, "ipv6CidrBlocks"));
            if (sources.length) {
                open.push({
                    urn: r.urn,
                    name: r.name,
                    from: num(known(r.props, "fromPort")),
                    to: num(known(r.props, "toPort")),
                    protocol: String(known(r.props, "protocol")),
                    sg: groupOf(r, "securityGroupId"),
                    sources,
                });
            }
        }
        for (const g of groups) {
            list<{
                cidrBlocks?: string[];
                ipv6CidrBlocks?: string[];
                fromPort?: number;
                toPort?: number;
                protocol?: string;
            }>(known(g.props, "ingress")).forEach((i, n) => {
                const sources = openSources(i.cidrBlocks, i.ipv6CidrBlocks);
                if (sources.length) {
                    open.push({
                        urn: g.urn,
                        name: `${g.name} ingress[${n}]`,
                        from: num(i.fromPort),
                        to: num(i.toPort),
                        protocol: String(i.protocol),
                        sg: g,
                        sources,
                    });
                }
            });
        }
        if (open.length === 0 && groups.length === 0) return { notApplicable: "no security groups or rules" };
        const findings: StackFinding[] = [];
        for (const rule of open) {
            const problem = allowedOpenRule(rule, cfg.publicPorts);
            if (problem) findings.push({ urn: rule.urn, message: problem });
        }
        return findings;
    },
);

export const kmsKeyRotation = resourceRule(
    {
        name: "kms-key-rotation",
        description: "Every symmetric customer-managed KMS key rotates its key material automatically.",
        severity: "medium",
        remediationSteps:
            "1. Set `enableKeyRotation: true` (optionally `rotationPeriodInDays`, 90–2560). 2. Asymmetric and HMAC keys cannot rotate automatically: rotate them by replacing the key.",
    },
    aws.kms.Key,
    (key): Verdict => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT")
            return { notApplicable: `automatic rotation is not supported for ${spec} keys` };
        return key.enableKeyRotation === true ? [] : ["`enableKeyRotation` is not true."];
    },
);

/** Which tiers each AWS type may belong to; these are the resources the stack rules place in AZs. */
const TYPE_TIERS: Record<string, Tier[]> = {
    [T.rdsInstance]: ["database"],
    [T.rdsCluster]: ["database"],
    [T.dynamoTable]: ["database"],
    [T.cacheReplicationGroup]: ["cache"],
    [T.cacheCluster]: ["cache"],
    [T.loadBalancer]: ["load-balancer"],
    [T.albLoadBalancer]: ["load-balancer"],
    [T.classicElb]: ["load-balancer"],
    // Instances and groups can serve any tier (a self-managed database, say); they must say which.
    [T.ec2Instance]: [...TIERS],
    [T.autoscalingGroup]: [...TIERS],
    [T.ecsService]: ["app", "worker"],
    [T.natGateway]: ["network"],
    [T.subnet]: ["network"],
};

export const tierTagged: ResourceValidationPolicy = {
    name: "tier-tagged",
    description: `Every database (RDS instance or cluster, DynamoDB table), cache, load balancer, ECS service, EC2 instance, Auto Scaling group, NAT gateway and subnet carries a ${TIER_TAG} tag naming its tier, so the stack rules can see it.`,
    severity: "high",
    enforcementLevel: "mandatory",
    remediationSteps: `1. Tag the resource \`${TIER_TAG}\` with one of ${TIERS.join(", ")} (components do this for their children). 2. An untagged resource is invisible to no-single-point-of-failure, so do not remove tags to silence it.`,
    validateResource: (args, report) => {
        const allowed = TYPE_TIERS[args.type];
        if (!allowed) args.notApplicable("not a tiered resource type");
        const tier = tagsOf(args.props)[TIER_TAG];
        if (tier === undefined) report(`tag ${TIER_TAG} is missing; expected ${allowed.join(" or ")}.`);
        else if (!allowed.includes(tier as Tier))
            report(`tag ${TIER_TAG} is ${JSON.stringify(tier)}; expected ${allowed.join(" or ")} for ${args.type}.`);
    },
};

export const networkPolicies = [natGatewayPerAz, noPublicIngress, kmsKeyRotation, tierTagged];
