/**
 * Database argument checks, run before any resource exists: placement in the isolated subnets, one AZ per
 * subnet, at least one client group, and the contract's fields.
 */
import { argChecker } from "../arg-check";
import { requireDataPlacement } from "./data-placement";
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
    const place = requireDataPlacement(check, args, "(a DB subnet group must span two AZs)");
    const c = DATABASE_CONTRACT.resolve(name, args);
    check.that(
        !(args.parameterGroupName !== undefined && args.logParameters !== undefined),
        "logParameters",
        args.logParameters,
        "cannot be combined with parameterGroupName: set logging in your own parameter group",
    );
    return { place, c };
}
