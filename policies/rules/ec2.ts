/**
 * EC2 capacity without a single point of failure. A lone `aws.ec2.Instance` is the classic one: its host,
 * its AZ or a bad reboot takes the service down. Instances count as redundant only with siblings of the
 * same tier (`boxoffice:tier`) in other AZs; an untagged instance stands alone. An Auto Scaling group
 * replaces failed instances, but only keeps serving through an AZ loss with a floor of two instances over
 * subnets in two AZs (EC2 Auto Scaling rebalances over the AZs of `vpcZoneIdentifiers`).
 */
import { PolicyResource } from "@pulumi/policy";
import { StackFinding, T, TIER_TAG, azList, known, list, num, ofType, stackRule, tagsOf } from "./common";
import { Topology } from "./topology";

interface RedundancyConfig {
    minimumInstances: number;
    minimumAzs: number;
}

const schema = {
    properties: {
        minimumInstances: { type: "integer" as const, minimum: 2, maximum: 100, default: 2 },
        minimumAzs: { type: "integer" as const, minimum: 2, maximum: 6, default: 2 },
    },
};

function tierKey(r: PolicyResource): string | undefined {
    return tagsOf({ tags: known(r.props, "tags") })[TIER_TAG];
}

export const ec2InstanceRedundancy = stackRule<RedundancyConfig>(
    {
        name: "ec2-instance-redundancy",
        description:
            "No workload runs on a lone EC2 instance: the instances of each tier number at least the configured minimum and span at least two AZs (an untagged instance is a tier of its own).",
        severity: "critical",
        remediationSteps:
            "1. Run the workload in an `aws.autoscaling.Group` (minSize ≥ 2, subnets in ≥ 2 AZs) behind a load balancer, or 2. run at least two instances in subnets of different AZs and tag them with the same `boxoffice:tier` so they count as one tier.",
        configSchema: schema,
    },
    (args, cfg) => {
        const instances = ofType(args, T.ec2Instance);
        if (instances.length === 0) return { notApplicable: "no EC2 instances" };
        const topo = new Topology(args);
        const groups = new Map<string, PolicyResource[]>();
        for (const i of instances) {
            const key = tierKey(i) ? `tier ${tierKey(i)}` : `untagged instance ${i.name}`;
            groups.set(key, [...(groups.get(key) ?? []), i]);
        }
        const findings: StackFinding[] = [];
        for (const [group, members] of groups) {
            const azs = new Set<string>();
            for (const m of members) for (const az of topo.instanceAzs(m)) azs.add(az);
            const problems: string[] = [];
            if (members.length < cfg.minimumInstances)
                problems.push(`${members.length} instance(s); at least ${cfg.minimumInstances} required`);
            if (azs.size < cfg.minimumAzs) problems.push(`in ${azList(azs)}; at least ${cfg.minimumAzs} AZs required`);
            if (problems.length)
                findings.push({
                    urn: members[0].urn,
                    message: `${group} (${members.map((m) => m.name).join(", ")}): ${problems.join(", ")}.`,
                });
        }
        return findings;
    },
);

export const autoscalingGroupHa = stackRule<RedundancyConfig>(
    {
        name: "autoscaling-group-ha",
        description:
            "Every EC2 Auto Scaling group keeps at least the configured number of instances (minSize and desiredCapacity) over subnets in at least two AZs.",
        severity: "critical",
        remediationSteps:
            "1. Set `minSize` (and `desiredCapacity`, if set) to at least 2. 2. Give `vpcZoneIdentifiers` one subnet per AZ in at least two AZs (declared in the stack, so the AZs can be checked).",
        configSchema: schema,
    },
    (args, cfg) => {
        const groups = ofType(args, T.autoscalingGroup);
        if (groups.length === 0) return { notApplicable: "no Auto Scaling groups" };
        const topo = new Topology(args);
        const findings: StackFinding[] = [];
        for (const g of groups) {
            const min = num(known(g.props, "minSize")) ?? 0;
            const desired = num(known(g.props, "desiredCapacity"));
            if (min < cfg.minimumInstances)
                findings.push({
                    urn: g.urn,
                    message: `${g.name}: \`minSize\` is ${min}; at least ${cfg.minimumInstances} required.`,
                });
            if (desired !== undefined && desired < cfg.minimumInstances)
                findings.push({
                    urn: g.urn,
                    message: `${g.name}: \`desiredCapacity\` is ${desired}; at least ${cfg.minimumInstances} required.`,
                });
            const azs = topo.groupAzs(g);
            const subnets = list(known(g.props, "vpcZoneIdentifiers")).length;
            if (azs.size === 0 && subnets > 0)
                findings.push({
                    urn: g.urn,
                    message: `${g.name}: cannot tell the AZs of its ${subnets} subnet(s) (not declared in this stack).`,
                });
            else if (azs.size < cfg.minimumAzs)
                findings.push({
                    urn: g.urn,
                    message: `${g.name}: runs in ${azList(azs)}; at least ${cfg.minimumAzs} AZs required.`,
                });
        }
        return findings;
    },
);

export const ec2Policies = [ec2InstanceRedundancy, autoscalingGroupHa];
