/**
 * Game days: AWS FIS experiment templates for the failover catalogue, aimed at this stack's own writer, cache,
 * app service and per-AZ subnets, stopping on the alarms that mean users are hurting. `pulumi up` only creates
 * them; docs/game-day.md says how to run each and what "passed" means.
 */
import { ENVIRONMENT_TAG, GameDays } from "@boxoffice/components";
import type { Network } from "@boxoffice/components";
import type { PlatformConfig } from "./config/schema";
import type { ComputeTier, DataTier } from "./tiers";

export function createGameDays(
    name: string,
    config: PlatformConfig,
    network: Network,
    data: DataTier,
    compute: ComputeTier,
): GameDays | undefined {
    const gd = config.gameDays;
    if (!gd.enabled) return undefined;
    return new GameDays(`${name}-game-days`, {
        stopConditionAlarmArns: compute.userImpactAlarmArns,
        // A forced failover needs a standby; a single-AZ writer only reboots, which is an outage, not a drill.
        database: config.database.multiAz ? { writerArn: data.database.writerArn } : undefined,
        cache: { tag: data.redis.groupTag, availabilityZones: data.redis.nodeAvailabilityZones },
        // Stopping the only task is an outage, not a drill.
        app:
            config.app.minTasks >= 2
                ? { clusterName: compute.clusterName, taskTag: compute.appTaskTag, stopTaskPercent: gd.stopTaskPercent }
                : undefined,
        // The app's and the data stores' subnets of one AZ; the public subnets stay up, as the ALBs span every AZ.
        zones: network.availabilityZones.map((availabilityZone, i) => ({
            availabilityZone,
            subnetArns: [network.privateSubnetArns[i], network.isolatedSubnetArns[i]],
        })),
        cacheInterruptMinutes: gd.cacheInterruptMinutes,
        zoneDisruptionMinutes: gd.zoneDisruptionMinutes,
        logRetentionDays: gd.logRetentionDays,
        tags: { [ENVIRONMENT_TAG]: config.environment },
    });
}
