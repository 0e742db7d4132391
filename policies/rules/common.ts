/**
 * Shared helpers for the rule modules: reading tags, numbers and booleans from resource props the way they
 * arrive from the engine (numbers may come as strings from some providers, tags may be absent), and the
 * small vocabulary every rule needs. Nothing here knows boxoffice's component classes: rules judge AWS
 * resource types and the `boxoffice:*` tags only, so they hold for any program that sets those tags.
 */
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    validateResourceOfType,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import { BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG, TIER_TAG, TIERS, Tier } from "@boxoffice/tags";

export { BACKUP_TAG, BACKUP_TAG_VALUE, ENVIRONMENT_TAG, TIER_TAG, TIERS };
export type { Tier };

/** AWS resource type tokens the rules judge (kept in one place so a typo cannot silently disable a rule). */
export const T = {
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    rdsSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    rdsProxy: "aws:rds/proxy:Proxy",
    rdsProxyTarget: "aws:rds/proxyTarget:ProxyTarget",
    cacheReplicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    cacheCluster: "aws:elasticache/cluster:Cluster",
    cacheSubnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    /** The same resource as `loadBalancer` under the provider's other module name (aws.alb.LoadBalancer). */
    albLoadBalancer: "aws:alb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    classicElb: "aws:elb/loadBalancer:LoadBalancer",
    wafAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    ecsService: "aws:ecs/service:Service",
    ecsTaskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    ecsCluster: "aws:ecs/cluster:Cluster",
    scalingTarget: "aws:appautoscaling/target:Target",
    scheduledAction: "aws:appautoscaling/scheduledAction:ScheduledAction",
    backupPlan: "aws:backup/plan:Plan",
    backupVault: "aws:backup/vault:Vault",
    backupVaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    backupSelection: "aws:backup/selection:Selection",
    natGateway: "aws:ec2/natGateway:NatGateway",
    subnet: "aws:ec2/subnet:Subnet",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    kmsKey: "aws:kms/key:Key",
    ec2Instance: "aws:ec2/instance:Instance",
    autoscalingGroup: "aws:autoscaling/group:Group",
    dynamoTable: "aws:dynamodb/table:Table",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    accountPublicAccessBlock: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    record: "aws:route53/record:Record",
} as const;

/** Every type token of an Application/Network Load Balancer (aws.lb.* and aws.alb.* are the same resources). */
export const LOAD_BALANCER_TYPES: readonly string[] = [T.loadBalancer, T.albLoadBalancer];
export const LISTENER_TYPES: readonly string[] = [T.listener, T.albListener];
/** Every load balancer a public entry point can be: ALB/NLB under either module name, and the classic ELB. */
export const ANY_LOAD_BALANCER_TYPES: readonly string[] = [...LOAD_BALANCER_TYPES, T.classicElb];
/** S3 buckets: `aws.s3.Bucket` and the deprecated `aws.s3.BucketV2` (provider v7). */
export const BUCKET_TYPES: readonly string[] = [T.bucket, T.bucketV2];

export type Props = Record<string, unknown>;

