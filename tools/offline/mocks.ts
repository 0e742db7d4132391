/**
 * Faithful mock answers for the offline engine: what AWS (and the random provider) would return for each
 * resource and invoke the boxoffice program uses. Everything is derived from the inputs and a stable hash
 * of the resource's name, so two runs of the same stack produce byte-identical plans.
 *
 * When the program starts using a new invoke, `call` throws naming the token: an unanswered invoke in a
 * mock engine otherwise resolves to nothing and hides bugs.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

/** ALB canonical hosted zones and ELB log-delivery accounts, per region (AWS ELB documentation). */
const ELB_REGION_FACTS: Record<string, { albZoneId: string; logAccount: string }> = {
    "us-east-1": { albZoneId: "Z35SXDOTRQ7X7K", logAccount: "127311923021" },
    "us-east-2": { albZoneId: "Z3AADJGX6KTTL2", logAccount: "033677994240" },
    "us-west-2": { albZoneId: "Z1H1FL5HABSF5", logAccount: "797873946194" },
    "eu-west-1": { albZoneId: "Z32O12XQLNTSW2", logAccount: "156460612806" },
    "eu-west-2": { albZoneId: "ZHURV8PSTC4K8", logAccount: "652711504416" },
    "eu-central-1": { albZoneId: "Z215JYRZR1TBD5", logAccount: "054676820928" },
    "eu-north-1": { albZoneId: "Z23TAZBEWHOA0K", logAccount: "897822967062" },
};

/** A short, stable hex string for a name: the stand-in for the random parts of AWS identifiers. */
export function stableHex(seed: string, length = 17): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Id prefixes of EC2-style resources. */
const ID_PREFIXES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:route53/healthCheck:HealthCheck": "hc-",
};

/**
 * Ids in a shape of their own: FIS experiment template ids are `EXT` + 14 letters and digits (e.g.
 * `EXT123AbCdEfGhIjK`, the form `pulumi import` takes); an inline role policy is `<role name>:<policy name>`.
 */
/** A numeric input, or the provider's default when it is unset. */
function numberOr(value: unknown, fallback: number): number {
    return typeof value === "number" ? value : fallback;
}

const ID_SHAPES: Record<string, (seed: string, physical: string, inputs: Record<string, unknown>) => string> = {
    "aws:fis/experimentTemplate:ExperimentTemplate": (seed) => `EXT${stableHex(seed, 14).toUpperCase()}`,
    "aws:iam/rolePolicy:RolePolicy": (_seed, physical, inputs) => `${inputs.role}:${physical}`,
};

