/**
 * Bring your own network: every component that lives in a VPC takes either our `Network` (it has these fields)
 * or the ids of an existing VPC, in one shape. A component reads only the tier it needs.
 */
import * as pulumi from "@pulumi/pulumi";

/** The subnet tiers: public (load balancers, NAT), private (services), isolated (data stores, no internet route). */
export type SubnetTier = "public" | "private" | "isolated";

/**
 * A network's ids: our `Network`, or an existing VPC described by hand. Subnet lists are per tier, one subnet per
 * AZ, in the order of `availabilityZones`; only the tiers a component uses need to be given.
 * @example { vpcId: "vpc-0abc", vpcCidr: "10.0.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], isolatedSubnetIds: ["subnet-1", "subnet-2"] }
 */
export interface NetworkIds {
    vpcId: pulumi.Input<string>;
    /** The VPC's CIDR; components that scope rules to the VPC (load balancers, service groups) need it. */
    vpcCidr?: string;
    /** AZ names, one per subnet of each tier, in the same order. */
    availabilityZones: pulumi.Input<string>[];
    publicSubnetIds?: pulumi.Input<string>[];
    privateSubnetIds?: pulumi.Input<string>[];
    isolatedSubnetIds?: pulumi.Input<string>[];
}

/** Where a component is placed: the VPC, one tier's subnets and their AZs. */
export interface Placement {
    vpcId: pulumi.Input<string>;
    vpcCidr?: string;
    subnetIds: pulumi.Input<string>[];
    availabilityZones: pulumi.Input<string>[];
}

/** Placement arguments of a data store or service: a network (ours or ids) or the raw ids themselves. */
export interface PlacementArgs {
    /**
     * The network to live in: our `Network`, or an existing VPC's ids (`NetworkIds`). Instead of it, give `vpcId`,
     * `subnetIds` and `availabilityZones` directly. @default undefined
     */
    network?: NetworkIds;
    /** VPC of the subnets and client security groups (when `network` is not given). @default undefined */
    vpcId?: pulumi.Input<string>;
    /** Subnets, one per AZ (when `network` is not given). @default undefined */
    subnetIds?: pulumi.Input<string>[];
    /** The AZ of each subnet, in the same order (when `network` is not given). @default undefined */
    availabilityZones?: pulumi.Input<string>[];
}

/**
 * The placement from either form, or the problem: `[arg, value, rule]` for the component's error. A `network`
 * together with raw ids is refused rather than merged, so no argument is silently ignored.
 */
export function placementOf(args: PlacementArgs, tier: SubnetTier): Placement | [string, unknown, string] {
    const raw = args.vpcId !== undefined || args.subnetIds !== undefined || args.availabilityZones !== undefined;
    if (args.network) {
        if (raw) return ["network", "set", "give either network or vpcId + subnetIds + availabilityZones, not both"];
        const subnetIds = args.network[`${tier}SubnetIds`];
        if (!subnetIds) return [`network.${tier}SubnetIds`, undefined, `must list the ${tier} subnets, one per AZ`];
        return {
            vpcId: args.network.vpcId,
            vpcCidr: args.network.vpcCidr,
            subnetIds,
            availabilityZones: args.network.availabilityZones,
        };
    }
    if (args.vpcId === undefined || !args.subnetIds || !args.availabilityZones) {
        return [
            "network",
            undefined,
            "is required: our Network, an existing VPC's ids, or vpcId + subnetIds + availabilityZones",
        ];
    }
    return { vpcId: args.vpcId, subnetIds: args.subnetIds, availabilityZones: args.availabilityZones };
}

/** The placement, or the component's error naming the argument at fault. */
export function requirePlacement(
    check: { fail(arg: string, value: unknown, rule: string): never },
    args: PlacementArgs,
    tier: SubnetTier,
): Placement {
    const p = placementOf(args, tier);
    return Array.isArray(p) ? check.fail(p[0], p[1], p[2]) : p;
}

/**
 * The VPC of a component scoped to it (load balancers, service groups): from `network`, or from the raw `vpcId` +
 * `vpcCidr` (+ `otherRaw`, the component's other raw ids) — never both — or the component's error naming the
 * argument at fault. `cidrReason` says why the component needs the CIDR.
 */
export function requireVpc(
    check: { that(ok: boolean, arg: string, value: unknown, rule: string): void },
    args: { network?: NetworkIds; vpcId?: pulumi.Input<string>; vpcCidr?: string },
    cidrReason: string,
    otherRaw: Record<string, unknown> = {},
): { vpcId: pulumi.Input<string>; vpcCidr: string } {
    const rawArgs: Record<string, unknown> = { vpcId: args.vpcId, vpcCidr: args.vpcCidr, ...otherRaw };
    const raw = Object.values(rawArgs).some((value) => value !== undefined);
    const names = Object.keys(rawArgs).join(" + ");
    check.that(!(args.network && raw), "network", "set", `give either network or ${names}, not both`);
    const vpcId = args.network?.vpcId ?? args.vpcId;
    const vpcCidr = args.network?.vpcCidr ?? args.vpcCidr;
    const at = (arg: string) => (args.network ? `network.${arg}` : arg);
    check.that(vpcId !== undefined, at("vpcId"), vpcId, "is required (or give network)");
    check.that(vpcCidr !== undefined, at("vpcCidr"), vpcCidr, `is required: ${cidrReason}`);
    return { vpcId: vpcId!, vpcCidr: vpcCidr! };
}
