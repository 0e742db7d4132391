/**
 * The boxoffice platform: validated config first, then the tiers composed from our components.
 * Composition only; every resource lives in a component.
 */
import { Network } from "../components";
import { loadConfig } from "./config/load";

export function program(): Record<string, unknown> {
    // Parse everything before registering anything: bad config must never leave a half-built stack.
    const { config } = loadConfig();
    const stackName = `boxoffice-${config.environment}`;
    const network = new Network(stackName, config.network);
    return {
        vpcId: network.vpcId,
    };
}
