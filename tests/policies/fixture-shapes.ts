/** The shape of a policy-test fixture and the vocabulary its parts share (resource types, AZs, tier tags). */

/** One raw AWS registration of a fixture. */
export interface Spec {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** property → names of the resources it depends on (the engine's propertyDependencies). */
    deps?: Record<string, string[]>;
    /** Extra outputs the provider would compute (the stack policies see inputs + these). */
    outputs?: Record<string, unknown>;
    custom?: boolean;
    parent?: string;
    provider?: string;
}

export type Fixture = Spec[];

/** The fixture's two AZs. */
export const AZ = ["eu-west-1a", "eu-west-1b"];
/** The tier tag (plus any extra tags) of a resource. */
export const tier = (t: string, extra: Record<string, string> = {}) => ({ tags: { "boxoffice:tier": t, ...extra } });
/** The AWS resource types the fixture uses, by short name. */
export const T = {
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
    ecsCluster: "aws:ecs/cluster:Cluster",
    td: "aws:ecs/taskDefinition:TaskDefinition",
    svc: "aws:ecs/service:Service",
    target: "aws:appautoscaling/target:Target",
    scheduled: "aws:appautoscaling/scheduledAction:ScheduledAction",
    kms: "aws:kms/key:Key",
    pg: "aws:rds/parameterGroup:ParameterGroup",
    dbsg: "aws:rds/subnetGroup:SubnetGroup",
    db: "aws:rds/instance:Instance",
    proxy: "aws:rds/proxy:Proxy",
    proxyTarget: "aws:rds/proxyTarget:ProxyTarget",
    csg: "aws:elasticache/subnetGroup:SubnetGroup",
    rg: "aws:elasticache/replicationGroup:ReplicationGroup",
    cc: "aws:elasticache/cluster:Cluster",
    vault: "aws:backup/vault:Vault",
    lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    plan: "aws:backup/plan:Plan",
    selection: "aws:backup/selection:Selection",
    hc: "aws:route53/healthCheck:HealthCheck",
    record: "aws:route53/record:Record",
    alb: "aws:alb/loadBalancer:LoadBalancer",
    albListener: "aws:alb/listener:Listener",
    elb: "aws:elb/loadBalancer:LoadBalancer",
    cluster: "aws:rds/cluster:Cluster",
    clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    table: "aws:dynamodb/table:Table",
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketAcl: "aws:s3/bucketAclV2:BucketAclV2",
    asg: "aws:autoscaling/group:Group",
    instance: "aws:ec2/instance:Instance",
} as const;
