import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TIER_TAG } from "../tiers";
import { child } from "../transform";
import { planSubnets } from "./cidr-plan";
import { NETWORK_CONTRACT, NetworkArgs } from "./network-args";

export type { NetworkArgs, NetworkTransform } from "./network-args";

/** The raw children, for what the arguments do not cover. */
export interface NetworkResources {
    vpc: aws.ec2.Vpc;
    internetGateway: aws.ec2.InternetGateway;
    publicSubnets: aws.ec2.Subnet[];
    privateSubnets: aws.ec2.Subnet[];
    isolatedSubnets: aws.ec2.Subnet[];
    natGateways: aws.ec2.NatGateway[];
    publicRouteTable: aws.ec2.RouteTable;
    /** One per AZ, each with its default route through that AZ's NAT gateway (or the single one). */
    privateRouteTables: aws.ec2.RouteTable[];
    isolatedRouteTable: aws.ec2.RouteTable;
    flowLogGroup: aws.cloudwatch.LogGroup;
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
    /** The VPC's id. */
    readonly vpcId: pulumi.Output<string>;
    /** The VPC's IPv4 range (`cidr`), known at plan time. */
    readonly vpcCidr: string;
    /** AZ names, in subnet order. */
    readonly availabilityZones: pulumi.Output<string>[];
    /** Public subnets (load balancers, NAT gateways), one per AZ in `availabilityZones` order. */
    readonly publicSubnetIds: pulumi.Output<string>[];
    /** Private subnets (tasks; egress through NAT), one per AZ in `availabilityZones` order. */
    readonly privateSubnetIds: pulumi.Output<string>[];
    /** Isolated subnets (data stores; no route to the internet), one per AZ in `availabilityZones` order. */
    readonly isolatedSubnetIds: pulumi.Output<string>[];
    /** Subnet ARNs, per AZ in the same order as the ids: what AWS FIS targets to cut one AZ off. */
    readonly privateSubnetArns: pulumi.Output<string>[];
    /** Isolated subnet ARNs, per AZ in the same order as the ids (AWS FIS targets). */
    readonly isolatedSubnetArns: pulumi.Output<string>[];
    /** NAT gateways: one per AZ, or one in total with `natGateways: "single"`. */
    readonly natGatewayIds: pulumi.Output<string>[];

    /** The raw children (VPC, subnets, NAT gateways, route tables, flow log group). */
    readonly resources: NetworkResources;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const {
            cidr,
            availabilityZones: azCount,
            natGateways: natMode,
            flowLogRetentionDays,
        } = NETWORK_CONTRACT.resolve(name, args);
        super("boxoffice:network:Network", name, {}, opts);
        const subnets = planSubnets(cidr, azCount);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const tags = (role: string, extra: Record<string, string> = {}) => ({
            ...args.tags,
            [TIER_TAG]: "network",
            Name: `${name}-${role}`,
            ...extra,
        });

