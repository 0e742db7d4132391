import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { child, Transform } from "../transform";

export interface ClientOnlySecurityGroupArgs {
    /** VPC the group lives in. */
    vpcId: pulumi.Input<string>;
    /** The store's TCP port, the only one admitted. */
    port: number;
    /** Security groups whose members may connect; one ingress rule each. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** The group's EC2 description (changing it replaces the group). */
    description: string;
    /** Tags of the group and its rules. */
    tags: Record<string, string>;
    /** Transforms of the group and of every ingress rule. */
    transform?: {
        securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
        ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    };
}

/**
 * A security group for a data store that admits `port` only from the given client security groups.
 *
 * Each client is a separate `aws.vpc.SecurityGroupIngressRule` (not an inline `ingress` block) so that the
 * policy pack can judge every rule on its own and adding a client never rewrites the others. There is no
 * CIDR rule at all, and no egress rule: data stores answer on established connections only, and the
 * provider removes the allow-all egress rule AWS adds to new groups.
 * Child names: `${role}-sg`, `${role}-ingress-<n>`.
 */
export function clientOnlySecurityGroup(
    role: string,
    args: ClientOnlySecurityGroupArgs,
    opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
    const sg = child(
        aws.ec2.SecurityGroup,
        `${role}-sg`,
        {
            vpcId: args.vpcId,
            description: args.description,
            tags: { ...args.tags, Name: `${role}-sg` },
        },
        opts,
        args.transform?.securityGroup,
    );
    args.clientSecurityGroupIds.forEach((client, i) =>
        child(
            aws.vpc.SecurityGroupIngressRule,
            `${role}-ingress-${i + 1}`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: client,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description: `client ${i + 1} to port ${args.port}`,
                tags: { ...args.tags, Name: `${role}-ingress-${i + 1}` },
            },
            opts,
            args.transform?.ingressRule,
        ),
    );
    return sg;
}
