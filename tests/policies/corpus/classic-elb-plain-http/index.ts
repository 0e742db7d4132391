import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
new aws.elb.LoadBalancer("legacy", {
    internal: true, subnets: p.privateSubnets.map((s) => s.id), crossZoneLoadBalancing: true, accessLogs: { bucket: p.logs.id, enabled: true },
    listeners: [{ lbPort: 80, lbProtocol: "http", instancePort: 8080, instanceProtocol: "http" }],
    tags: { "boxoffice:tier": "load-balancer" },
});
