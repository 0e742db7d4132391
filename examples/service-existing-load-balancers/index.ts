/**
 * One autoscaled Fargate service behind load balancers that already exist: an existing ECS cluster (by ARN), your
 * subnets and security group, and the target groups of your listeners. Each task registers with every target
 * group, and the service scales on CPU and on requests per task summed over all the load balancers, so scaling
 * keeps following the traffic whichever of them DNS sends it to.
 */
import * as pulumi from "@pulumi/pulumi";
import { AutoscaledService, RequestSource } from "@boxoffice/components";

interface ExistingLoadBalancer {
    loadBalancerArn: string;
    targetGroupArn: string;
}

/**
 * CloudWatch names a load balancer and a target group by the ends of their ARNs (`app/<name>/<id>`,
 * `targetgroup/<name>/<id>`): what the request-count metric's dimensions take.
 */
function requestSource(lb: ExistingLoadBalancer): RequestSource {
    const suffix = (arn: string, marker: string) => {
        const at = arn.indexOf(marker);
        if (at < 0) throw new Error(`${arn}: not an ARN with ${marker}`);
        return arn.slice(at + (marker.startsWith(":") ? 1 : 0));
    };
    return {
        loadBalancerArnSuffix: suffix(lb.loadBalancerArn, "app/"),
        targetGroupArnSuffix: suffix(lb.targetGroupArn, ":targetgroup/"),
    };
}

const config = new pulumi.Config();
const loadBalancers = config.requireObject<ExistingLoadBalancer[]>("loadBalancers");

const service = new AutoscaledService("tickets", {
    role: "app",
    cluster: config.require("clusterArn"),
    image: config.require("image"),
    command: ["node", "dist/server.js"],
    port: 8080,
    // The image's own unprivileged user (the `node` user of Node.js images); never root.
    containerUser: "1000:1000",
    subnetIds: config.requireObject<string[]>("subnetIds"),
    securityGroupIds: config.requireObject<string[]>("securityGroupIds"),
    targetGroupArns: loadBalancers.map((lb) => lb.targetGroupArn),
    minTasks: 2,
    maxTasks: 20,
    requestScaling: { targetGroups: loadBalancers.map(requestSource), targetRequestsPerTask: 800 },
    // Escape hatch: adjust any AWS argument of a child without forking the component. The function form adds a
    // tag; the object form `{ tags: {...} }` would replace them all, the tier tag the policy pack reads included.
    transform: {
        service: (args) => {
            args.tags = { ...args.tags, team: "tickets" };
        },
    },
});

export const serviceName = service.serviceName;
export const logGroupName = service.logGroupName;
