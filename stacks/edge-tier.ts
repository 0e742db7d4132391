/**
 * The edge tier: the paired load balancers (with WAF and DNS failover when a domain is configured) and the
 * security groups of the app and worker tasks, which exist here so the data tier can admit them.
 */
import { Network, ENVIRONMENT_TAG, PairedLoadBalancers, ServiceSecurityGroups } from "@boxoffice/components";
import type { PlatformConfig } from "./config/schema";
import type { EdgeTier } from "./tiers";

export const APP_PORT = 8080;
/**
 * The ticket service's admin API and its Prometheus endpoint: for operators and in-VPC scrapers, never for the
 * internet. Both ALBs answer them 404 and the WAF blocks them (encoded variants too); tasks serve them on the
 * app port inside the VPC to whatever security group `ServiceSecurityGroups` admits.
 */
export const PRIVATE_PATHS = ["/admin", "/metrics"];

export function createEdgeTier(name: string, config: PlatformConfig, network: Network): EdgeTier {
    const lb = config.loadBalancers;
    const prod = config.environment === "prod";
    const tags = { [ENVIRONMENT_TAG]: config.environment };
    // HTTPS in prod (a certificate, or a domain to issue one for) is enforced by the config schema, before
    // anything is registered; see crossFieldProblems in stacks/config/load.ts.
    const albs = new PairedLoadBalancers(name, {
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        publicSubnetIds: network.publicSubnetIds,
        domain: lb.domain ?? undefined,
        hostedZoneId: lb.hostedZoneId ?? undefined,
        certificateArn: lb.certificateArn ?? undefined,
        allowPlainHttp: !prod,
        // Staging is torn down and rebuilt; prod's ALB names are what DNS points at.
        deletionProtection: prod,
        accessLogRetentionDays: lb.accessLogRetentionDays,
        // Staging is torn down and rebuilt: its logs must not block `pulumi destroy`. Prod keeps them.
        accessLogForceDestroy: !prod,
        healthCheckIntervalSeconds: lb.healthCheckIntervalSeconds,
        healthCheckFailureThreshold: lb.healthCheckFailureThreshold,
        orderRateLimitPer5Min: lb.orderRateLimitPer5Min,
        queueJoinRateLimitPer5Min: lb.queueJoinRateLimitPer5Min,
        browseRateLimitPer5Min: lb.browseRateLimitPer5Min,
        appPort: APP_PORT,
        privatePaths: PRIVATE_PATHS,
        tags,
    });
    const groups = new ServiceSecurityGroups(name, {
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        loadBalancerSecurityGroupId: albs.securityGroupId,
        appPort: APP_PORT,
        tags,
    });
    return {
        appSecurityGroupId: groups.appSecurityGroupId,
        workerSecurityGroupId: groups.workerSecurityGroupId,
        targetGroupArns: albs.targetGroupArns,
        listenerDependencies: albs.listeners,
        loadBalancerArnSuffixes: albs.loadBalancerArnSuffixes,
        targetGroupArnSuffixes: albs.targetGroupArnSuffixes,
        loadBalancerDnsNames: albs.loadBalancerDnsNames,
        healthCheckIds: albs.healthCheckIds,
        publicUrl: albs.publicUrl,
    };
}