        const vpc = child(
            aws.ec2.Vpc,
            `${name}-vpc`,
            { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
            parent,
            t.vpc,
        );
        // An empty default security group: resources must opt in to a group of ours, never fall into an open one.
        child(
            aws.ec2.DefaultSecurityGroup,
            `${name}-default-sg`,
            { vpcId: vpc.id, tags: tags("default-sg") },
            parent,
            t.defaultSecurityGroup,
        );

        const zones = aws
            .getAvailabilityZonesOutput(
                { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                parent,
            )
            .names.apply((names) => {
                if (names.length < azCount)
                    throw new Error(
                        `Network "${name}": availabilityZones = ${azCount}: the region has only ${names.length} (${names.join(", ")})`,
                    );
                return names;
            });
        this.availabilityZones = subnets.public.map((_c, i) => zones.apply((n) => n[i]));

        const igw = child(
            aws.ec2.InternetGateway,
            `${name}-igw`,
            { vpcId: vpc.id, tags: tags("igw") },
            parent,
            t.internetGateway,
        );
        const publicRoutes = child(
            aws.ec2.RouteTable,
            `${name}-public-rt`,
            {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
                tags: tags("public-rt"),
            },
            parent,
            t.routeTable,
        );
        const isolatedRoutes = child(
            aws.ec2.RouteTable,
            `${name}-isolated-rt`,
            { vpcId: vpc.id, tags: tags("isolated-rt") },
            parent,
            t.routeTable,
        );

        const subnet = (tier: "public" | "private" | "isolated", i: number) =>
            child(
                aws.ec2.Subnet,
                `${name}-${tier}-${i + 1}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: subnets[tier][i],
                    availabilityZone: this.availabilityZones[i],
                    // ALBs and NAT gateways get their addresses explicitly; nothing should get a public IP by default.
                    mapPublicIpOnLaunch: false,
                    tags: tags(`${tier}-${i + 1}`, { "boxoffice:subnet-tier": tier }),
                },
                parent,
                t.subnet,
            );
        const publics = subnets.public.map((_c, i) => subnet("public", i));
        const privates = subnets.private.map((_c, i) => subnet("private", i));
        const isolated = subnets.isolated.map((_c, i) => subnet("isolated", i));

        const natCount = natMode === "one-per-az" ? azCount : 1;
        const nats = Array.from({ length: natCount }, (_v, i) => {
            const eip = child(
                aws.ec2.Eip,
                `${name}-nat-eip-${i + 1}`,
                { domain: "vpc", tags: tags(`nat-eip-${i + 1}`) },
                parent,
                t.natEip,
            );
            return child(
                aws.ec2.NatGateway,
                `${name}-nat-${i + 1}`,
                {
                    allocationId: eip.id,
                    subnetId: publics[i].id,
                    connectivityType: "public",
                    tags: tags(`nat-${i + 1}`),
                },
                { parent: this, dependsOn: [igw] },
                t.natGateway,
            );
        });
        const privateRoutes = privates.map((_s, i) =>
            child(
                aws.ec2.RouteTable,
                `${name}-private-rt-${i + 1}`,
                {
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[natMode === "one-per-az" ? i : 0].id }],
                    tags: tags(`private-rt-${i + 1}`),
                },
                parent,
                t.routeTable,
            ),
        );

        const associate = (tier: string, s: aws.ec2.Subnet, i: number, table: aws.ec2.RouteTable) =>
            child(
                aws.ec2.RouteTableAssociation,
                `${name}-${tier}-rta-${i + 1}`,
                { subnetId: s.id, routeTableId: table.id },
                parent,
                t.routeTableAssociation,
            );
        publics.forEach((s, i) => associate("public", s, i, publicRoutes));
        privates.forEach((s, i) => associate("private", s, i, privateRoutes[i]));
        isolated.forEach((s, i) => associate("isolated", s, i, isolatedRoutes));

        child(
            aws.ec2.VpcEndpoint,
            `${name}-s3-endpoint`,
            {
                vpcId: vpc.id,
                serviceName: aws.getRegionOutput({}, parent).region.apply((r) => `com.amazonaws.${r}.s3`),
                vpcEndpointType: "Gateway",
                routeTableIds: privateRoutes.map((r) => r.id),
                tags: tags("s3-endpoint"),
            },
            parent,
            t.s3Endpoint,
        );

        const flowLogGroup = this.createFlowLogs(name, vpc, flowLogRetentionDays, tags, args.transform);

        this.vpcId = vpc.id;
        this.vpcCidr = cidr;
        this.publicSubnetIds = publics.map((s) => s.id);
        this.privateSubnetIds = privates.map((s) => s.id);
        this.isolatedSubnetIds = isolated.map((s) => s.id);
        this.privateSubnetArns = privates.map((s) => s.arn);
        this.isolatedSubnetArns = isolated.map((s) => s.arn);
        this.natGatewayIds = nats.map((n) => n.id);
        this.resources = {
            vpc,
            internetGateway: igw,
            publicSubnets: publics,
            privateSubnets: privates,
            isolatedSubnets: isolated,
            natGateways: nats,
            publicRouteTable: publicRoutes,
            privateRouteTables: privateRoutes,
            isolatedRouteTable: isolatedRoutes,
            flowLogGroup,
        };
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            natGatewayIds: this.natGatewayIds,
        });
    }

    private createFlowLogs(
        name: string,
        vpc: aws.ec2.Vpc,
        retentionDays: number,
        tags: (role: string) => Record<string, string>,
        t: NetworkArgs["transform"] = {},
    ): aws.cloudwatch.LogGroup {
        const parent = { parent: this };
        const logGroup = child(
            aws.cloudwatch.LogGroup,
            `${name}-flow-logs`,
            { retentionInDays: retentionDays, tags: tags("flow-logs") },
            parent,
            t.flowLogGroup,
        );
        const role = child(
            aws.iam.Role,
            `${name}-flow-logs-role`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ],
                }),
                tags: tags("flow-logs-role"),
            },
            parent,
            t.flowLogRole,
        );
        child(
            aws.iam.RolePolicy,
            `${name}-flow-logs-policy`,
            {
                role: role.id,
                policy: logGroup.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ],
                    }),
                ),
            },
            parent,
            t.flowLogPolicy,
        );
        child(
            aws.ec2.FlowLog,
            `${name}-flow-log`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: tags("flow-log"),
            },
            parent,
            t.flowLog,
        );
        return logGroup;
    }
}
