import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
new aws.alb.LoadBalancer("admin", {
    internal: true, subnets: p.privateSubnets.map((s) => s.id), securityGroups: [p.appSecurityGroup.id],
    dropInvalidHeaderFields: false, enableDeletionProtection: true, accessLogs: { bucket: p.logs.id, enabled: true },
    tags: { "boxoffice:tier": "load-balancer" },
});
