/**
 * A compliant two-AZ platform written as raw AWS registrations (what the offline engine records), used as
 * the passing baseline of every rule test. Each test clones it, mutates one thing and evaluates the whole
 * pack through the runner (the `@pulumi/policy` analyzer handlers), exactly as a program's run would be.
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { Registration } from "../../tools/offline/engine";
import { PackConfigFile, readPackConfigFile } from "../../tools/policy-config";
import { PolicyReport, evaluateRegistrations } from "../../tools/policy-runner";
import * as path from "path";

export const PROJECT = "boxoffice";
export const STACK = "test";
const SIG = rpc.specialSigKey;
export const secret = (value: unknown) => ({ [SIG]: rpc.specialSecretSig, value });
export const resourceRef = (urn: string, id?: string) => ({ [SIG]: rpc.specialResourceSig, urn, ...(id === undefined ? {} : { id }), packageVersion: "7.48.0" });
export const UNKNOWN = rpc.unknownValue;

export interface Spec {
    type: string;
    name: string;
    props: Record<string, any>;
    /** property → names of the resources it depends on (the engine's propertyDependencies). */
    deps?: Record<string, string[]>;
    /** Extra outputs the provider would compute (the stack policies see inputs + these). */
    outputs?: Record<string, any>;
    custom?: boolean;
    parent?: string;
    provider?: string;
}

export type Fixture = Spec[];

export const urnOf = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;

const AZ = ["eu-west-1a", "eu-west-1b"];
const tier = (t: string, extra: Record<string, string> = {}) => ({ tags: { "boxoffice:tier": t, ...extra } });
const T = {
    subnet: "aws:ec2/subnet:Subnet", nat: "aws:ec2/natGateway:NatGateway", sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener", waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
    ecsCluster: "aws:ecs/cluster:Cluster", td: "aws:ecs/taskDefinition:TaskDefinition", svc: "aws:ecs/service:Service",
    target: "aws:appautoscaling/target:Target", scheduled: "aws:appautoscaling/scheduledAction:ScheduledAction",
    kms: "aws:kms/key:Key", pg: "aws:rds/parameterGroup:ParameterGroup", dbsg: "aws:rds/subnetGroup:SubnetGroup",
    db: "aws:rds/instance:Instance", proxy: "aws:rds/proxy:Proxy", proxyTarget: "aws:rds/proxyTarget:ProxyTarget",
    csg: "aws:elasticache/subnetGroup:SubnetGroup", rg: "aws:elasticache/replicationGroup:ReplicationGroup",
    cc: "aws:elasticache/cluster:Cluster", vault: "aws:backup/vault:Vault", lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    plan: "aws:backup/plan:Plan", selection: "aws:backup/selection:Selection", hc: "aws:route53/healthCheck:HealthCheck",
    record: "aws:route53/record:Record", alb: "aws:alb/loadBalancer:LoadBalancer", albListener: "aws:alb/listener:Listener",
    elb: "aws:elb/loadBalancer:LoadBalancer", cluster: "aws:rds/cluster:Cluster", clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    table: "aws:dynamodb/table:Table", bucket: "aws:s3/bucket:Bucket", pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy", bucketAcl: "aws:s3/bucketAclV2:BucketAclV2", asg: "aws:autoscaling/group:Group",
    instance: "aws:ec2/instance:Instance",
} as const;
export const TYPES = T;

const containers = (name: string) => JSON.stringify([{
    name, image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc", user: "1000:1000", readonlyRootFilesystem: true,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/ecs/${name}` } },
}]);

const service = (name: string, t: "app" | "worker"): Spec => ({
    type: T.svc, name,
    props: {
        cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/main", taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${name}:1`,
        desiredCount: 2, launchType: "FARGATE", deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200,
        networkConfiguration: { subnets: ["subnet-priv-a", "subnet-priv-b"], securityGroups: ["sg-app"], assignPublicIp: false },
        ...tier(t),
    },
    deps: { networkConfiguration: ["priv-a", "priv-b", "sg-app"] },
});

const backupRule = (ruleName: string, schedule: string, deleteAfter: number) => ({
    ruleName, schedule, targetVaultName: "main", lifecycle: { deleteAfter },
    copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr", lifecycle: { deleteAfter } }],
});

