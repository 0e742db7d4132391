/** The PairedLoadBalancers test fixture: resource types, a base set of arguments, and a build under the mock engine. */
import * as pulumi from "@pulumi/pulumi";
import { PairedLoadBalancers, PairedLoadBalancersArgs } from "../../../components/edge/paired-load-balancers";
import { runProgram } from "../../../tools/offline/engine";

export const T = {
    alb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    tg: "aws:lb/targetGroup:TargetGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    hc: "aws:route53/healthCheck:HealthCheck",
    record: "aws:route53/record:Record",
    assoc: "aws:wafv2/webAclAssociation:WebAclAssociation",
    acl: "aws:wafv2/webAcl:WebAcl",
    cert: "aws:acm/certificate:Certificate",
    rule: "aws:lb/listenerRule:ListenerRule",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
};
export const base = (): PairedLoadBalancersArgs => ({
    vpcId: pulumi.output("vpc-1"),
    vpcCidr: "10.40.0.0/16",
    publicSubnetIds: ["subnet-a", "subnet-b", "subnet-c"].map((s) => pulumi.output(s)),
    domain: "tickets.example.com",
    hostedZoneId: "Z0EXAMPLE",
});

export async function build(args: PairedLoadBalancersArgs, name = "lb") {
    let lb!: PairedLoadBalancers;
    const run = await runProgram(() => {
        lb = new PairedLoadBalancers(name, args);
    });
    return { run, lb };
}
