/**
 * The offline plan: what `pulumi up` would create for a stack, as a JSON document or a readable tree with
 * the settings a reviewer checks first (AZ spread, NAT strategy, Multi-AZ, encryption, protection, ...).
 * Secrets are printed only as "[secret]".
 */
import type { ProgramRun, Registration } from "./offline/engine";
import { inputsOf, plainValue } from "./offline/values";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
}

export interface PlanDocument {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    policy?: import("./policy-runner").PolicyReport;
}

export function planDocument(run: ProgramRun): PlanDocument {
    return {
        project: run.project,
        stack: run.stack,
        resources: run.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            inputs: inputsOf(r),
        })),
        outputs: plainValue(run.stackOutputs) as Record<string, unknown>,
    };
}

/** Inputs worth a glance per type; everything else is in the JSON. */
const KEY_FIELDS: Record<string, string[]> = {
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["availabilityZone", "cidrBlock"],
    "aws:ec2/natGateway:NatGateway": ["connectivityType"],
    "aws:ec2/flowLog:FlowLog": ["trafficType"],
    "aws:rds/instance:Instance": [
        "instanceClass",
        "engineVersion",
        "multiAz",
        "availabilityZone",
        "storageEncrypted",
        "backupRetentionPeriod",
        "deletionProtection",
        "finalSnapshotIdentifier",
        "replicateSourceDb",
        "manageMasterUserPassword",
    ],
    "aws:rds/proxy:Proxy": ["engineFamily", "requireTls"],
    "aws:elasticache/replicationGroup:ReplicationGroup": [
        "nodeType",
        "numCacheClusters",
        "automaticFailoverEnabled",
        "multiAzEnabled",
        "transitEncryptionEnabled",
        "atRestEncryptionEnabled",
        "authToken",
        "snapshotRetentionLimit",
    ],
    "aws:elasticache/cluster:Cluster": [
        "engine",
        "nodeType",
        "numCacheNodes",
        "azMode",
        "preferredAvailabilityZones",
        "transitEncryptionEnabled",
    ],
    "aws:backup/plan:Plan": ["rules"],
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": [
        "changeableForDays",
        "minRetentionDays",
        "maxRetentionDays",
    ],
    "aws:backup/selection:Selection": ["selectionTags"],
    "aws:lb/loadBalancer:LoadBalancer": ["internal", "subnets", "dropInvalidHeaderFields", "enableDeletionProtection"],
    "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy", "defaultActions"],
    "aws:route53/record:Record": ["name", "type", "failoverRoutingPolicies", "setIdentifier"],
    "aws:route53/healthCheck:HealthCheck": ["fqdn", "resourcePath", "requestInterval", "failureThreshold"],
    "aws:ecs/service:Service": [
        "desiredCount",
        "deploymentMinimumHealthyPercent",
        "deploymentCircuitBreaker",
        "networkConfiguration",
    ],
    "aws:appautoscaling/target:Target": ["minCapacity", "maxCapacity"],
    "aws:appautoscaling/scheduledAction:ScheduledAction": ["schedule", "timezone", "scalableTargetAction"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        "cidrIpv4",
        "cidrIpv6",
        "referencedSecurityGroupId",
        "fromPort",
        "toPort",
    ],
    "aws:kms/key:Key": ["enableKeyRotation"],
    "aws:fis/experimentTemplate:ExperimentTemplate": ["description"],
    "awsx:ecr:Image": ["imageTag", "platform"],
    "aws:lb/listenerRule:ListenerRule": ["priority", "conditions", "actions"],
    "aws:sesv2/emailIdentity:EmailIdentity": ["emailIdentity"],
    "aws:cloudwatch/eventRule:EventRule": ["description"],
};