/** Where ARNs differ from `arn:aws:<service>:<region>:<account>:<kind>/<name>`; `id` is the physical id. */
const ARN_SHAPES: Record<string, (n: string, r: string, a: string, id: string) => string> = {
    "aws:ec2/subnet:Subnet": (_n, r, a, id) => `arn:aws:ec2:${r}:${a}:subnet/${id}`,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (n, r, a) => `arn:aws:cloudwatch:${r}:${a}:alarm:${n}`,
    "aws:fis/experimentTemplate:ExperimentTemplate": (_n, r, a, id) =>
        `arn:aws:fis:${r}:${a}:experiment-template/${id}`,
    "aws:s3/bucket:Bucket": (n) => `arn:aws:s3:::${n}`,
    "aws:s3/bucketV2:BucketV2": (n) => `arn:aws:s3:::${n}`,
    "aws:iam/role:Role": (n, _r, a) => `arn:aws:iam::${a}:role/${n}`,
    "aws:iam/policy:Policy": (n, _r, a) => `arn:aws:iam::${a}:policy/${n}`,
    "aws:sns/topic:Topic": (n, r, a) => `arn:aws:sns:${r}:${a}:${n}`,
    "aws:rds/instance:Instance": (n, r, a) => `arn:aws:rds:${r}:${a}:db:${n}`,
    "aws:rds/cluster:Cluster": (n, r, a) => `arn:aws:rds:${r}:${a}:cluster:${n}`,
    "aws:rds/clusterInstance:ClusterInstance": (n, r, a) => `arn:aws:rds:${r}:${a}:db:${n}`,
    "aws:dynamodb/table:Table": (n, r, a) => `arn:aws:dynamodb:${r}:${a}:table/${n}`,
    "aws:rds/parameterGroup:ParameterGroup": (n, r, a) => `arn:aws:rds:${r}:${a}:pg:${n}`,
    "aws:rds/subnetGroup:SubnetGroup": (n, r, a) => `arn:aws:rds:${r}:${a}:subgrp:${n}`,
    "aws:rds/proxy:Proxy": (n, r, a) => `arn:aws:rds:${r}:${a}:db-proxy:prx-${stableHex(n)}`,
    "aws:elasticache/replicationGroup:ReplicationGroup": (n, r, a) =>
        `arn:aws:elasticache:${r}:${a}:replicationgroup:${n}`,
    "aws:elasticache/cluster:Cluster": (n, r, a) => `arn:aws:elasticache:${r}:${a}:cluster:${n}`,
    "aws:cloudwatch/logGroup:LogGroup": (n, r, a) => `arn:aws:logs:${r}:${a}:log-group:${n}`,
    "aws:lb/loadBalancer:LoadBalancer": (n, r, a) =>
        `arn:aws:elasticloadbalancing:${r}:${a}:loadbalancer/app/${n}/${stableHex(n, 16)}`,
    "aws:lb/targetGroup:TargetGroup": (n, r, a) =>
        `arn:aws:elasticloadbalancing:${r}:${a}:targetgroup/${n}/${stableHex(n, 16)}`,
    // The same resources under the provider's other module name (aws.alb.*).
    "aws:alb/loadBalancer:LoadBalancer": (n, r, a) =>
        `arn:aws:elasticloadbalancing:${r}:${a}:loadbalancer/app/${n}/${stableHex(n, 16)}`,
    "aws:alb/targetGroup:TargetGroup": (n, r, a) =>
        `arn:aws:elasticloadbalancing:${r}:${a}:targetgroup/${n}/${stableHex(n, 16)}`,
    "aws:kms/key:Key": (n, r, a) => `arn:aws:kms:${r}:${a}:key/${uuidOf(n)}`,
    "aws:backup/vault:Vault": (n, r, a) => `arn:aws:backup:${r}:${a}:backup-vault:${n}`,
    "aws:backup/plan:Plan": (n, r, a) => `arn:aws:backup:${r}:${a}:backup-plan:${uuidOf(n)}`,
    "aws:secretsmanager/secret:Secret": (n, r, a) => `arn:aws:secretsmanager:${r}:${a}:secret:${n}-${stableHex(n, 6)}`,
    "aws:ecs/cluster:Cluster": (n, r, a) => `arn:aws:ecs:${r}:${a}:cluster/${n}`,
    "aws:ecs/taskDefinition:TaskDefinition": (n, r, a) => `arn:aws:ecs:${r}:${a}:task-definition/${n}:1`,
    "aws:ecr/repository:Repository": (n, r, a) => `arn:aws:ecr:${r}:${a}:repository/${n}`,
    "aws:acm/certificate:Certificate": (n, r, a) => `arn:aws:acm:${r}:${a}:certificate/${uuidOf(n)}`,
    "aws:wafv2/webAcl:WebAcl": (n, r, a) => `arn:aws:wafv2:${r}:${a}:regional/webacl/${n}/${uuidOf(n)}`,
};

