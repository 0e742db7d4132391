/**
 * The placement checks every data store makes before it creates anything: isolated subnets in at least two AZs,
 * one AZ named per subnet, and at least one client security group.
 */
import { argChecker } from "../arg-check";
import { Placement, PlacementArgs, requirePlacement } from "../network/network-ids";

/**
 * The store's isolated-subnet placement, or the component's error naming the argument at fault. `whyTwoSubnets`
 * ends the subnet rule, e.g. "(Multi-AZ needs a second AZ)".
 */
export function requireDataPlacement(
    check: ReturnType<typeof argChecker>,
    args: PlacementArgs & { allowedSecurityGroupIds: readonly unknown[] },
    whyTwoSubnets: string,
): Placement {
    const place = requirePlacement(check, args, "isolated");
    check.that(
        place.subnetIds.length >= 2,
        "subnetIds",
        place.subnetIds.length,
        `must list at least 2 subnets ${whyTwoSubnets}`,
    );
    check.that(
        place.availabilityZones.length === place.subnetIds.length,
        "availabilityZones",
        place.availabilityZones.length,
        `must name one AZ per subnet (${place.subnetIds.length})`,
    );
    check.that(
        args.allowedSecurityGroupIds.length >= 1,
        "allowedSecurityGroupIds",
        args.allowedSecurityGroupIds.length,
        "must list at least 1 client security group (nothing else can ever connect)",
    );
    return place;
}
