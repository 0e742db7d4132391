/**
 * What the rehearsal reads from a stack's offline plan (`npm run plan -- --stack <s> --json`): the load
 * balancers' target-group health checks, the Route 53 failover records and their health checks, and the
 * containers of the ECS task definitions. Reading them here, instead of copying numbers into the rehearsal,
 * means the drill exercises exactly the settings `pulumi up` would ship.
 */

/** The parts of the plan document (tools/plan.ts) this module reads. */
export interface PlanLike {
    stack: string;
    resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
    outputs?: Record<string, unknown>;
}

/** An ALB target group's health check, with AWS's defaults where the plan leaves a field out. */
export interface TargetGroupHealth {
    targetGroup: string;
    path: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    /** ALB matcher syntax: "200", "200-299", "200,204". */
    matcher: string;
    deregistrationDelaySeconds: number;
    port: number;
}

/** A listener rule answering fixed content for some paths instead of forwarding (e.g. /admin → 404). */
export interface FixedResponseRule {
    priority: number;
    /** ALB path patterns: case-sensitive, `*` any characters, `?` one. */
    paths: string[];
    status: number;
    contentType: string;
    body: string;
}

export interface LoadBalancerSettings {
    role: "primary" | "secondary";
    /** HTTPS when the load balancer has an HTTPS listener forwarding to its target group. */
    protocol: "HTTP" | "HTTPS";
    health: TargetGroupHealth;
    /** Fixed responses of the listener that forwards, in priority order. */
    fixedResponses: FixedResponseRule[];
}

/** A Route 53 health check behind a PRIMARY or SECONDARY failover record. */
export interface DnsFailoverCheck {
    role: "PRIMARY" | "SECONDARY";
    resourcePath: string;
    requestIntervalSeconds: number;
    failureThreshold: number;
    type: string;
    /** The alias record also fails over when its load balancer has no healthy target. */
    evaluateTargetHealth: boolean;
}

export interface DnsFailoverSettings {
    /** The public name the records answer for, e.g. tickets.example.com. */
    recordName: string;
    primary: DnsFailoverCheck;
    secondary: DnsFailoverCheck;
}

export interface ContainerSettings {
    /** The task definition's family, e.g. boxoffice-prod-app. */
    family: string;
    command: string[];
    /** "uid:gid" the container runs as, when the task definition sets one. */
    user?: string;
    environment: Record<string, string>;
    /** Names of the secrets ECS injects (values live in Secrets Manager, never in the plan). */
    secretNames: string[];
    stopTimeoutSeconds?: number;
    desiredCount?: number;
}

export interface RehearsalPlan {
    stack: string;
    loadBalancers: LoadBalancerSettings[];
    /** Absent when the stack has no Route 53 failover records (e.g. staging without a domain). */
    dnsFailover?: DnsFailoverSettings;
    app: ContainerSettings;
    worker: ContainerSettings;
}

export class PlanSettingsError extends Error {}

/**
 * AWS's defaults for an ALB target group (HTTP, target type ip): interval 30 s, timeout 5 s, healthy 5,
 * unhealthy 2, path "/", matcher 200, deregistration delay 300 s.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 */
export const ALB_HEALTH_DEFAULTS = {
    path: "/",
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThreshold: 5,
    unhealthyThreshold: 2,
    matcher: "200",
    deregistrationDelaySeconds: 300,
};

/**
 * Route 53 health check defaults: request interval 30 s, failure threshold 3.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 */
export const ROUTE53_DEFAULTS = { requestIntervalSeconds: 30, failureThreshold: 3, resourcePath: "/" };

const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const LISTENER_RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";

function num(value: unknown, fallback: number): number {
    if (value === undefined || value === null || value === "") return fallback;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new PlanSettingsError(`expected a number, got ${JSON.stringify(value)}`);
    return n;
}

/** Plan JSON shapes read below: the provider's input names, every field optional as in the plan. */
interface HealthCheckInputs {
    enabled?: boolean;
    path?: string;
    interval?: unknown;
    timeout?: unknown;
    healthyThreshold?: unknown;
    unhealthyThreshold?: unknown;
    matcher?: unknown;
    port?: unknown;
}
interface RuleAction {
    type?: string;
    fixedResponse?: { statusCode?: unknown; contentType?: unknown; messageBody?: unknown };
}
interface RuleCondition {
    pathPattern?: { values?: string[] };
}
interface FailoverRecordInputs {
    failoverRoutingPolicies: { type?: string }[];
    aliases?: { name?: string; evaluateTargetHealth?: boolean }[];
}
interface ContainerDefinition {
    command?: string[];
    environment?: { name: string; value: unknown }[];
    user?: string;
    secrets?: { name: string }[];
    stopTimeout?: number;
}

