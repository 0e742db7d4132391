import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";
import { MAX_AZS, RFC1918_RANGES, isPrivateCidr, planSubnets } from "./cidr-plan";

export interface NetworkArgs {
    /** IPv4 CIDR of the VPC, /16../22. @example "10.40.0.0/16" */
    cidr: string;
    /** How many AZs to span; fixes how many subnets and NAT gateways exist, so it is a plain number. @default 3 */
    availabilityZones?: number;
    /**
     * `one-per-az` keeps each AZ's egress independent, so losing an AZ never cuts the others off the internet;
     * `single` saves the per-gateway hourly charge and is meant for staging only.
     * @default "one-per-az"
     */
    natGateways?: "one-per-az" | "single";
    /** Days VPC flow logs are kept in CloudWatch Logs. @default 365 */
    flowLogRetentionDays?: number;
    /** Tags for every child. */
    tags?: Record<string, string>;
}

/**
 * A VPC over N availability zones with three subnet tiers: public (load balancers, NAT), private
 * (services; egress through NAT) and isolated (databases and caches; no route to the internet at all).
 * Flow logs record all traffic; the default security group is emptied so nothing can use it by accident.
 *
 * HA: one NAT gateway and one private route table per AZ by default, so an AZ outage takes down only that
 * AZ's egress. Cost: each NAT gateway is billed hourly plus per GB; the S3 gateway endpoint is free and keeps
 * image-layer pulls from ECR off the NAT gateways.
 *
 * @example new Network("prod", { cidr: "10.40.0.0/16", availabilityZones: 3 })
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    /** AZ names, in subnet order. */
    readonly availabilityZones: pulumi.Output<string>[];
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly isolatedSubnetIds: pulumi.Output<string>[];
    readonly natGatewayIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const azCount = args.availabilityZones ?? 3;
        const natMode = args.natGateways ?? "one-per-az";
        const check = argChecker("Network", name);
        check.intRange("availabilityZones", azCount, 2, MAX_AZS, "failover needs a second AZ");
        check.that(natMode === "one-per-az" || natMode === "single", "natGateways", natMode, "must be one-per-az or single");
        let plan: ReturnType<typeof planSubnets> | undefined;
        try {
            plan = planSubnets(args.cidr, azCount);
        } catch {
            check.fail("cidr", args.cidr, "must be an IPv4 CIDR /16../22 with no host bits set");
        }
        check.that(isPrivateCidr(args.cidr), "cidr", args.cidr, `must lie inside an RFC 1918 private range (${RFC1918_RANGES.join(", ")})`);
        super("boxoffice:network:Network", name, {}, opts);
        const subnets = plan!;
        const parent = { parent: this };
        const tags = (role: string, extra: Record<string, string> = {}) => ({ ...args.tags, [TIER_TAG]: "network", Name: `${name}-${role}`, ...extra });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") }, parent);
        // An empty default security group: resources must opt in to a group of ours, never fall into an open one.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tags("default-sg") }, parent);

        const zones = aws.getAvailabilityZonesOutput(
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            parent,
        ).names.apply((names) => {
            if (names.length < azCount) throw new Error(`Network "${name}": availabilityZones = ${azCount}: the region has only ${names.length} (${names.join(", ")})`);
            return names;
        });
        this.availabilityZones = subnets.public.map((_c, i) => zones.apply((n) => n[i]));

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("igw") }, parent);
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags("public-rt"),
        }, parent);
        const isolatedRoutes = new aws.ec2.RouteTable(`${name}-isolated-rt`, { vpcId: vpc.id, tags: tags("isolated-rt") }, parent);

        const subnet = (tier: "public" | "private" | "isolated", i: number) => new aws.ec2.Subnet(`${name}-${tier}-${i + 1}`, {
            vpcId: vpc.id,
            cidrBlock: subnets[tier][i],
            availabilityZone: this.availabilityZones[i],
            // ALBs and NAT gateways get their addresses explicitly; nothing should get a public IP by default.
            mapPublicIpOnLaunch: false,
            tags: tags(`${tier}-${i + 1}`, { "boxoffice:subnet-tier": tier }),
        }, parent);
        const publics = subnets.public.map((_c, i) => subnet("public", i));
        const privates = subnets.private.map((_c, i) => subnet("private", i));
        const isolated = subnets.isolated.map((_c, i) => subnet("isolated", i));

        const natCount = natMode === "one-per-az" ? azCount : 1;
        const nats = Array.from({ length: natCount }, (_v, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${i + 1}`, { domain: "vpc", tags: tags(`nat-eip-${i + 1}`) }, parent);
            return new aws.ec2.NatGateway(`${name}-nat-${i + 1}`, {
                allocationId: eip.id, subnetId: publics[i].id, connectivityType: "public", tags: tags(`nat-${i + 1}`),
            }, { parent: this, dependsOn: [igw] });
        });
        const privateRoutes = privates.map((_s, i) => new aws.ec2.RouteTable(`${name}-private-rt-${i + 1}`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[natMode === "one-per-az" ? i : 0].id }],
            tags: tags(`private-rt-${i + 1}`),
        }, parent));

        publics.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i + 1}`, { subnetId: s.id, routeTableId: publicRoutes.id }, parent));
        privates.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i + 1}`, { subnetId: s.id, routeTableId: privateRoutes[i].id }, parent));
        isolated.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-isolated-rta-${i + 1}`, { subnetId: s.id, routeTableId: isolatedRoutes.id }, parent));

        new aws.ec2.VpcEndpoint(`${name}-s3-endpoint`, {
            vpcId: vpc.id,
            serviceName: aws.getRegionOutput({}, parent).region.apply((r) => `com.amazonaws.${r}.s3`),
            vpcEndpointType: "Gateway",
            routeTableIds: privateRoutes.map((r) => r.id),
            tags: tags("s3-endpoint"),
        }, parent);

        this.createFlowLogs(name, vpc, args.flowLogRetentionDays ?? 365, tags);

        this.vpcId = vpc.id;
        this.vpcCidr = args.cidr;
        this.publicSubnetIds = publics.map((s) => s.id);
        this.privateSubnetIds = privates.map((s) => s.id);
        this.isolatedSubnetIds = isolated.map((s) => s.id);
        this.natGatewayIds = nats.map((n) => n.id);
        this.registerOutputs({
            vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds, natGatewayIds: this.natGatewayIds,
        });
    }

    private createFlowLogs(name: string, vpc: aws.ec2.Vpc, retentionDays: number, tags: (role: string) => Record<string, string>): void {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays: retentionDays, tags: tags("flow-logs") }, parent);
        const role = new aws.iam.Role(`${name}-flow-logs-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: tags("flow-logs-role"),
        }, parent);
        new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                }],
            })),
        }, parent);
        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn,
            iamRoleArn: role.arn, maxAggregationInterval: 60, tags: tags("flow-log"),
        }, parent);
    }
}
