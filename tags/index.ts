/**
 * The one vocabulary shared by components and the policy pack: every boxoffice resource that belongs to
 * a failure domain carries the tag `boxoffice:tier`, so the stack-level policies can tell tiers apart
 * without knowing our classes (a program that does not use our components can set the same tags).
 */
export const TIER_TAG = "boxoffice:tier";

/** Tag that AWS Backup selections match on; set on every stateful resource that must be restorable. */
export const BACKUP_TAG = "boxoffice:backup";
export const BACKUP_TAG_VALUE = "daily-weekly-monthly";

/** Tag with the stack's environment (`prod` | `staging`), used by policies and cost reports. */
export const ENVIRONMENT_TAG = "boxoffice:environment";

/** Failure domains that each need a second instance able to take over. */
export const TIERS = ["network", "load-balancer", "app", "worker", "database", "cache"] as const;
export type Tier = (typeof TIERS)[number];