function brief(value: unknown): string {
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
    return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

/** What the tree and the summary read about a run, each computed once. */
interface PlanView {
    inputs: Map<Registration, Record<string, unknown>>;
    /** AZ of each subnet, by subnet id. */
    subnetAz: Map<string, string>;
    children: Map<string, Registration[]>;
}

function viewOf(run: ProgramRun): PlanView {
    const view: PlanView = { inputs: new Map(), subnetAz: new Map(), children: new Map() };
    for (const r of run.resources) {
        const inputs = inputsOf(r);
        view.inputs.set(r, inputs);
        if (r.type === "aws:ec2/subnet:Subnet" && r.id) view.subnetAz.set(r.id, String(inputs.availabilityZone));
        const key = r.parent ?? "";
        const siblings = view.children.get(key);
        if (siblings) siblings.push(r);
        else view.children.set(key, [r]);
    }
    return view;
}

/** AZ of a resource placed in one subnet (NAT gateways, say), looked up from the subnet it names. */
function azOf(r: Registration, view: PlanView): string | undefined {
    const subnetId = view.inputs.get(r)!.subnetId;
    return typeof subnetId === "string" ? view.subnetAz.get(subnetId) : undefined;
}

export function planText(run: ProgramRun): string {
    const view = viewOf(run);
    const lines: string[] = [
        `${run.project} · stack ${run.stack} · region ${run.config["aws:region"]} · ${run.resources.length} resources`,
        "",
    ];
    const walk = (r: Registration, prefix: string, last: boolean, root: boolean) => {
        const inputs = view.inputs.get(r)!;
        const kids = view.children.get(r.urn) ?? [];
        const fields = (KEY_FIELDS[r.type] ?? [])
            .filter((k) => inputs[k] !== undefined)
            .map((k) => `${k}=${brief(inputs[k])}`);
        const az = azOf(r, view);
        if (az) fields.unshift(`az=${az}`);
        const flags = [
            r.options.protect ? "protected" : "",
            r.options.retainOnDelete ? "retained-on-delete" : "",
        ].filter(Boolean);
        const branch = root ? "" : last ? "└─ " : "├─ ";
        lines.push(`${prefix}${branch}${r.type} ${r.name}${flags.length ? ` [${flags.join(", ")}]` : ""}`);
        const childPrefix = root ? "" : prefix + (last ? "   " : "│  ");
        for (const f of fields) lines.push(`${childPrefix}${kids.length ? "│ " : "  "}   ${f}`);
        kids.forEach((k, i) => walk(k, childPrefix, i === kids.length - 1, false));
    };
    for (const root of view.children.get("") ?? []) walk(root, "", true, true);
    lines.push("", "Summary", ...summary(run, view));
    const outputs = plainValue(run.stackOutputs) as Record<string, unknown>;
    if (Object.keys(outputs).length)
        lines.push("", "Outputs", ...Object.entries(outputs).map(([k, v]) => `  ${k}: ${brief(v)}`));
    return lines.join("\n");
}

function summary(run: ProgramRun, view: PlanView): string[] {
    const count = (type: string) => run.resources.filter((r) => r.type === type);
    const azs = [...new Set(view.subnetAz.values())].sort();
    const tierOf = (r: Registration) =>
        String(((view.inputs.get(r)!.tags ?? {}) as Record<string, string>)["boxoffice:subnet-tier"] ?? "?");
    const subnetsByTier = new Map<string, number>();
    for (const s of count("aws:ec2/subnet:Subnet"))
        subnetsByTier.set(tierOf(s), (subnetsByTier.get(tierOf(s)) ?? 0) + 1);
    const natAzs = count("aws:ec2/natGateway:NatGateway").map((n) => azOf(n, view) ?? "?");
    const out = [
        `  availability zones: ${azs.join(", ") || "none"}`,
        `  subnets: ${[...subnetsByTier].map(([t, n]) => `${n} ${t}`).join(", ") || "none"}`,
        `  NAT gateways: ${natAzs.length} in ${natAzs.join(", ") || "-"} (${natAzs.length >= azs.length && azs.length > 0 ? "one per AZ" : "shared"})`,
    ];
    const byType = new Map<string, number>();
    for (const r of run.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    out.push(
        "  resources by type:",
        ...[...byType].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `    ${String(n).padStart(3)}  ${t}`),
    );
    return out;
}