function uuidOf(seed: string): string {
    const h = stableHex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The name AWS would know the resource by: an explicit name input, else Pulumi's autoname shape. */
function physicalName(type: string, name: string, inputs: Record<string, unknown>): string {
    for (const key of ["name", "identifier", "replicationGroupId", "clusterId", "bucket", "family", "functionName"]) {
        if (typeof inputs[key] === "string") return inputs[key];
    }
    if (type === "aws:rds/cluster:Cluster" && typeof inputs.clusterIdentifier === "string")
        return inputs.clusterIdentifier;
    const autoname = `${name}-${stableHex(type + name, 7)}`;
    // Identifiers of RDS and ElastiCache must be lower case; Pulumi's autonamer honours that too.
    return type.startsWith("aws:rds/") || type.startsWith("aws:elasticache/") ? autoname.toLowerCase() : autoname;
}

function serviceOf(type: string): string {
    const module = type.split(":")[1]?.split("/")[0] ?? "unknown";
    return { cloudwatch: "logs", lb: "elasticloadbalancing", vpc: "ec2" }[module] ?? module;
}

/** Deterministic text standing in for a generated secret; its secretness is what the plan must keep. */
function fakeSecret(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += stableHex(`${seed}#${i}`, 64);
    return out.slice(0, length);
}

export interface MockContext {
    /** Region of the default provider (`aws:region`). */
    region: string;
    /** Region per explicit provider reference (`urn::id`), learnt as providers register. */
    providerRegions: Map<string, string>;
}

export class BoxofficeMocks implements pulumi.runtime.Mocks {
    constructor(private readonly ctx: MockContext) {}

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const { type, name } = args;
        const inputs: Record<string, unknown> = args.inputs ?? {};
        const region = this.regionOf(args.provider);
        if (type.startsWith("pulumi:providers:")) {
            return { id: `${name}-provider-id`, state: { ...inputs } };
        }
        const physical = physicalName(type, name, inputs);
        // EC2-style resources are known by a prefixed random id; everything else by its physical name.
        const prefix = ID_PREFIXES[type];
        const id = prefix
            ? prefix + stableHex(type + name)
            : (ID_SHAPES[type]?.(type + name, physical, inputs) ?? physical);
        const arnOf =
            ARN_SHAPES[type] ??
            ((n: string, r: string, a: string) =>
                `arn:aws:${serviceOf(type)}:${r}:${a}:${type.split(":")[2]?.toLowerCase()}/${n}`);
        const state: Record<string, unknown> = { ...inputs, ...this.computed(type, name, physical, region, inputs) };
        if (type.startsWith("aws:") && state.arn === undefined)
            state.arn = arnOf(physical, region, MOCK_ACCOUNT_ID, id);
        if (type.startsWith("aws:") && state.name === undefined) state.name = physical;
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const region = this.regionOf(args.provider);
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const letters = ["a", "b", "c", "d", "e", "f"];
                const short = region.replace(/-(\w)\w*-/, (_m, c) => `${c}`).replace(/-/g, "");
                return {
                    id: region,
                    names: letters.slice(0, region === "us-east-1" ? 6 : 3).map((l) => `${region}${l}`),
                    zoneIds: letters.slice(0, region === "us-east-1" ? 6 : 3).map((_l, i) => `${short}-az${i + 1}`),
                    groupNames: [region],
                };
            }
            case "aws:index/getRegion:getRegion":
                return {
                    id: region,
                    name: region,
                    region,
                    description: region,
                    endpoint: `ec2.${region}.amazonaws.com`,
                };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: MOCK_ACCOUNT_ID,
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline`,
                    userId: "AIDAOFFLINE",
                };
            case "aws:index/getPartition:getPartition": {
                // China and GovCloud regions are partitions of their own; ARNs built with a literal `arn:aws:` break there.
                const partition = region.startsWith("cn-")
                    ? "aws-cn"
                    : region.startsWith("us-gov-")
                      ? "aws-us-gov"
                      : "aws";
                const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
                return {
                    id: partition,
                    partition,
                    dnsSuffix,
                    reverseDnsPrefix: dnsSuffix.split(".").reverse().join("."),
                };
            }
            case "aws:elb/getServiceAccount:getServiceAccount": {
                const account = ELB_REGION_FACTS[region]?.logAccount;
                if (!account) throw new Error(`offline engine: no ELB log-delivery account known for region ${region}`);
                return { id: account, arn: `arn:aws:iam::${account}:root`, region };
            }
            default:
                throw new Error(
                    `offline engine: no mock answer for invoke ${args.token}; add one to tools/offline/mocks.ts`,
                );
        }
    }

    private regionOf(provider: string | undefined): string {
        return (provider && this.ctx.providerRegions.get(provider)) || this.ctx.region;
    }

    /** Outputs AWS computes, for the types whose computed outputs the program reads. */
    private computed(
        type: string,
        name: string,
        physical: string,
        region: string,
        inputs: Record<string, unknown>,
    ): Record<string, unknown> {
        const h = stableHex(type + name, 12);
        switch (type) {
            case "aws:ec2/subnet:Subnet":
                return { availabilityZoneId: `${region}-az-${String(inputs.availabilityZone ?? "").slice(-1)}` };
            case "aws:ec2/eip:Eip":
                return {
                    publicIp: `198.51.100.${(parseInt(h.slice(0, 2), 16) % 250) + 1}`,
                    allocationId: `eipalloc-${stableHex(name)}`,
                };
            case "aws:ec2/securityGroup:SecurityGroup":
                return { name: inputs.name ?? physical };
            case "aws:kms/key:Key":
                return { keyId: uuidOf(physical) };
            case "aws:rds/parameterGroup:ParameterGroup":
            case "aws:elasticache/parameterGroup:ParameterGroup":
                // Autonamed like any other resource; `family` is not the group's name.
                return { name: inputs.name ?? `${name}-${stableHex(type + name, 7)}`.toLowerCase() };
            case "aws:rds/instance:Instance": {
                const address = `${physical}.${h}.${region}.rds.amazonaws.com`;
                const port = inputs.port ?? 5432;
                const secrets = inputs.manageMasterUserPassword
                    ? [
                          {
                              secretArn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:rds!db-${uuidOf(physical)}-${stableHex(physical, 6)}`,
                              secretStatus: "active",
                              kmsKeyId: inputs.masterUserSecretKmsKeyId ?? "",
                          },
                      ]
                    : [];
                return {
                    identifier: physical,
                    address,
                    endpoint: `${address}:${port}`,
                    port,
                    resourceId: `db-${stableHex(physical, 26).toUpperCase()}`,
                    masterUserSecrets: secrets,
                    hostedZoneId: "Z29XKXDKYMONMX",
                };
            }
            case "aws:rds/cluster:Cluster": {
                const host = `${physical}.cluster-${h}.${region}.rds.amazonaws.com`;
                return {
                    clusterIdentifier: physical,
                    endpoint: host,
                    readerEndpoint: host.replace(".cluster-", ".cluster-ro-"),
                    port: inputs.port ?? 5432,
                    clusterResourceId: `cluster-${stableHex(physical, 26).toUpperCase()}`,
                    hostedZoneId: "Z29XKXDKYMONMX",
                };
            }
            case "aws:rds/clusterInstance:ClusterInstance":
                return { identifier: physical, endpoint: `${physical}.${h}.${region}.rds.amazonaws.com`, port: 5432 };
            case "aws:rds/proxy:Proxy":
                return { endpoint: `${physical}.proxy-${h}.${region}.rds.amazonaws.com` };
            case "aws:rds/proxyEndpoint:ProxyEndpoint":
                return { endpoint: `${physical}.endpoint.proxy-${h}.${region}.rds.amazonaws.com` };
            case "aws:elasticache/replicationGroup:ReplicationGroup":
                return {
                    primaryEndpointAddress: `master.${physical}.${h.slice(0, 6)}.${region.replace(/-/g, "")}.cache.amazonaws.com`,
                    readerEndpointAddress: `replica.${physical}.${h.slice(0, 6)}.${region.replace(/-/g, "")}.cache.amazonaws.com`,
                    memberClusters: Array.from(
                        { length: numberOr(inputs.numCacheClusters, 1) },
                        (_v, i) => `${physical}-00${i + 1}`,
                    ),
                    port: inputs.port ?? 6379,
                };
            case "aws:elasticache/cluster:Cluster": {
                const base = `${physical}.${h.slice(0, 6)}.cfg.${region.replace(/-/g, "")}.cache.amazonaws.com`;
                const azs = Array.isArray(inputs.preferredAvailabilityZones)
                    ? inputs.preferredAvailabilityZones.map(String)
                    : [];
                const nodes = Array.from({ length: numberOr(inputs.numCacheNodes, 1) }, (_v, i) => ({
                    id: `000${i + 1}`,
                    address: base.replace(".cfg.", `.000${i + 1}.`),
                    port: inputs.port ?? 11211,
                    availabilityZone: azs[i] ?? `${region}a`,
                }));
                return {
                    clusterAddress: base,
                    configurationEndpoint: `${base}:${inputs.port ?? 11211}`,
                    cacheNodes: nodes,
                };
            }
            case "aws:elb/loadBalancer:LoadBalancer":
                return {
                    dnsName: `${physical}-${parseInt(h.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
                    zoneId: ELB_REGION_FACTS[region]?.albZoneId ?? "Z0OFFLINEELB",
                };
            case "aws:lb/loadBalancer:LoadBalancer":
            case "aws:alb/loadBalancer:LoadBalancer":
                return {
                    dnsName: `${physical}-${parseInt(h.slice(0, 8), 16)}.${region}.elb.amazonaws.com`,
                    zoneId: ELB_REGION_FACTS[region]?.albZoneId ?? "Z0OFFLINEALB",
                    arnSuffix: `app/${physical}/${stableHex(physical, 16)}`,
                };
            case "aws:lb/targetGroup:TargetGroup":
            case "aws:alb/targetGroup:TargetGroup":
                return { arnSuffix: `targetgroup/${physical}/${stableHex(physical, 16)}` };
            case "aws:ecr/repository:Repository":
                return {
                    repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${physical}`,
                    registryId: MOCK_ACCOUNT_ID,
                };
            case "awsx:ecr:Image":
                return {
                    imageUri: `${inputs.repositoryUrl ?? "offline"}@sha256:${stableHex(JSON.stringify(inputs), 64)}`,
                };
            case "aws:sesv2/emailIdentity:EmailIdentity":
                // Easy DKIM hands out three tokens; the identity's ARN is SES's, named by the domain.
                return {
                    arn: `arn:aws:ses:${region}:${MOCK_ACCOUNT_ID}:identity/${inputs.emailIdentity}`,
                    identityType: String(inputs.emailIdentity).includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
                    dkimSigningAttributes: {
                        ...(inputs.dkimSigningAttributes as Record<string, unknown> | undefined),
                        signingAttributesOrigin: "AWS_SES",
                        status: "PENDING",
                        tokens: [1, 2, 3].map((i) => stableHex(`${name}#dkim${i}`, 32)),
                    },
                };
            case "aws:ecs/taskDefinition:TaskDefinition":
                return {
                    revision: 1,
                    arnWithoutRevision: `arn:aws:ecs:${region}:${MOCK_ACCOUNT_ID}:task-definition/${physical}`,
                };
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2":
                return {
                    bucket: physical,
                    bucketDomainName: `${physical}.s3.amazonaws.com`,
                    bucketRegionalDomainName: `${physical}.s3.${region}.amazonaws.com`,
                };
            case "aws:cloudwatch/dashboard:Dashboard":
                return {
                    dashboardArn: `arn:aws:cloudwatch::${MOCK_ACCOUNT_ID}:dashboard/${inputs.dashboardName ?? physical}`,
                };
            case "aws:acm/certificate:Certificate":
                return {
                    status: "PENDING_VALIDATION",
                    domainValidationOptions: [
                        {
                            domainName: inputs.domainName,
                            resourceRecordName: `_${h}.${inputs.domainName}.`,
                            resourceRecordType: "CNAME",
                            resourceRecordValue: `_${h}.acm-validations.aws.`,
                        },
                    ],
                };
            case "random:index/randomPassword:RandomPassword":
            case "random:index/randomString:RandomString":
                return { result: fakeSecret(type + name, numberOr(inputs.length, 32)) };
            case "random:index/randomBytes:RandomBytes": {
                const bytes = Buffer.from(fakeSecret(type + name, numberOr(inputs.length, 32) * 2), "hex");
                return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
            }
            case "random:index/randomId:RandomId": {
                const bytes = Buffer.from(fakeSecret(type + name, numberOr(inputs.byteLength, 8) * 2), "hex");
                return {
                    hex: bytes.toString("hex"),
                    b64Url: bytes.toString("base64url"),
                    dec: BigInt(`0x${bytes.toString("hex")}`).toString(),
                };
            }
            default:
                return {};
        }
    }
}