export function baseline(): Fixture {
    const subnets: Spec[] = (["pub", "priv", "iso"] as const).flatMap((role) => AZ.map((az, i): Spec => ({
        type: T.subnet, name: `${role}-${"ab"[i]}`,
        props: { vpcId: "vpc-1", cidrBlock: `10.0.${i}.0/24`, availabilityZone: az, mapPublicIpOnLaunch: false, ...tier("network") },
        outputs: { id: `subnet-${role}-${"ab"[i]}` },
    })));
    return [
        ...subnets,
        ...AZ.map((_az, i): Spec => ({
            type: T.nat, name: `nat-${"ab"[i]}`, props: { subnetId: `subnet-pub-${"ab"[i]}`, allocationId: `eipalloc-${i}`, connectivityType: "public", ...tier("network") },
            deps: { subnetId: [`pub-${"ab"[i]}`] },
        })),
        { type: T.sg, name: "sg-alb", props: { vpcId: "vpc-1", description: "ALB", ...tier("load-balancer") }, outputs: { id: "sg-alb" } },
        { type: T.sg, name: "sg-app", props: { vpcId: "vpc-1", description: "app", ...tier("app") }, outputs: { id: "sg-app" } },
        ...[443, 80].map((port): Spec => ({
            type: T.ingress, name: `alb-in-${port}`, props: { securityGroupId: "sg-alb", cidrIpv4: "0.0.0.0/0", fromPort: port, toPort: port, ipProtocol: "tcp" },
            deps: { securityGroupId: ["sg-alb"] },
        })),
        {
            type: T.ingress, name: "app-from-alb", props: { securityGroupId: "sg-app", referencedSecurityGroupId: "sg-alb", fromPort: 8080, toPort: 8080, ipProtocol: "tcp" },
            deps: { securityGroupId: ["sg-app"], referencedSecurityGroupId: ["sg-alb"] },
        },
        {
            type: T.lb, name: "alb",
            props: {
                loadBalancerType: "application", internal: false, subnets: ["subnet-pub-a", "subnet-pub-b"], securityGroups: ["sg-alb"],
                dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: "logs", enabled: true }, ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"], securityGroups: ["sg-alb"] },
            outputs: { arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123", dnsName: "alb.example" },
        },
        {
            type: T.listener, name: "https",
            props: { loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123", protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1", defaultActions: [{ type: "forward", targetGroupArn: "tg" }] },
            deps: { loadBalancerArn: ["alb"] },
        },
        {
            type: T.listener, name: "http",
            props: { loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123", protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
            deps: { loadBalancerArn: ["alb"] },
        },
        { type: T.waf, name: "waf", props: { resourceArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123", webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1" }, deps: { resourceArn: ["alb"] } },
        { type: T.ecsCluster, name: "cluster", props: { settings: [{ name: "containerInsights", value: "enhanced" }] } },
        { type: T.td, name: "app-td", props: { family: "app", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "512", memory: "1024", containerDefinitions: containers("app") } },
        { type: T.td, name: "worker-td", props: { family: "worker", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512", containerDefinitions: containers("worker") } },
        service("app", "app"),
        service("worker", "worker"),
        { type: T.target, name: "app-scaling", props: { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/main/app", minCapacity: 2, maxCapacity: 10 }, deps: { resourceId: ["app"] } },
        { type: T.scheduled, name: "on-sale", props: { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/main/app", schedule: "at(2026-12-01T09:00:00)", scalableTargetAction: { minCapacity: 6, maxCapacity: 30 } } },
        { type: T.scheduled, name: "after-sale", props: { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/main/app", schedule: "at(2026-12-01T13:00:00)", scalableTargetAction: { minCapacity: 2, maxCapacity: 10 } } },
        { type: T.kms, name: "key", props: { description: "data", enableKeyRotation: true, deletionWindowInDays: 30 } },
        { type: T.pg, name: "pg", props: { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] }, outputs: { name: "pg" } },
        { type: T.dbsg, name: "db-subnets", props: { subnetIds: ["subnet-iso-a", "subnet-iso-b"] }, deps: { subnetIds: ["iso-a", "iso-b"] }, outputs: { name: "db-subnets" } },
        {
            type: T.db, name: "db",
            props: {
                identifier: "db", engine: "postgres", engineVersion: "16", instanceClass: "db.r6g.large", allocatedStorage: 100, multiAz: true,
                backupRetentionPeriod: 7, storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1", deletionProtection: true,
                finalSnapshotIdentifier: "db-final", skipFinalSnapshot: false, publiclyAccessible: false, performanceInsightsEnabled: true,
                monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring", enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                autoMinorVersionUpgrade: true, iamDatabaseAuthenticationEnabled: true, manageMasterUserPassword: true, username: "boxoffice",
                parameterGroupName: "pg", dbSubnetGroupName: "db-subnets", ...tier("database", { "boxoffice:backup": "daily-weekly-monthly" }),
            },
            deps: { parameterGroupName: ["pg"], dbSubnetGroupName: ["db-subnets"] },
            outputs: { arn: "arn:aws:rds:eu-west-1:123456789012:db:db" },
        },
        {
            type: T.db, name: "db-replica",
            props: {
                identifier: "db-replica", replicateSourceDb: "db", instanceClass: "db.r6g.large", storageEncrypted: true, publiclyAccessible: false,
                performanceInsightsEnabled: true, monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
                enabledCloudwatchLogsExports: ["postgresql"], iamDatabaseAuthenticationEnabled: true, skipFinalSnapshot: true, parameterGroupName: "pg", ...tier("database"),
            },
            deps: { replicateSourceDb: ["db"], parameterGroupName: ["pg"] },
        },
        { type: T.proxy, name: "proxy", props: { engineFamily: "POSTGRESQL", requireTls: true, vpcSubnetIds: ["subnet-iso-a", "subnet-iso-b"], roleArn: "arn:aws:iam::123456789012:role/proxy", auths: [{ authScheme: "SECRETS", secretArn: "arn:secret" }] }, deps: { vpcSubnetIds: ["iso-a", "iso-b"] } },
        { type: T.proxyTarget, name: "proxy-target", props: { dbProxyName: "proxy", targetGroupName: "default", dbInstanceIdentifier: "db" }, deps: { dbInstanceIdentifier: ["db"], dbProxyName: ["proxy"] } },
        { type: T.csg, name: "cache-subnets", props: { subnetIds: ["subnet-iso-a", "subnet-iso-b"] }, deps: { subnetIds: ["iso-a", "iso-b"] }, outputs: { name: "cache-subnets" } },
        {
            type: T.rg, name: "redis",
            props: {
                description: "baskets", engine: "redis", nodeType: "cache.r7g.large", automaticFailoverEnabled: true, multiAzEnabled: true, numCacheClusters: 2,
                atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: secret("s3cr3t-token-of-32-characters!!"), snapshotRetentionLimit: 7,
                subnetGroupName: "cache-subnets", ...tier("cache"),
            },
            deps: { subnetGroupName: ["cache-subnets"] },
        },
        {
            type: T.cc, name: "memcached",
            props: { engine: "memcached", nodeType: "cache.r7g.large", azMode: "cross-az", numCacheNodes: 2, subnetGroupName: "cache-subnets", ...tier("cache") },
            deps: { subnetGroupName: ["cache-subnets"] },
        },
        { type: T.vault, name: "main", props: { name: "main", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" } },
        { type: T.vault, name: "dr", props: { name: "dr", kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/2" }, outputs: { arn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:dr" } },
        ...["main", "dr"].map((v): Spec => ({ type: T.lock, name: `${v}-lock`, props: { backupVaultName: v, changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 }, deps: { backupVaultName: [v] } })),
        {
            type: T.plan, name: "plan",
            props: {
                name: "daily-weekly-monthly",
                rules: [
                    backupRule("daily", "cron(0 3 * * ? *)", 7),
                    backupRule("weekly", "cron(0 4 ? * SUN *)", 35),
                    backupRule("monthly", "cron(0 5 1 * ? *)", 365),
                    { ruleName: "continuous", targetVaultName: "main", enableContinuousBackup: true, lifecycle: { deleteAfter: 14 } },
                ],
            },
        },
        { type: T.selection, name: "selection", props: { planId: "plan-1", iamRoleArn: "arn:aws:iam::123456789012:role/backup", selectionTags: [{ type: "STRINGEQUALS", key: "boxoffice:backup", value: "daily-weekly-monthly" }] }, deps: { planId: ["plan"] } },
        { type: T.hc, name: "hc", props: { type: "HTTPS", fqdn: "tickets.example.com", resourcePath: "/health", requestInterval: 10, failureThreshold: 3 } },
        {
            type: T.record, name: "primary",
            props: { zoneId: "Z1", name: "tickets.example.com", type: "A", setIdentifier: "primary", failoverRoutingPolicies: [{ type: "PRIMARY" }], healthCheckId: "hc-1", aliases: [{ name: "alb.example", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }] },
            deps: { healthCheckId: ["hc"], aliases: ["alb"] },
        },
        ...coverage(),
    ];
}

const ALB2_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb2/4567";
const BACKUP = { "boxoffice:backup": "daily-weekly-monthly" };

/**
 * The rest of a compliant platform, one of each type the rules cover beyond the ECS/RDS core: the paired
 * entry point's second ALB (under the aws:alb/* module name) and SECONDARY record, an Aurora cluster with
 * two pinned instances, a DynamoDB table, an S3 bucket with its public-access block and TLS-only policy, a
 * classic ELB, an Auto Scaling group (worker tier) and two EC2 instances (app tier) in two AZs.
 */
function coverage(): Spec[] {
    return [
        {
            type: T.alb, name: "alb2",
            props: {
                loadBalancerType: "application", internal: false, subnets: ["subnet-pub-a", "subnet-pub-b"], securityGroups: ["sg-alb"],
                dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: "logs", enabled: true }, ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"], securityGroups: ["sg-alb"] },
            outputs: { arn: ALB2_ARN, dnsName: "alb2-1.eu-west-1.elb.amazonaws.com" },
        },
        {
            type: T.albListener, name: "https2",
            props: { loadBalancerArn: ALB2_ARN, protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1", defaultActions: [{ type: "forward", targetGroupArn: "tg" }] },
            deps: { loadBalancerArn: ["alb2"] },
        },
        {
            type: T.albListener, name: "http2",
            props: { loadBalancerArn: ALB2_ARN, protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
            deps: { loadBalancerArn: ["alb2"] },
        },
        { type: T.waf, name: "waf2", props: { resourceArn: ALB2_ARN, webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1" }, deps: { resourceArn: ["alb2"] } },
        { type: T.hc, name: "hc2", props: { type: "HTTPS", fqdn: "alb2-1.eu-west-1.elb.amazonaws.com", resourcePath: "/healthz", requestInterval: 10, failureThreshold: 3 } },
        {
            type: T.record, name: "secondary",
            props: { zoneId: "Z1", name: "tickets.example.com", type: "A", setIdentifier: "secondary", failoverRoutingPolicies: [{ type: "SECONDARY" }], healthCheckId: "hc-2", aliases: [{ name: "alb2-1.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }] },
            deps: { healthCheckId: ["hc2"], aliases: ["alb2"] },
        },
        {
            type: T.cluster, name: "aurora",
            props: {
                clusterIdentifier: "aurora", engine: "aurora-postgresql", engineVersion: "16.4", storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1",
                deletionProtection: true, finalSnapshotIdentifier: "aurora-final", backupRetentionPeriod: 7, manageMasterUserPassword: true, masterUsername: "boxoffice",
                dbSubnetGroupName: "db-subnets", ...tier("database", BACKUP),
            },
            deps: { dbSubnetGroupName: ["db-subnets"] },
            outputs: { arn: "arn:aws:rds:eu-west-1:123456789012:cluster:aurora" },
        },
        ...AZ.map((az, i): Spec => ({
            type: T.clusterInstance, name: `aurora-${"ab"[i]}`,
            props: { clusterIdentifier: "aurora", instanceClass: "db.r6g.large", engine: "aurora-postgresql", availabilityZone: az, publiclyAccessible: false },
            deps: { clusterIdentifier: ["aurora"] },
        })),
        {
            type: T.table, name: "orders",
            props: { billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true, ...tier("database", BACKUP) },
            outputs: { arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" },
        },
        { type: T.bucket, name: "logs", props: { bucket: "logs", ...tier("load-balancer") }, outputs: { arn: "arn:aws:s3:::logs" } },
        { type: T.pab, name: "logs-pab", props: { bucket: "logs", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, deps: { bucket: ["logs"] } },
        {
            type: T.bucketPolicy, name: "logs-policy",
            props: {
                bucket: "logs",
                policy: JSON.stringify({ Version: "2012-10-17", Statement: [
                    { Sid: "Delivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::logs/*" },
                    { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ] }),
            },
            deps: { bucket: ["logs"] },
        },
        {
            type: T.elb, name: "classic",
            props: {
                subnets: ["subnet-pub-a", "subnet-pub-b"], crossZoneLoadBalancing: true, accessLogs: { bucket: "logs", enabled: true },
                listeners: [{ lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: "arn:aws:acm:eu-west-1:123456789012:certificate/1" }],
                ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"] },
        },
        {
            type: T.asg, name: "asg",
            props: { minSize: 2, maxSize: 6, desiredCapacity: 2, vpcZoneIdentifiers: ["subnet-priv-a", "subnet-priv-b"], tags: [{ key: "boxoffice:tier", value: "worker", propagateAtLaunch: true }] },
            deps: { vpcZoneIdentifiers: ["priv-a", "priv-b"] },
        },
        ...AZ.map((_az, i): Spec => ({
            type: T.instance, name: `app-vm-${"ab"[i]}`,
            props: { ami: "ami-0123", instanceType: "m7g.large", subnetId: `subnet-priv-${"ab"[i]}`, ...tier("app") },
            deps: { subnetId: [`priv-${"ab"[i]}`] },
        })),
    ];
}

/** The registrations the offline engine would record for a fixture (all under the root stack). */
export function registrations(fixture: Fixture): Registration[] {
    const root = urnOf("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`);
    const byName = new Map(fixture.map((s) => [s.name, s]));
    const urn = (name: string) => {
        const s = byName.get(name);
        if (!s) throw new Error(`fixture: no resource named ${name}`);
        return urnOf(s.type, s.name);
    };
    const rootReg: Registration = {
        urn: root, type: "pulumi:pulumi:Stack", name: `${PROJECT}-${STACK}`, custom: false, remote: false, inputs: {}, serializedInputs: {}, outputs: {},
        dependencies: [], propertyDependencies: {}, options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [] },
    };
    return [rootReg, ...fixture.map((s): Registration => {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [k, names] of Object.entries(s.deps ?? {})) propertyDependencies[k] = names.map(urn);
        return {
            urn: urnOf(s.type, s.name), type: s.type, name: s.name, custom: s.custom ?? true, remote: false,
            parent: s.parent ?? root, provider: s.provider,
            inputs: s.props, serializedInputs: s.props, outputs: { ...s.props, ...(s.outputs ?? {}) },
            dependencies: [...new Set(Object.values(propertyDependencies).flat())], propertyDependencies,
            options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: [] },
        };
    })];
}

export const CONFIG_DIR = path.resolve(__dirname, "..", "..", "policies", "config");
export const PROD: PackConfigFile = readPackConfigFile(path.join(CONFIG_DIR, "prod.json"));
export const STAGING: PackConfigFile = readPackConfigFile(path.join(CONFIG_DIR, "staging.json"));

export function evaluate(fixture: Fixture, config: PackConfigFile = PROD): Promise<PolicyReport> {
    return evaluateRegistrations({ project: PROJECT, stack: STACK, config: { "aws:region": "eu-west-1" }, resources: registrations(fixture) }, { config });
}

/** A deep copy of the baseline with one resource's props changed. */
export function mutated(name: string, change: (props: Record<string, any>, spec: Spec, all: Fixture) => void): Fixture {
    const fixture = structuredClone(baseline());
    const spec = fixture.find((s) => s.name === name);
    if (!spec) throw new Error(`fixture: no resource named ${name}`);
    change(spec.props, spec, fixture);
    return fixture;
}

/** Removes resources from a copy of the baseline. */
export function without(...names: string[]): Fixture {
    return baseline().filter((s) => !names.includes(s.name));
}
