import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
new aws.ec2.Instance("app-vm", {
    ami: "ami-0123456789abcdef0", instanceType: "m7g.large", subnetId: p.privateSubnets[0].id, vpcSecurityGroupIds: [p.appSecurityGroup.id],
    tags: { "boxoffice:tier": "app" },
});
