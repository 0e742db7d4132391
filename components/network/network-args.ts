/** The `Network` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import { defineContract, field } from "../contract";
import { logRetentionDays } from "../log-retention";
import type { Transform } from "../transform";
import { MAX_AZS, vpcCidrProblem } from "./cidr-plan";

export const NETWORK_CONTRACT = defineContract({
    component: "Network",
    fields: {
        cidr: field.checked(vpcCidrProblem, "IPv4 CIDR"),
        availabilityZones: field.int(
            2,
            MAX_AZS,
            `at least 2 for failover; ${MAX_AZS} is the most subnets per tier this layout plans`,
        ),
        natGateways: field.oneOf(["one-per-az", "single"]),
        flowLogRetentionDays: logRetentionDays(),
    },
    defaults: { availabilityZones: 3, natGateways: "one-per-az", flowLogRetentionDays: 365 },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface NetworkTransform {
    vpc?: Transform<aws.ec2.VpcArgs>;
    defaultSecurityGroup?: Transform<aws.ec2.DefaultSecurityGroupArgs>;
    internetGateway?: Transform<aws.ec2.InternetGatewayArgs>;
    /** The public, isolated and every private route table. */
    routeTable?: Transform<aws.ec2.RouteTableArgs>;
    routeTableAssociation?: Transform<aws.ec2.RouteTableAssociationArgs>;
    /** Every subnet of every tier (`<name>-public-1`, `<name>-isolated-2`, …). */
    subnet?: Transform<aws.ec2.SubnetArgs>;
    natEip?: Transform<aws.ec2.EipArgs>;
    natGateway?: Transform<aws.ec2.NatGatewayArgs>;
    s3Endpoint?: Transform<aws.ec2.VpcEndpointArgs>;
    flowLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    flowLogRole?: Transform<aws.iam.RoleArgs>;
    flowLogPolicy?: Transform<aws.iam.RolePolicyArgs>;
    flowLog?: Transform<aws.ec2.FlowLogArgs>;
}

export interface NetworkArgs {
    /**
     * IPv4 CIDR of the VPC, /16../22, inside an RFC 1918 range.
     * @example "10.40.0.0/16"
     */
    cidr: string;
    /**
     * How many AZs to span, 2..6; fixes how many subnets and NAT gateways exist, so it is a plain number.
     * @default 3
     */
    availabilityZones?: number;
    /**
     * `one-per-az` keeps each AZ's egress independent, so losing an AZ never cuts the others off the internet;
     * `single` saves the per-gateway hourly charge and is meant for staging only.
     * @default "one-per-az"
     */
    natGateways?: "one-per-az" | "single";
    /**
     * Days VPC flow logs are kept in CloudWatch Logs (a value CloudWatch Logs accepts).
     * @default 365
     */
    flowLogRetentionDays?: number;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: NetworkTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
