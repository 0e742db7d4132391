import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { argChecker } from "../arg-check";
import { defineContract, field } from "../contract";
import { NetworkIds, requireVpc } from "../network/network-ids";
import { TIER_TAG } from "../tiers";
import { child, Transform } from "../transform";

export const SERVICE_SECURITY_GROUPS_CONTRACT = defineContract({
    component: "ServiceSecurityGroups",
    fields: {
        appPort: field.int(1, 65535, "TCP port"),
        dataPorts: z.array(field.int(1, 65535, "TCP port"), { error: "must be a list of TCP ports" }),
    },
    // PostgreSQL, Redis and Memcached: the data stores of this platform's data tier.
    defaults: { appPort: 8080, dataPorts: [5432, 6379, 11211] },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface ServiceSecurityGroupsTransform {
    /** Both groups, `<name>-app-sg` and `<name>-worker-sg`. */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** Every egress rule (HTTPS and the data ports). */
    egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
    /** The app's ingress rules (load balancers, scrapers). */
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
}

export interface ServiceSecurityGroupsArgs {
    /** The network (ours or an existing VPC's ids, with `vpcCidr`); or `vpcId` + `vpcCidr`. @default undefined */
    network?: NetworkIds;
    /** VPC of the groups (when `network` is not given). @default undefined */
    vpcId?: pulumi.Input<string>;
    /** CIDR of the VPC; data-tier egress stays inside it (when `network` is not given). @default undefined */
    vpcCidr?: string;
    /** The load balancers' group: besides optional scrapers, the only source the app admits. */
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    /** App container port. @default 8080 */
    appPort?: number;
    /**
     * Security groups inside the VPC that may reach the app tasks directly on the app port, e.g. a Prometheus or
     * ADOT scraper for `/metrics` (the load balancers refuse that path from the internet). @default []
     */
    scraperSecurityGroupIds?: pulumi.Input<string>[];
    /** Ports of the data tier the tasks connect to. @default [5432, 6379, 11211] */
    dataPorts?: number[];
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: ServiceSecurityGroupsTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}

/**
 * Security groups of the app and worker tasks. They exist before the data tier so the database and caches
 * can admit exactly these groups. The app admits its port from the load balancers and optional in-VPC scrapers
 * only; the worker admits
 * nothing (it only pulls work). Both may reach HTTPS anywhere (ECR, Secrets Manager, CloudWatch, SES — through
 * the NAT gateways) and the data ports inside the VPC; the data tier's own groups decide who really gets in.
 *
 * Cost: none (security groups are free).
 */
export class ServiceSecurityGroups extends pulumi.ComponentResource {
    /** The app tasks' security group: admits the load balancers (and any scrapers) on the app port. */
    readonly appSecurityGroupId: pulumi.Output<string>;
    /** The worker tasks' security group: no ingress; egress to HTTPS and the data ports inside the VPC. */
    readonly workerSecurityGroupId: pulumi.Output<string>;
    /** The raw groups. */
    readonly resources: { appSecurityGroup: aws.ec2.SecurityGroup; workerSecurityGroup: aws.ec2.SecurityGroup };

    constructor(name: string, args: ServiceSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        const check = argChecker("ServiceSecurityGroups", name);
        const { vpcId, vpcCidr } = requireVpc(check, args, "data-tier egress stays inside the VPC");
        const { appPort, dataPorts } = SERVICE_SECURITY_GROUPS_CONTRACT.resolve(name, args);
        super("boxoffice:edge:ServiceSecurityGroups", name, {}, opts);
        const parent = { parent: this };
        const t = args.transform ?? {};
        const group = (role: "app" | "worker", description: string) => {
            const tags = (r: string) => ({ ...args.tags, [TIER_TAG]: role, Name: `${name}-${r}` });
            const sg = child(
                aws.ec2.SecurityGroup,
                `${name}-${role}-sg`,
                { vpcId, description, tags: tags(`${role}-sg`) },
                parent,
                t.securityGroup,
            );
            child(
                aws.vpc.SecurityGroupEgressRule,
                `${name}-${role}-out-https`,
                {
                    securityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "0.0.0.0/0",
                    description: "AWS APIs (ECR, Secrets Manager, CloudWatch, SES) via NAT",
                    tags: tags(`${role}-out-https`),
                },
                parent,
                t.egressRule,
            );
            for (const p of dataPorts) {
                child(
                    aws.vpc.SecurityGroupEgressRule,
                    `${name}-${role}-out-${p}`,
                    {
                        securityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: p,
                        toPort: p,
                        cidrIpv4: vpcCidr,
                        description: `Data tier port ${p}`,
                        tags: tags(`${role}-out-${p}`),
                    },
                    parent,
                    t.egressRule,
                );
            }
            return { sg, tags };
        };
        const app = group("app", "App tasks: app port from the load balancers only");
        child(
            aws.vpc.SecurityGroupIngressRule,
            `${name}-app-in-alb`,
            {
                securityGroupId: app.sg.id,
                ipProtocol: "tcp",
                fromPort: appPort,
                toPort: appPort,
                referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
                description: "From the load balancers",
                tags: app.tags("app-in-alb"),
            },
            parent,
            t.ingressRule,
        );
        (args.scraperSecurityGroupIds ?? []).forEach((sg, i) =>
            child(
                aws.vpc.SecurityGroupIngressRule,
                `${name}-app-in-scraper-${i + 1}`,
                {
                    securityGroupId: app.sg.id,
                    ipProtocol: "tcp",
                    fromPort: appPort,
                    toPort: appPort,
                    referencedSecurityGroupId: sg,
                    description: "From an in-VPC metrics scraper",
                    tags: app.tags(`app-in-scraper-${i + 1}`),
                },
                parent,
                t.ingressRule,
            ),
        );
        const worker = group("worker", "Worker tasks: no ingress");
        this.appSecurityGroupId = app.sg.id;
        this.workerSecurityGroupId = worker.sg.id;
        this.resources = { appSecurityGroup: app.sg, workerSecurityGroup: worker.sg };
        this.registerOutputs({
            appSecurityGroupId: this.appSecurityGroupId,
            workerSecurityGroupId: this.workerSecurityGroupId,
        });
    }
}
