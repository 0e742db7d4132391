import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
const template = new aws.ec2.LaunchTemplate("batch", { imageId: "ami-0123456789abcdef0", instanceType: "m7g.large" });
new aws.autoscaling.Group("batch", {
    minSize: 2, maxSize: 6, vpcZoneIdentifiers: [p.privateSubnets[0].id], launchTemplate: { id: template.id, version: "$Latest" },
    tags: [{ key: "boxoffice:tier", value: "worker", propagateAtLaunch: true }],
});