/** A failover record's inputs (dnsFailover keeps only records whose `failoverRoutingPolicies` is a list). */
function recordOf(r: { inputs: Record<string, unknown> }): FailoverRecordInputs {
    return r.inputs as unknown as FailoverRecordInputs;
}

function targetGroupHealth(name: string, inputs: Record<string, unknown>): TargetGroupHealth {
    const hc = (inputs.healthCheck ?? {}) as HealthCheckInputs;
    if (hc.enabled === false) throw new PlanSettingsError(`target group ${name} has its health check disabled`);
    const d = ALB_HEALTH_DEFAULTS;
    return {
        targetGroup: name,
        path: hc.path ?? d.path,
        intervalSeconds: num(hc.interval, d.intervalSeconds),
        timeoutSeconds: num(hc.timeout, d.timeoutSeconds),
        healthyThreshold: num(hc.healthyThreshold, d.healthyThreshold),
        unhealthyThreshold: num(hc.unhealthyThreshold, d.unhealthyThreshold),
        matcher: String(hc.matcher ?? d.matcher),
        deregistrationDelaySeconds: num(inputs.deregistrationDelay, d.deregistrationDelaySeconds),
        port: num(hc.port === "traffic-port" ? undefined : hc.port, num(inputs.port, 80)),
    };
}

/** Primary first: by the tier's role tag when present, else in declaration order. */
function byRole<T extends { inputs: Record<string, unknown> }>(items: T[]): T[] {
    const rank = (r: T) =>
        (({ primary: 0, secondary: 1 }) as Record<string, number>)[
            (r.inputs.tags as Record<string, string> | undefined)?.["boxoffice:role"] ?? ""
        ] ?? 2;
    return items
        .map((r, i) => ({ r, i }))
        .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
        .map((x) => x.r);
}

function loadBalancers(plan: PlanLike): LoadBalancerSettings[] {
    const groups = byRole(plan.resources.filter((r) => r.type === TARGET_GROUP));
    if (groups.length < 2) {
        throw new PlanSettingsError(
            `the ${plan.stack} plan has ${groups.length} target group(s); the rehearsal needs the paired load balancers' two`,
        );
    }
    const listeners = plan.resources.filter((r) => r.type === LISTENER);
    const forwarding = listeners.filter((l) => JSON.stringify(l.inputs.defaultActions ?? []).includes("forward"));
    const https = forwarding.some((l) => l.inputs.protocol === "HTTPS");
    const fixed = fixedResponses(
        plan,
        forwarding.filter((l) => (l.inputs.protocol === "HTTPS") === https).map((l) => l.name),
    );
    return groups.slice(0, 2).map((g, i) => ({
        role: i === 0 ? "primary" : "secondary",
        protocol: https ? "HTTPS" : "HTTP",
        health: targetGroupHealth(g.name, g.inputs),
        fixedResponses: fixed,
    }));
}

/**
 * Fixed-response rules on the forwarding listeners (the same on both load balancers in our stacks; the
 * rehearsal applies their union to both). A rule belongs to a listener when its listenerArn names it.
 */
function fixedResponses(plan: PlanLike, listenerNames: string[]): FixedResponseRule[] {
    const rules = plan.resources.filter(
        (r) =>
            r.type === LISTENER_RULE &&
            (listenerNames.length === 0 ||
                listenerNames.some(
                    (n) =>
                        String(r.inputs.listenerArn ?? "").includes(`/${n}-`) ||
                        String(r.inputs.listenerArn ?? "").endsWith(`/${n}`),
                )),
    );
    const seen = new Map<string, FixedResponseRule>();
    for (const r of rules) {
        const conditions = (r.inputs.conditions ?? []) as RuleCondition[];
        const action = ((r.inputs.actions ?? []) as RuleAction[]).find(
            (a) => a.type === "fixed-response",
        )?.fixedResponse;
        const paths: string[] = conditions.flatMap((c) => c.pathPattern?.values ?? []);
        const other = conditions.some((c) => !c.pathPattern);
        if (!action || paths.length === 0 || other) continue;
        const rule = {
            priority: num(r.inputs.priority, 50000),
            paths,
            status: num(action.statusCode, 200),
            contentType: String(action.contentType ?? "text/plain"),
            body: String(action.messageBody ?? ""),
        };
        seen.set(JSON.stringify([rule.paths, rule.status, rule.body]), rule);
    }
    return [...seen.values()].sort((a, b) => a.priority - b.priority);
}

/** An ALB path pattern as an anchored regular expression. */
export function pathPatternRegex(pattern: string): string {
    return `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`;
}

