import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
const admin = new aws.alb.LoadBalancer("admin", {
    internal: true, subnets: p.privateSubnets.map((s) => s.id), securityGroups: [p.appSecurityGroup.id],
    dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: p.logs.id, enabled: true },
    tags: { "boxoffice:tier": "load-balancer" },
});
const tg = new aws.alb.TargetGroup("admin", { port: 8080, protocol: "HTTP", targetType: "ip", vpcId: p.vpc.id });
new aws.alb.Listener("admin-http", { loadBalancerArn: admin.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] });