/** Resource tags, or an empty object: `tags` is optional on every AWS resource. */
export function tagsOf(props: Props): Record<string, string> {
    const tags = props.tags;
    // Auto Scaling groups take tags as a list of { key, value, propagateAtLaunch }.
    if (Array.isArray(tags))
        return Object.fromEntries(
            tags.filter((t) => t && typeof t.key === "string").map((t) => [t.key, String(t.value)]),
        );
    return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

export function tierOf(props: Props): Tier | undefined {
    const value = tagsOf(props)[TIER_TAG];
    return (TIERS as readonly string[]).includes(value) ? (value as Tier) : undefined;
}

/** Numbers can arrive as strings (e.g. from YAML programs or older providers); anything else is undefined. */
export function num(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** Booleans likewise (`"true"` survives from providers that typed a flag as a string in older versions). */
export function bool(value: unknown): boolean | undefined {
    if (typeof value === "boolean") return value;
    if (value === "true") return true;
    if (value === "false") return false;
    return undefined;
}

export function list<X = unknown>(value: unknown): X[] {
    return Array.isArray(value) ? (value as X[]) : [];
}

export function isSet(value: unknown): boolean {
    return value !== undefined && value !== null && value !== "";
}

/** An RDS instance that replicates another is judged differently: it is rebuilt from its source. */
export function isReadReplica(props: Props): boolean {
    return isSet(props.replicateSourceDb);
}

/** Reports every message of a pure check; the rule wrapper passes the resource's URN for stack rules. */
export function reportAll(report: ReportViolation, messages: string[], urn?: string): void {
    for (const message of messages) report(message, urn);
}

/** Resources of one type in a stack validation, with their props (already behind the unknown-value proxy). */
export function ofType(args: StackValidationArgs, type: string | readonly string[]): PolicyResource[] {
    return args.resources.filter((r) => (typeof type === "string" ? r.type === type : type.includes(r.type)));
}

/**
 * Whether `target` is referenced by `from` through the given property: first by the engine's property
 * dependencies (URNs, exact), then by value (the target's id, ARN or name appearing in the property), which
 * is what a program that passes plain strings leaves behind.
 */
export function references(from: PolicyResource, property: string, target: PolicyResource): boolean {
    const deps = from.propertyDependencies[property];
    if (deps && deps.some((d) => d.urn === target.urn)) return true;
    const keys = identifiersOf(target);
    if (keys.length === 0) return false;
    return flatStrings(known(from.props, property)).some((v) => keys.includes(v));
}

/**
 * Reads a property that may be unknown during a preview (an id or ARN not yet assigned) without failing the
 * whole stack policy: a value that is not known yet cannot match anything, so it counts as absent.
 */
export function known(props: Props, key: string): unknown {
    try {
        return props[key];
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** The strings other resources may use to point at a resource: its id, ARN, name and identifier. */
export function identifiersOf(r: PolicyResource): string[] {
    const out: string[] = [];
    for (const key of ["id", "arn", "name", "identifier", "replicationGroupId", "clusterId"]) {
        const v = known(r.props, key);
        if (typeof v === "string" && v !== "") out.push(v);
    }
    return out;
}

export function flatStrings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(flatStrings);
    return [];
}

/** Formats a list of AZs for messages. */
export function azList(azs: Iterable<string>): string {
    const sorted = [...azs].sort();
    return sorted.length ? sorted.join(", ") : "none";
}

// ------------------------------------------------------------------------------------------------------
// Rule definitions. Each rule is metadata plus a pure check returning violation messages; the wrappers
// below turn it into a CrossGuard policy so that the engine (or the offline runner, which uses the same
// handlers) applies type filtering, config, `notApplicable` and enforcement levels.
// ------------------------------------------------------------------------------------------------------

export interface RuleMeta {
    name: string;
    /** One sentence: what the rule guarantees. */
    description: string;
    severity: Severity;
    /** Numbered steps a reviewer can follow to fix a violation. */
    remediationSteps: string;
    /** The level when no policy config says otherwise (`pulumi preview --policy-pack` without a config file). */
    enforcementLevel?: EnforcementLevel;
    configSchema?: PolicyConfigSchema;
}

/** A check's verdict: messages (empty = compliant), or a reason why the rule does not apply. */
export type Verdict = string[] | { notApplicable: string };

/** The config a check sees: what the engine passed, over the schema defaults (the CLI fills those in too). */
export function configWithDefaults<C>(schema: PolicyConfigSchema | undefined, given: object): C {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) out[key] = prop.default;
    }
    return { ...out, ...(given as Record<string, unknown>) } as C;
}

/** A resource class as the SDK's `validateResourceOfType` takes it (its own parameter type, not a copy). */
type ResourceClass<TResource extends Resource, TArgs> = Parameters<typeof validateResourceOfType<TResource, TArgs>>[0];

/**
 * A rule over one AWS resource type, or over several whose props have the same shape (the same resource
 * under two module names, e.g. aws.lb.LoadBalancer and aws.alb.LoadBalancer): pass the classes as a list.
 */
export function resourceRule<TResource extends Resource, TArgs, C = Record<string, never>>(
    meta: RuleMeta,
    resourceClass: ResourceClass<TResource, TArgs> | ResourceClass<Resource, never>[],
    check: (props: Unwrap<NonNullable<TArgs>>, config: C, args: ResourceValidationArgs) => Verdict,
): ResourceValidationPolicy {
    const classes = (Array.isArray(resourceClass) ? resourceClass : [resourceClass]) as ResourceClass<
        TResource,
        TArgs
    >[];
    const validations = classes.map((cls) =>
        validateResourceOfType(cls, (props, args, report) => {
            const verdict = check(props, configWithDefaults<C>(meta.configSchema, args.getConfig()), args);
            if (!Array.isArray(verdict)) args.notApplicable(verdict.notApplicable);
            else reportAll(report, verdict);
        }),
    );
    return {
        ...meta,
        enforcementLevel: meta.enforcementLevel ?? "mandatory",
        validateResource: validations.length === 1 ? validations[0] : validations,
    };
}

/** A violation of a stack rule, attributed to one resource (or to the stack when `urn` is absent). */
export interface StackFinding {
    message: string;
    urn?: string;
}

/** A rule over the whole stack: every resource's props, parent and dependencies. */
export function stackRule<C = Record<string, never>>(
    meta: RuleMeta,
    check: (args: StackValidationArgs, config: C) => StackFinding[] | { notApplicable: string },
): StackValidationPolicy {
    return {
        ...meta,
        enforcementLevel: meta.enforcementLevel ?? "mandatory",
        validateStack: (args, report) => {
            const findings = check(args, configWithDefaults<C>(meta.configSchema, args.getConfig()));
            if (!Array.isArray(findings)) args.notApplicable(findings.notApplicable);
            else for (const f of findings) report(f.message, f.urn);
        },
    };
}
