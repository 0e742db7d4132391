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
export { AutoscaledService, AutoscaledServiceArgs, ServiceSecret, TaskPolicyStatement, RequestSource } from "./compute/autoscaled-service";
export { ScheduledScaling, ScheduledScalingArgs } from "./compute/scheduled-scaling";
export { planScheduledActions, PlannedAction, ScheduleSpec, OnSaleSpec } from "./compute/schedule-plan";
export { Alarms, AlarmsArgs } from "./observability/alarms";
export { GameDays, GameDaysArgs } from "./resilience/game-days";
export { SendingIdentity, SendingIdentityArgs } from "./mail/sending-identity";
export { TIER_TAG, TIERS, Tier, BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG } from "./tiers";
export { ComponentArgError } from "./arg-check";
// Escape hatches and contracts: `transform` per child, bring-your-own network ids, each component's argument
// schema and defaults (which a stack's typed config composes), and the pure AWS rules those schemas use.
export { Transform, applyTransform } from "./transform";
export { Contract, ContractValues, Problem, field } from "./contract";
export { NetworkIds, SubnetTier } from "./network/network-ids";
export { NETWORK_CONTRACT } from "./network/network-args";
export { NetworkResources, NetworkTransform } from "./network/network";
export { AWS_REGIONS, OTHER_PARTITION_REGIONS, isAwsRegion } from "./regions";
export { LOG_RETENTION_DAYS } from "./log-retention";
export { FARGATE_CPU_UNITS, fargateMemoryOptions, fargateMemoryProblem } from "./compute/fargate";
export { backupWindowProblem, maintenanceWindowProblem, windowsOverlap } from "./data/windows";
export { isIanaTimeZone, scheduleExpressionProblem } from "./compute/schedule-rules";
