/**
 * The boxoffice platform: validated config first, then the tiers composed in dependency order —
 * network → edge (load balancers, service security groups) → data (admits those groups) → compute → game days.
 * Composition only; every resource lives in a component.
 */
import { Network } from "@boxoffice/components";
import { createComputeTier } from "./compute-tier";
import { loadConfig } from "./config/load";
import { createDataTier } from "./data-tier";
import { createEdgeTier } from "./edge-tier";
import { createGameDays } from "./game-days";

export function program(): Record<string, unknown> {
    // Parse everything before registering anything: bad config must never leave a half-built stack.
    const { config } = loadConfig();
    const name = `boxoffice-${config.environment}`;
    const network = new Network(name, { ...config.network, tags: { "boxoffice:environment": config.environment } });
    const edge = createEdgeTier(name, config, network);
    const data = createDataTier(name, config, network, [edge.appSecurityGroupId, edge.workerSecurityGroupId]);
    const compute = createComputeTier(name, config, network, edge, data);
    const gameDays = createGameDays(name, config, network, data, compute);
    return {
        publicUrl: edge.publicUrl,
        primaryAlbDnsName: edge.loadBalancerDnsNames[0],
        secondaryAlbDnsName: edge.loadBalancerDnsNames[1],
        dashboardUrl: compute.dashboardUrl,
        vpcId: network.vpcId,
        databaseWriterAddress: data.database.writerAddress,
        databaseReaderAddresses: data.database.readerAddresses,
        ...(gameDays ? { gameDayTemplateIds: gameDays.templateIds, gameDayZones: network.availabilityZones } : {}),
    };
}
