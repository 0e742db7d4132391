/**
 * Every rule of the boxoffice pack, by domain. `policies/index.ts` hands this list to `PolicyPack`; the
 * offline runner and the tests evaluate the same list through the engine-facing handlers.
 */
import type { Policies } from "@pulumi/policy";
import { databasePolicies } from "./database";

/** The pack's name, as `pulumi preview` prints it next to each violation. */
export const PACK_NAME = "boxoffice";

export const policies: Policies = [
    ...databasePolicies,
];
