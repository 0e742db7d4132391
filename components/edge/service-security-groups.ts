import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";

export interface ServiceSecurityGroupsArgs {
    vpcId: pulumi.Input<string>;
    /** CIDR of the VPC; data-tier egress stays inside it. */
    vpcCidr: string;
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
    readonly appSecurityGroupId: pulumi.Output<string>;
    readonly workerSecurityGroupId: pulumi.Output<string>;

    constructor(name: string, args: ServiceSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        const appPort = args.appPort ?? 8080;
        const dataPorts = args.dataPorts ?? [5432, 6379, 11211];
        const check = argChecker("ServiceSecurityGroups", name);
        check.intRange("appPort", appPort, 1, 65535, "TCP port");
        for (const p of dataPorts) check.intRange("dataPorts", p, 1, 65535, "TCP port");
        super("boxoffice:edge:ServiceSecurityGroups", name, {}, opts);
        const parent = { parent: this };
        const group = (role: "app" | "worker", description: string) => {
            const tags = (r: string) => ({ ...args.tags, [TIER_TAG]: role, Name: `${name}-${r}` });
            const sg = new aws.ec2.SecurityGroup(`${name}-${role}-sg`, { vpcId: args.vpcId, description, tags: tags(`${role}-sg`) }, parent);
            new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-out-https`, {
                securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0",
                description: "AWS APIs (ECR, Secrets Manager, CloudWatch, SES) via NAT", tags: tags(`${role}-out-https`),
            }, parent);
            for (const p of dataPorts) {
                new aws.vpc.SecurityGroupEgressRule(`${name}-${role}-out-${p}`, {
                    securityGroupId: sg.id, ipProtocol: "tcp", fromPort: p, toPort: p, cidrIpv4: args.vpcCidr,
                    description: `Data tier port ${p}`, tags: tags(`${role}-out-${p}`),
                }, parent);
            }
            return { sg, tags };
        };
        const app = group("app", "App tasks: app port from the load balancers only");
        new aws.vpc.SecurityGroupIngressRule(`${name}-app-in-alb`, {
            securityGroupId: app.sg.id, ipProtocol: "tcp", fromPort: appPort, toPort: appPort,
            referencedSecurityGroupId: args.loadBalancerSecurityGroupId, description: "From the load balancers", tags: app.tags("app-in-alb"),
        }, parent);
        (args.scraperSecurityGroupIds ?? []).forEach((sg, i) => new aws.vpc.SecurityGroupIngressRule(`${name}-app-in-scraper-${i + 1}`, {
            securityGroupId: app.sg.id, ipProtocol: "tcp", fromPort: appPort, toPort: appPort,
            referencedSecurityGroupId: sg, description: "From an in-VPC metrics scraper", tags: app.tags(`app-in-scraper-${i + 1}`),
        }, parent));
        const worker = group("worker", "Worker tasks: no ingress");
        this.appSecurityGroupId = app.sg.id;
        this.workerSecurityGroupId = worker.sg.id;
        this.registerOutputs({ appSecurityGroupId: this.appSecurityGroupId, workerSecurityGroupId: this.workerSecurityGroupId });
    }
}
