/**
 * Per-environment defaults. Every value a component already defaults is taken from its contract (`defaultsOf`),
 * so this file states only where the platform chooses differently. Prod is highly available everywhere; staging is
 * smaller and may share one NAT gateway, but keeps Multi-AZ, replicas and two tasks per service so failover can be
 * rehearsed there. A stack file only needs to say what differs; cost opt-outs should still be written out in it for review.
 */
import {
    AUTOSCALED_SERVICE_CONTRACT,
    BACKUP_POLICY_CONTRACT,
    DATABASE_CONTRACT,
    DEFAULT_STOP_TASK_PERCENT,
    GAME_DAYS_CONTRACT,
    MEMCACHED_CLUSTER_CONTRACT,
    NETWORK_CONTRACT,
    PAIRED_LOAD_BALANCERS_CONTRACT,
    REDIS_CACHE_CONTRACT,
    SCHEDULED_SCALING_CONTRACT,
} from "@boxoffice/components";
import { KEYS } from "./schema";
import type { Environment, PlatformConfig } from "./schema";

type Defaults = Omit<PlatformConfig, "environment">;

const prod: Defaults = {
    network: {
        cidr: "10.40.0.0/16",
        ...NETWORK_CONTRACT.defaultsOf(["availabilityZones", "natGateways", "flowLogRetentionDays"]),
    },
    database: DATABASE_CONTRACT.defaultsOf(KEYS.database),
    redis: REDIS_CACHE_CONTRACT.defaultsOf(KEYS.redis),
    memcached: MEMCACHED_CLUSTER_CONTRACT.defaultsOf(KEYS.memcached),
    backup: {
        ...BACKUP_POLICY_CONTRACT.defaultsOf(KEYS.backup.filter((k) => k !== "copyToRegion")),
        copyToRegion: "eu-central-1",
    },
    loadBalancers: {
        domain: null,
        hostedZoneId: null,
        certificateArn: null,
        ...PAIRED_LOAD_BALANCERS_CONTRACT.defaultsOf(KEYS.loadBalancers),
    },
    app: {
        ...AUTOSCALED_SERVICE_CONTRACT.defaultsOf(KEYS.app),
        // A third of the floor can go (one AZ) and the rest still carries the base load; scale-out room for an on-sale.
        minTasks: 3,
        maxTasks: 30,
        targetRequestsPerTask: 800,
    },
    worker: {
        ...AUTOSCALED_SERVICE_CONTRACT.defaultsOf(KEYS.worker),
        cpu: 256,
        memory: 512,
        targetBacklogPerTask: 100,
    },
    scaling: SCHEDULED_SCALING_CONTRACT.defaultsOf(KEYS.scaling),
    // Admissions hold while the platform's own alarms fire; a newcomer's expected wait over 30 min alarms.
    waitingRoom: {
        tokenTtlSeconds: 600,
        collectSeconds: 120,
        pauseErrorPercent: 10,
        pauseOnAlarms: true,
        queueWaitAlarmSeconds: 1800,
    },
    alerts: { email: null },
    // Templates are inert until someone starts one, and free until then; prod keeps them so the drill rehearsed
    // in staging can be run against the real thing. `enabled: false` opts an account out of fault injection.
    gameDays: {
        enabled: true,
        stopTaskPercent: DEFAULT_STOP_TASK_PERCENT,
        ...GAME_DAYS_CONTRACT.defaultsOf(KEYS.gameDays),
    },
};

const staging: Defaults = {
    ...prod,
    network: { cidr: "10.50.0.0/16", availabilityZones: 2, natGateways: "single", flowLogRetentionDays: 30 },
    database: {
        ...prod.database,
        instanceClass: "db.t4g.medium",
        allocatedStorageGb: 20,
        maxAllocatedStorageGb: 100,
        deletionProtection: false,
    },
    redis: { ...prod.redis, nodeType: "cache.t4g.small", replicas: 1, snapshotRetentionDays: 1 },
    memcached: { ...prod.memcached, nodeType: "cache.t4g.small", nodes: 2 },
    backup: { ...prod.backup, vaultLock: false, vaultLockMode: "governance" },
    loadBalancers: { ...prod.loadBalancers, accessLogRetentionDays: 30 },
    app: { ...prod.app, cpu: 256, memory: 512, minTasks: 2, maxTasks: 4, logRetentionDays: 30 },
    worker: { ...prod.worker, minTasks: 2, maxTasks: 4, logRetentionDays: 30 },
    // Two tasks at the floor: 50 % is one whole task.
    gameDays: { ...prod.gameDays, stopTaskPercent: 50, logRetentionDays: 30 },
};

export const DEFAULTS: Record<Environment, Defaults> = { prod, staging };
