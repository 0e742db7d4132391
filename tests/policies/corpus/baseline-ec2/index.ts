import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
const tags = { "boxoffice:tier": "app" };
p.privateSubnets.forEach((subnet, i) => new aws.ec2.Instance(`app-vm-${i}`, { ami: "ami-0123456789abcdef0", instanceType: "m7g.large", subnetId: subnet.id, vpcSecurityGroupIds: [p.appSecurityGroup.id], tags }));
const template = new aws.ec2.LaunchTemplate("batch", { imageId: "ami-0123456789abcdef0", instanceType: "m7g.large" });
new aws.autoscaling.Group("batch", {
    minSize: 2, maxSize: 6, desiredCapacity: 2, vpcZoneIdentifiers: p.privateSubnets.map((s) => s.id),
    launchTemplate: { id: template.id, version: "$Latest" },
    tags: [{ key: "boxoffice:tier", value: "worker", propagateAtLaunch: true }],
});
new aws.dynamodb.Table("orders", {
    billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true,
    tags: { "boxoffice:tier": "database", "boxoffice:backup": "daily-weekly-monthly" },
});
new aws.elb.LoadBalancer("internal-classic", {
    internal: true, subnets: p.privateSubnets.map((s) => s.id), crossZoneLoadBalancing: true, accessLogs: { bucket: p.logs.id, enabled: true },
    listeners: [{ lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: p.cert.arn }],
    tags: { "boxoffice:tier": "load-balancer" },
});
