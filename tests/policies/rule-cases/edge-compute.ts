/** Violating mutations of the baseline: load balancers, ECS, the aws:alb/* module and classic ELBs, the paired entry point, EC2 and Auto Scaling. */
import { TYPES, baseline, mutated, without } from "../fixture";
import { Case } from "./common";

export const EDGE_COMPUTE_CASES: Case[] = [
    // Load balancers
    [
        "alb-listener-tls",
        "old TLS policy",
        () =>
            mutated("https", (p) => {
                p.sslPolicy = "ELBSecurityPolicy-2016-08";
            }),
        /not one of/,
    ],
    [
        "alb-listener-tls",
        "no TLS policy",
        () =>
            mutated("https", (p) => {
                delete p.sslPolicy;
            }),
        /not set/,
    ],
    [
        "alb-listener-tls",
        "no certificate",
        () =>
            mutated("https", (p) => {
                delete p.certificateArn;
            }),
        /certificateArn/,
    ],
    [
        "alb-http-redirects-only",
        "HTTP forwards",
        () =>
            mutated("http", (p) => {
                p.defaultActions = [{ type: "forward", targetGroupArn: "tg" }];
            }),
        /forward/,
    ],
    [
        "alb-http-redirects-only",
        "redirect to HTTP",
        () =>
            mutated("http", (p) => {
                p.defaultActions[0].redirect.protocol = "HTTP";
            }),
    ],
    [
        "alb-http-redirects-only",
        "no default action",
        () =>
            mutated("http", (p) => {
                p.defaultActions = [];
            }),
        /no default action/,
    ],
    [
        "alb-drop-invalid-headers",
        "invalid headers passed",
        () =>
            mutated("alb", (p) => {
                p.dropInvalidHeaderFields = false;
            }),
    ],
    [
        "alb-access-logs",
        "access logs off",
        () =>
            mutated("alb", (p) => {
                p.accessLogs.enabled = false;
            }),
    ],
    [
        "alb-deletion-protection",
        "deletion protection off",
        () =>
            mutated("alb", (p) => {
                delete p.enableDeletionProtection;
            }),
    ],
    ["alb-waf-associated", "no WAF association", () => without("waf"), /no aws.wafv2.WebAclAssociation/],
    // ECS
    [
        "ecs-service-min-tasks",
        "one task",
        () =>
            mutated("app", (p) => {
                p.desiredCount = 1;
            }),
        /is 1; at least 2/,
    ],
    [
        "ecs-circuit-breaker-rollback",
        "no circuit breaker",
        () =>
            mutated("app", (p) => {
                delete p.deploymentCircuitBreaker;
            }),
        /enable/,
    ],
    [
        "ecs-circuit-breaker-rollback",
        "no rollback",
        () =>
            mutated("worker", (p) => {
                p.deploymentCircuitBreaker.rollback = false;
            }),
        /rollback/,
    ],
    [
        "ecs-minimum-healthy-percent",
        "50 % healthy",
        () =>
            mutated("app", (p) => {
                p.deploymentMinimumHealthyPercent = 50;
            }),
    ],
    [
        "ecs-no-public-ip",
        "public IP",
        () =>
            mutated("app", (p) => {
                p.networkConfiguration.assignPublicIp = true;
            }),
    ],
    [
        "ecs-non-root-user",
        "user unset",
        () =>
            mutated("app-td", (p) => {
                const c = JSON.parse(p.containerDefinitions);
                delete c[0].user;
                p.containerDefinitions = JSON.stringify(c);
            }),
        /unset/,
    ],
    [
        "ecs-non-root-user",
        "user 0:0",
        () =>
            mutated("app-td", (p) => {
                const c = JSON.parse(p.containerDefinitions);
                c[0].user = "0:0";
                p.containerDefinitions = JSON.stringify(c);
            }),
        /"0:0"/,
    ],
    [
        "ecs-non-root-user",
        "unparseable definitions",
        () =>
            mutated("app-td", (p) => {
                p.containerDefinitions = "[{";
            }),
        /not valid JSON/,
    ],
    [
        "ecs-read-only-root-filesystem",
        "writable root",
        () =>
            mutated("worker-td", (p) => {
                const c = JSON.parse(p.containerDefinitions);
                c[0].readonlyRootFilesystem = false;
                p.containerDefinitions = JSON.stringify(c);
            }),
    ],
    [
        "ecs-container-logging",
        "no log driver",
        () =>
            mutated("app-td", (p) => {
                const c = JSON.parse(p.containerDefinitions);
                delete c[0].logConfiguration;
                p.containerDefinitions = JSON.stringify(c);
            }),
    ],
    [
        "ecs-container-insights",
        "insights off",
        () =>
            mutated("cluster", (p) => {
                p.settings = [{ name: "containerInsights", value: "disabled" }];
            }),
    ],
    [
        "ecs-autoscaling-min-capacity",
        "min capacity 1",
        () =>
            mutated("app-scaling", (p) => {
                p.minCapacity = 1;
            }),
        /minCapacity/,
    ],
    [
        "ecs-autoscaling-min-capacity",
        "max capacity 1",
        () =>
            mutated("app-scaling", (p) => {
                p.minCapacity = 2;
                p.maxCapacity = 1;
            }),
        /maxCapacity/,
    ],
    [
        "ecs-scheduled-scaling-floor",
        "night schedule drops to one task",
        () =>
            mutated("after-sale", (p) => {
                p.scalableTargetAction.minCapacity = 1;
            }),
        /minCapacity` to 1/,
    ],
    [
        "ecs-scheduled-scaling-floor",
        "schedule caps at one task",
        () =>
            mutated("after-sale", (p) => {
                p.scalableTargetAction = { maxCapacity: 1 };
            }),
        /maxCapacity` to 1/,
    ],
    // The aws:alb/* module name and classic ELBs
    [
        "alb-drop-invalid-headers",
        "aws.alb.LoadBalancer passes invalid headers",
        () =>
            mutated("alb2", (p) => {
                p.dropInvalidHeaderFields = false;
            }),
    ],
    [
        "alb-http-redirects-only",
        "aws.alb.Listener forwards plain HTTP",
        () =>
            mutated("http2", (p) => {
                p.defaultActions = [{ type: "forward", targetGroupArn: "tg" }];
            }),
    ],
    ["alb-waf-associated", "aws.alb.LoadBalancer without WAF", () => without("waf2"), /alb2: no aws.wafv2/],
    [
        "elb-classic-hardened",
        "classic ELB in one subnet",
        () =>
            mutated("classic", (p) => {
                p.subnets = ["subnet-pub-a"];
            }),
        /1 subnet/,
    ],
    [
        "elb-classic-hardened",
        "classic ELB speaks plain HTTP",
        () =>
            mutated("classic", (p) => {
                p.listeners.push({ lbPort: 80, lbProtocol: "http", instancePort: 8080, instanceProtocol: "http" });
            }),
        /port 80 speaks plain HTTP/,
    ],
    [
        "elb-classic-hardened",
        "classic ELB TLS without certificate",
        () =>
            mutated("classic", (p) => {
                delete p.listeners[0].sslCertificateId;
            }),
        /no `sslCertificateId`/,
    ],
    [
        "elb-classic-hardened",
        "classic ELB without access logs or cross-zone",
        () =>
            mutated("classic", (p) => {
                delete p.accessLogs;
                p.crossZoneLoadBalancing = false;
            }),
        /crossZoneLoadBalancing/,
    ],
    // The paired entry point
    [
        "paired-entry-point",
        "one load balancer",
        () => without("alb2", "https2", "http2", "waf2", "secondary", "hc2", "classic"),
        /1 internet-facing load balancer/,
    ],
    ["paired-entry-point", "no SECONDARY record", () => without("secondary"), /no SECONDARY record/],
    [
        "paired-entry-point",
        "SECONDARY without a health check",
        () =>
            mutated("secondary", (p) => {
                delete p.healthCheckId;
                p.aliases[0].evaluateTargetHealth = false;
            }),
        /secondary has no health check/,
    ],
    [
        "paired-entry-point",
        "both records reach the same load balancer",
        () =>
            mutated("secondary", (p, s) => {
                p.aliases[0].name = "alb.example";
                s.deps!.aliases = ["alb"];
            }),
        /reach the same load balancer/,
    ],
    [
        "paired-entry-point",
        "no failover records",
        () => without("primary", "secondary"),
        /no Route 53 failover records/,
    ],
    // EC2 and Auto Scaling
    [
        "ec2-instance-redundancy",
        "a single app instance",
        () => without("app-vm-b"),
        /tier app \(app-vm-a\): 1 instance\(s\)/,
    ],
    [
        "ec2-instance-redundancy",
        "both instances in one AZ",
        () =>
            mutated("app-vm-b", (p, s) => {
                p.subnetId = "subnet-priv-a";
                s.deps!.subnetId = ["priv-a"];
            }),
        /in eu-west-1a; at least 2 AZs/,
    ],
    [
        "ec2-instance-redundancy",
        "an untagged instance",
        () => {
            const f = baseline();
            f.push({
                type: TYPES.instance,
                name: "bastion",
                props: { ami: "ami-1", instanceType: "t4g.micro", subnetId: "subnet-pub-a" },
                deps: { subnetId: ["pub-a"] },
            });
            return f;
        },
        /untagged instance bastion/,
    ],
    [
        "autoscaling-group-ha",
        "minSize 1",
        () =>
            mutated("asg", (p) => {
                p.minSize = 1;
                p.desiredCapacity = 1;
            }),
        /`minSize` is 1/,
    ],
    [
        "autoscaling-group-ha",
        "one AZ",
        () =>
            mutated("asg", (p, s) => {
                p.vpcZoneIdentifiers = ["subnet-priv-a"];
                s.deps!.vpcZoneIdentifiers = ["priv-a"];
            }),
        /runs in eu-west-1a/,
    ],
    [
        "autoscaling-group-ha",
        "subnets of unknown AZ",
        () =>
            mutated("asg", (p, s) => {
                p.vpcZoneIdentifiers = ["subnet-x", "subnet-y"];
                s.deps!.vpcZoneIdentifiers = [];
            }),
        /cannot tell the AZs/,
    ],
    [
        "tier-tagged",
        "Auto Scaling group without a tier",
        () =>
            mutated("asg", (p) => {
                p.tags = [];
            }),
        /missing/,
    ],
];
