/**
 * Every rule of the boxoffice pack, by domain. `policies/index.ts` hands this list to `PolicyPack`; the
 * offline runner and the tests evaluate the same list through the engine-facing handlers.
 */
import type { Policies } from "@pulumi/policy";
import { backupPolicies } from "./backup";
import { cachePolicies } from "./cache";
import { computePolicies } from "./compute";
import { databasePolicies } from "./database";
import { clusterPolicies } from "./database-cluster";
import { ec2Policies } from "./ec2";
import { pairedEntryPoint } from "./entry-point";
import { rpoBudget } from "./rpo";
import { storagePolicies } from "./storage";
import { loadBalancerPolicies } from "./load-balancer";
import { networkPolicies } from "./network";
import { resiliencePolicies } from "./resilience";

export { PACK_NAME } from "./pack-name";

export const policies: Policies = [
    ...databasePolicies,
    ...clusterPolicies,
    ...cachePolicies,
    ...loadBalancerPolicies,
    pairedEntryPoint,
    ...computePolicies,
    ...ec2Policies,
    ...storagePolicies,
    ...backupPolicies,
    ...networkPolicies,
    ...resiliencePolicies,
    rpoBudget,
];
