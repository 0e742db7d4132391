/**
 * Per-environment defaults. Prod is highly available everywhere; staging is smaller and may share one NAT
 * gateway, but keeps Multi-AZ, replicas and two tasks per service so failover can be rehearsed there.
 * A stack file only needs to say what differs; cost opt-outs should still be written out in it for review.
 */
import type { Environment, PlatformConfig } from "./schema";

type Defaults = Omit<PlatformConfig, "environment">;

const prod: Defaults = {
    network: { cidr: "10.40.0.0/16", availabilityZones: 3, natGateways: "one-per-az", flowLogRetentionDays: 365 },
    database: {
        engineVersion: "16", instanceClass: "db.r6g.large", allocatedStorageGb: 100, maxAllocatedStorageGb: 500,
        multiAz: true, readReplicas: 1, backupRetentionDays: 7, backupWindow: "02:00-03:00",
        maintenanceWindow: "sun:04:00-sun:05:00", proxy: false, deletionProtection: true, iamAuthentication: false,
        performanceInsightsRetentionDays: 7, monitoringIntervalSeconds: 60,
    },
    redis: { nodeType: "cache.r7g.large", engineVersion: "7.1", replicas: 2, snapshotRetentionDays: 7, snapshotWindow: "03:00-04:00" },
    memcached: { nodeType: "cache.r7g.large", engineVersion: "1.6.22", nodes: 3 },
    backup: {
        dailyRetentionDays: 3, weeklyRetentionDays: 21, monthlyRetentionDays: 180, monthlyColdStorageAfterDays: null,
        copyToRegion: "eu-central-1", vaultLock: true, vaultLockMode: "compliance", restoreTesting: true,
    },
    loadBalancers: {
        domain: null, hostedZoneId: null, certificateArn: null, orderRateLimitPer5Min: 300, browseRateLimitPer5Min: 3000,
        healthCheckIntervalSeconds: 10, healthCheckFailureThreshold: 3, accessLogRetentionDays: 90,
    },
    app: {
        cpu: 512, memory: 1024, minTasks: 3, maxTasks: 30, targetCpuPercent: 60, targetRequestsPerTask: 800,
        healthCheckGracePeriodSeconds: 60, logRetentionDays: 90,
    },
    worker: { cpu: 256, memory: 512, minTasks: 2, maxTasks: 10, targetCpuPercent: 60, targetBacklogPerTask: 100, logRetentionDays: 90 },
    scaling: { schedules: [], onSale: null },
    // Admissions hold while the platform's own alarms fire; a newcomer's expected wait over 30 min alarms.
    waitingRoom: { tokenTtlSeconds: 600, collectSeconds: 120, pauseErrorPercent: 10, pauseOnAlarms: true, queueWaitAlarmSeconds: 1800 },
    alerts: { email: null },
    // Templates are inert until someone starts one, and free until then; prod keeps them so the drill rehearsed
    // in staging can be run against the real thing. `enabled: false` opts an account out of fault injection.
    gameDays: { enabled: true, stopTaskPercent: 34, cacheInterruptMinutes: 10, zoneDisruptionMinutes: 5, logRetentionDays: 90 },
};

const staging: Defaults = {
    ...prod,
    network: { cidr: "10.50.0.0/16", availabilityZones: 2, natGateways: "single", flowLogRetentionDays: 30 },
    database: { ...prod.database, instanceClass: "db.t4g.medium", allocatedStorageGb: 20, maxAllocatedStorageGb: 100, deletionProtection: false },
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
