/** The public surface of boxoffice components; nothing else is exported. */
export { Network, NetworkArgs } from "./network/network";
export { planSubnets, SubnetPlan } from "./network/cidr-plan";
export { TIER_TAG, TIERS, Tier, BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG } from "./tiers";
export { ComponentArgError } from "./arg-check";
