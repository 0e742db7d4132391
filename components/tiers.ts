/**
 * The tag vocabulary lives in `@boxoffice/tags`, which the policy pack shares: components re-export it under the
 * same names, so neither package reaches into the other.
 */
export { TIER_TAG, TIERS, BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG } from "@boxoffice/tags";
export type { Tier } from "@boxoffice/tags";