function dnsFailover(plan: PlanLike): DnsFailoverSettings | undefined {
    const records = plan.resources.filter((r) => r.type === RECORD && Array.isArray(r.inputs.failoverRoutingPolicies));
    if (records.length === 0) return undefined;
    const checks = plan.resources.filter((r) => r.type === HEALTH_CHECK);
    const find = (role: "PRIMARY" | "SECONDARY"): DnsFailoverCheck => {
        const record = records.find((r) => recordOf(r).failoverRoutingPolicies.some((p) => p.type === role));
        if (!record) throw new PlanSettingsError(`the ${plan.stack} plan has failover records but no ${role} one`);
        // The record aliases a load balancer and its health check probes that same name: join on it.
        const target = recordOf(record).aliases?.[0]?.name;
        const check =
            checks.find((c) => target !== undefined && c.inputs.fqdn === target) ?? checks[role === "PRIMARY" ? 0 : 1];
        if (!check)
            throw new PlanSettingsError(`the ${role} failover record of the ${plan.stack} plan has no health check`);
        return {
            role,
            resourcePath: String(check.inputs.resourcePath ?? ROUTE53_DEFAULTS.resourcePath),
            requestIntervalSeconds: num(check.inputs.requestInterval, ROUTE53_DEFAULTS.requestIntervalSeconds),
            failureThreshold: num(check.inputs.failureThreshold, ROUTE53_DEFAULTS.failureThreshold),
            type: String(check.inputs.type ?? "HTTP"),
            evaluateTargetHealth: recordOf(record).aliases?.[0]?.evaluateTargetHealth === true,
        };
    };
    const primary = find("PRIMARY");
    const secondary = find("SECONDARY");
    return { recordName: String(records[0].inputs.name).replace(/\.$/, ""), primary, secondary };
}

function containerOf(name: string, inputs: Record<string, unknown>): ContainerSettings & { entry: string } {
    const defs: unknown =
        typeof inputs.containerDefinitions === "string"
            ? JSON.parse(inputs.containerDefinitions)
            : inputs.containerDefinitions;
    if (!Array.isArray(defs) || defs.length !== 1) {
        throw new PlanSettingsError(`task definition ${name}: expected one container definition`);
    }
    const c = defs[0] as ContainerDefinition;
    const command: string[] = c.command ?? [];
    const environment: Record<string, string> = {};
    for (const e of c.environment ?? []) environment[e.name] = String(e.value);
    return {
        family: String(inputs.family ?? name),
        command,
        entry: command.find((part) => /\.js$/.test(part)) ?? "",
        user: c.user,
        environment,
        secretNames: (c.secrets ?? []).map((s) => s.name),
        stopTimeoutSeconds: c.stopTimeout,
    };
}

/** The API runs dist/server.js, the worker dist/worker.js (app/Dockerfile): tell them apart by command. */
function containers(plan: PlanLike): { app: ContainerSettings; worker: ContainerSettings } {
    const tasks = plan.resources.filter((r) => r.type === TASK_DEFINITION).map((r) => containerOf(r.name, r.inputs));
    const app = tasks.find((t) => t.entry.endsWith("server.js"));
    const worker = tasks.find((t) => t.entry.endsWith("worker.js"));
    if (!app || !worker) {
        throw new PlanSettingsError(
            `the ${plan.stack} plan needs an API task (dist/server.js) and a worker task (dist/worker.js); found ${tasks.map((t) => t.entry || "?").join(", ") || "none"}`,
        );
    }
    const services = plan.resources.filter((r) => r.type === SERVICE);
    for (const t of [app, worker]) {
        // A service names its task definition by ARN: ...:task-definition/<family>:<revision>.
        const service = services.find((s) =>
            String(s.inputs.taskDefinition ?? "").includes(`task-definition/${t.family}:`),
        );
        if (service?.inputs.desiredCount !== undefined) t.desiredCount = Number(service.inputs.desiredCount);
        delete (t as Partial<typeof t>).entry;
    }
    return { app, worker };
}

export function settingsFromPlan(plan: PlanLike): RehearsalPlan {
    return {
        stack: plan.stack,
        loadBalancers: loadBalancers(plan),
        dnsFailover: dnsFailover(plan),
        ...containers(plan),
    };
}

/**
 * ALB matcher ("200", "200-299", "200,202") as the status codes it accepts; HAProxy's check and the
 * Route 53 stand-in both need the explicit set.
 */
export function matcherCodes(matcher: string): number[] {
    const codes = new Set<number>();
    for (const part of matcher
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const range = /^(\d{3})-(\d{3})$/.exec(part);
        if (range) {
            const [lo, hi] = [Number(range[1]), Number(range[2])];
            if (lo > hi) throw new PlanSettingsError(`invalid matcher range ${part}`);
            for (let c = lo; c <= hi; c++) codes.add(c);
        } else if (/^\d{3}$/.test(part)) {
            codes.add(Number(part));
        } else {
            throw new PlanSettingsError(`invalid health check matcher ${JSON.stringify(matcher)}`);
        }
    }
    if (codes.size === 0) throw new PlanSettingsError("empty health check matcher");
    return [...codes].sort((a, b) => a - b);
}
