/** The public surface of boxoffice components; nothing else is exported. */
export { Network, NetworkArgs } from "./network/network";
export { parseCidr, planSubnets, SubnetPlan } from "./network/cidr-plan";
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
export {
    AutoscaledService,
    AutoscaledServiceArgs,
    ServiceSecret,
    TaskPolicyStatement,
    RequestSource,
} from "./compute/autoscaled-service";
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
export { DatabaseResources, DatabaseTransform } from "./data/database";
export { DATABASE_CONTRACT, STORAGE_AUTOSCALING_HEADROOM } from "./data/database-args";
export { REDIS_CACHE_CONTRACT } from "./data/redis-cache-args";
export { RedisCacheResources, RedisCacheTransform } from "./data/redis-cache";
export { MEMCACHED_CLUSTER_CONTRACT, nodesPerAzProblem } from "./data/memcached-cluster-args";
export { MemcachedClusterResources, MemcachedClusterTransform } from "./data/memcached-cluster";
export {
    dailyWindowProblem,
    weeklyWindowProblem,
    snapshotWindowProblem,
    cacheMaintenanceWindowProblem,
} from "./data/windows";
export { BACKUP_POLICY_CONTRACT, COLD_STORAGE_MINIMUM_DAYS } from "./backup/backup-policy-args";
export {
    BACKUP_START_WINDOW_MINUTES,
    DEFAULT_BACKUP_SCHEDULES,
    DatabaseWindows,
    scheduleConflict,
} from "./backup/schedule-windows";
export { BackupPolicyResources, BackupPolicyTransform } from "./backup/backup-policy";
export {
    PAIRED_LOAD_BALANCERS_CONTRACT,
    DOMAIN_NAME,
    HOSTED_ZONE_ID,
    CERTIFICATE_ARN,
} from "./edge/paired-load-balancers-args";
export { PairedLoadBalancersResources, PairedLoadBalancersTransform } from "./edge/paired-load-balancers";
export { WEB_FIREWALL_CONTRACT, WebFirewallTransform, rateLimitOrderProblem } from "./edge/web-firewall";
export { rateLimitQueueJoinProblem } from "./edge/web-firewall";
export { SERVICE_SECURITY_GROUPS_CONTRACT, ServiceSecurityGroupsTransform } from "./edge/service-security-groups";
export { ECS_CLUSTER_CONTRACT } from "./compute/cluster";
export { CONTAINER_IMAGE_CONTRACT, ContainerImageTransform } from "./compute/container-image";
export { SERVICE_SECRETS_CONTRACT, ServiceSecretsTransform } from "./compute/service-secrets";
export {
    AUTOSCALED_SERVICE_CONTRACT,
    backlogPerTask,
    requestsPerTask,
    taskCount,
} from "./compute/autoscaled-service-args";
export { AutoscaledServiceResources, AutoscaledServiceTransform, ClusterRef } from "./compute/autoscaled-service";
export { SCHEDULED_SCALING_CONTRACT, ScaledServiceRef } from "./compute/scheduled-scaling-args";
export { ALARMS_CONTRACT, AlarmsTransform } from "./observability/alarms";
export {
    GAME_DAYS_CONTRACT,
    DEFAULT_STOP_TASK_PERCENT,
    GameDaysTransform,
    stopTaskPercent,
} from "./resilience/game-days";
export { SENDING_IDENTITY_CONTRACT, SendingIdentityTransform } from "./mail/sending-identity";
