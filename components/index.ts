/** The public surface of boxoffice components; nothing else is exported. */
export { Network, NetworkArgs } from "./network/network";
export { planSubnets, SubnetPlan } from "./network/cidr-plan";
export { Database, DatabaseArgs } from "./data/database";
export { RedisCache, RedisCacheArgs } from "./data/redis-cache";
export { MemcachedCluster, MemcachedClusterArgs } from "./data/memcached-cluster";
export { BackupPolicy, BackupPolicyArgs } from "./backup/backup-policy";
export { PairedLoadBalancers, PairedLoadBalancersArgs, TLS_POLICY } from "./edge/paired-load-balancers";
export { WebFirewall, WebFirewallArgs } from "./edge/web-firewall";
export { ServiceSecurityGroups, ServiceSecurityGroupsArgs } from "./edge/service-security-groups";
export { EcsCluster, EcsClusterArgs } from "./compute/cluster";
export { ContainerImage, ContainerImageArgs } from "./compute/container-image";
export { ServiceSecrets, ServiceSecretsArgs } from "./compute/service-secrets";
export { AutoscaledService, AutoscaledServiceArgs, ServiceSecret } from "./compute/autoscaled-service";
export { ScheduledScaling, ScheduledScalingArgs } from "./compute/scheduled-scaling";
export { planScheduledActions, PlannedAction, ScheduleSpec, OnSaleSpec } from "./compute/schedule-plan";
export { Alarms, AlarmsArgs } from "./observability/alarms";
export { TIER_TAG, TIERS, Tier, BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG } from "./tiers";
export { ComponentArgError } from "./arg-check";
