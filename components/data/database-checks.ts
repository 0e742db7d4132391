/**
 * Database argument checks, run before any resource exists: placement in the isolated subnets, one AZ per
 * subnet, at least one client group, and the contract's fields.
 */
import { argChecker } from "../arg-check";
import { requirePlacement } from "../network/network-ids";
import { DATABASE_CONTRACT, DatabaseArgs } from "./database-args";

/** Validates `args` (throwing a ComponentArgError naming the argument) and resolves the contract's defaults. */
export function checkDatabaseArgs(name: string, args: DatabaseArgs) {
    const check = argChecker("Database", name);
    check.that(
        /^[a-z](-?[a-z0-9])*$/.test(name),
        "name",
        name,
        "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes RDS identifiers and the final snapshot name)",
    );
    const place = requirePlacement(check, args, "isolated");
    check.that(
        place.subnetIds.length >= 2,
        "subnetIds",
        place.subnetIds.length,
        "must list at least 2 subnets (a DB subnet group must span two AZs)",
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
    const c = DATABASE_CONTRACT.resolve(name, args);
    check.that(
        !(args.parameterGroupName !== undefined && args.logParameters !== undefined),
        "logParameters",
        args.logParameters,
        "cannot be combined with parameterGroupName: set logging in your own parameter group",
    );
    return { place, c };
}
