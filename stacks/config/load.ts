/**
 * Parses the stack's `boxoffice:*` config once, before any resource is registered. Every problem is
 * collected and reported in one error, one line each: `boxoffice:<key>.<path> = <value>: <rule>`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    BACKUP_START_WINDOW_MINUTES,
    DEFAULT_BACKUP_SCHEDULES,
    nodesPerAzProblem,
    rateLimitOrderProblem,
    rateLimitQueueJoinProblem,
    scheduleConflict,
} from "@boxoffice/components";
import { DEFAULTS } from "./defaults";
import { AWS_REGIONS, AZ_COUNTS, didYouMean, localDateTime } from "./rules";
import { PlatformConfig, TOP_LEVEL_KEYS, platformSchema } from "./schema";

const NAMESPACE = "boxoffice";

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `Invalid boxoffice stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
        );
        this.name = "ConfigError";
    }
}

/** What the platform needs besides `boxoffice:*`: the region of the default AWS provider. */
export interface StackSettings {
    config: PlatformConfig;
    region: string;
}

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
    if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
    const out: Raw = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
}

function show(value: unknown): string {
    return value === undefined ? "(missing)" : JSON.stringify(value);
}

function keyOf(path: PropertyKey[]): string {
    const [section, ...rest] = path.map(String);
    return `${NAMESPACE}:${section}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((v, p) => (v === null || v === undefined ? undefined : (v as Raw)[p as string]), root);
}

/** Config values arrive as strings; objects and lists as JSON. */
function decode(key: string, text: string, problems: string[]): unknown {
    const trimmed = text.trim();
    if (!/^[[{"]/.test(trimmed) && !/^(true|false|null|-?\d+(\.\d+)?)$/.test(trimmed)) return text;
    try {
        return JSON.parse(trimmed);
    } catch {
        problems.push(`${key} = ${text}: is not valid JSON/YAML structure`);
        return undefined;
    }
}

/** Rules that relate fields to each other or to other config; each names the key it blames. */
function crossFieldProblems(c: PlatformConfig, region: string, now: Date): string[] {
    const p: string[] = [];
    const k = (path: string, value: unknown, rule: string) => p.push(`${NAMESPACE}:${path} = ${show(value)}: ${rule}`);
    // Rules within one section (storage headroom, backups behind replicas, overlapping windows, retention order,
    // Fargate sizes, task bounds, …) are the components' contracts' and were checked with the schema.
    const db = c.database;
    // The AWS Backup rules start at fixed times; RDS windows moved onto them would make those jobs expire.
    const clashes = Object.entries(DEFAULT_BACKUP_SCHEDULES)
        .map(([rule, expr]) => ({ rule, expr, conflict: scheduleConflict(expr, BACKUP_START_WINDOW_MINUTES, db) }))
        .filter((x) => x.conflict);
    if (clashes.length > 0) {
        const rules = clashes.map((x) => `${x.rule} ${x.expr}`).join(", ");
        k(
            "database.maintenanceWindow",
            db.maintenanceWindow,
            `with backupWindow ${db.backupWindow}: the AWS Backup rule(s) ${rules} ${clashes[0].conflict}; the rules start between 07:00 and 08:00 UTC: keep the maintenance window out of 06:00-09:00 and the backup window out of 07:00-08:00`,
        );
    }
    const azs = AZ_COUNTS[region as keyof typeof AZ_COUNTS];
    if (azs !== undefined && c.network.availabilityZones > azs) {
        k(
            "network.availabilityZones",
            c.network.availabilityZones,
            `must not exceed the ${azs} Availability Zones of ${region} (AWS Regions and Availability Zones)`,
        );
    }
    const perAz = nodesPerAzProblem(c.memcached.nodes, c.network.availabilityZones, "network.availabilityZones");
    if (perAz) k("memcached.nodes", c.memcached.nodes, perAz);
    const b = c.backup;
    if (b.copyToRegion === region)
        k(
            "backup.copyToRegion",
            b.copyToRegion,
            `must differ from aws:region (${region}); a copy in the same region does not survive a regional outage`,
        );
    if (b.vaultLock && c.environment === "prod" && b.vaultLockMode !== "compliance") {
        k(
            "backup.vaultLockMode",
            b.vaultLockMode,
            "must be compliance in prod (governance mode lets privileged users delete recovery points)",
        );
    }
    const lb = c.loadBalancers;
    if ((lb.domain === null) !== (lb.hostedZoneId === null)) {
        k(
            lb.domain === null ? "loadBalancers.domain" : "loadBalancers.hostedZoneId",
            lb.domain === null ? lb.domain : lb.hostedZoneId,
            "domain and hostedZoneId must be set together (DNS failover needs both)",
        );
    }
    if (c.environment === "prod" && lb.certificateArn === null && lb.domain === null) {
        k(
            "loadBalancers.domain",
            lb.domain,
            "prod needs domain + hostedZoneId (or certificateArn) so the ALBs serve HTTPS; plain HTTP is a staging-only opt-out",
        );
    }
    if (lb.certificateArn !== null && lb.domain === null)
        k("loadBalancers.certificateArn", lb.certificateArn, "needs loadBalancers.domain");
    if (lb.certificateArn !== null && !lb.certificateArn.includes(`:acm:${region}:`)) {
        k(
            "loadBalancers.certificateArn",
            lb.certificateArn,
            `must be in ${region}: an ALB only uses certificates from its own region`,
        );
    }
    const rates = rateLimitOrderProblem(lb.orderRateLimitPer5Min, lb.browseRateLimitPer5Min);
    if (rates) k("loadBalancers.orderRateLimitPer5Min", lb.orderRateLimitPer5Min, rates);
    const joins = rateLimitQueueJoinProblem(lb.queueJoinRateLimitPer5Min, lb.browseRateLimitPer5Min);
    if (joins) k("loadBalancers.queueJoinRateLimitPer5Min", lb.queueJoinRateLimitPer5Min, joins);
    const profiles = [
        ...c.scaling.schedules.map((s, i) => ({ path: `scaling.schedules[${i}]`, s })),
        ...(c.scaling.onSale ? [{ path: "scaling.onSale", s: c.scaling.onSale }] : []),
    ];
    for (const { path, s } of profiles) {
        if ([s.appMinTasks, s.appMaxTasks, s.workerMinTasks, s.workerMaxTasks].every((v) => v === undefined)) {
            k(path, s.name, "must set at least one of appMinTasks, appMaxTasks, workerMinTasks, workerMaxTasks");
        }
        for (const svc of ["app", "worker"] as const) {
            const min = s[`${svc}MinTasks`];
            const max = s[`${svc}MaxTasks`];
            if (min !== undefined && max !== undefined && min > max)
                k(`${path}.${svc}MinTasks`, min, `must not exceed ${svc}MaxTasks (${max})`);
            // Without its own maximum the profile keeps the service's, and a floor above the ceiling cannot hold.
            else if (min !== undefined && max === undefined && min > c[svc].maxTasks) {
                k(
                    `${path}.${svc}MinTasks`,
                    min,
                    `must not exceed ${svc}.maxTasks (${c[svc].maxTasks}); raise ${svc}.maxTasks or set ${svc}MaxTasks in the same profile`,
                );
            }
        }
    }
    const gd = c.gameDays;
    // With one task the app drill is skipped (stopping the only task is an outage); from two, it must hit one.
    if (gd.enabled && c.app.minTasks >= 2 && Math.floor((c.app.minTasks * gd.stopTaskPercent) / 100) < 1) {
        k(
            "gameDays.stopTaskPercent",
            gd.stopTaskPercent,
            `must stop at least one whole task at app.minTasks (${c.app.minTasks}): FIS stops PERCENT(n) of the tasks it finds, rounded down at worst`,
        );
    }
    const names = c.scaling.schedules.map((s) => s.name);
    names.forEach((n, i) => {
        if (names.indexOf(n) !== i) k(`scaling.schedules[${i}].name`, n, "must be unique");
    });
    const sale = c.scaling.onSale;
    if (sale && !(sale.start < sale.end)) k("scaling.onSale.end", sale.end, `must be after start (${sale.start})`);
    else if (sale) {
        const localNow = localDateTime(sale.timezone, now);
        if (sale.end <= localNow) {
            k(
                "scaling.onSale.end",
                sale.end,
                `is in the past (it is ${localNow} in ${sale.timezone}): the whole on-sale window is over and its scaling would never run; move it or set onSale to null`,
            );
        }
    }
    return p;
}

/**
 * Validates raw `boxoffice:*` values (already decoded) for an environment. Pure: used by `loadConfig` and by
 * tests, which can check every message without a Pulumi runtime. `now` decides whether an on-sale is over.
 */
export function parsePlatformConfig(raw: Raw, region: string, now: Date = new Date()): PlatformConfig {
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (!(TOP_LEVEL_KEYS as string[]).includes(key)) {
            const hint = didYouMean(key, TOP_LEVEL_KEYS);
            problems.push(
                `${NAMESPACE}:${key} = ${show(raw[key])}: unknown key${hint ? ` (did you mean ${NAMESPACE}:${hint}?)` : ""}; known keys: ${TOP_LEVEL_KEYS.join(", ")}`,
            );
        }
    }
    if (!(AWS_REGIONS as readonly string[]).includes(region))
        problems.push(`aws:region = ${show(region)}: must be an AWS region name, e.g. eu-west-1`);
    const env = raw.environment;
    if (env !== "prod" && env !== "staging") {
        problems.push(`${NAMESPACE}:environment = ${show(env)}: must be one of prod, staging`);
        throw new ConfigError(problems);
    }
    const defaults = DEFAULTS[env];
    const candidate: Raw = { environment: env };
    for (const key of TOP_LEVEL_KEYS) if (key !== "environment") candidate[key] = merge(defaults[key], raw[key]);
    const parsed = platformSchema.safeParse(candidate);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            if (issue.code === "unrecognized_keys") {
                const section = valueAt(candidate, issue.path);
                const known = isObject(section) ? Object.keys(section).filter((k) => !issue.keys.includes(k)) : [];
                for (const extra of issue.keys) {
                    const hint = didYouMean(extra, known);
                    problems.push(
                        `${keyOf([...issue.path, extra])} = ${show((section as Raw)[extra])}: unknown key${hint ? ` (did you mean ${hint}?)` : ""}`,
                    );
                }
            } else if (issue.path.length > 0 && !problems.some((q) => q.startsWith(`${keyOf(issue.path)} =`))) {
                problems.push(`${keyOf(issue.path)} = ${show(valueAt(candidate, issue.path))}: ${issue.message}`);
            }
        }
        throw new ConfigError(problems);
    }
    problems.push(...crossFieldProblems(parsed.data, region, now));
    if (problems.length > 0) throw new ConfigError(problems);
    return parsed.data;
}

/** Reads and validates the stack's config from the Pulumi runtime. Call before creating any resource. */
export function loadConfig(): StackSettings {
    const problems: string[] = [];
    const raw: Raw = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const [ns, ...rest] = fullKey.split(":");
        if (ns !== NAMESPACE) continue;
        raw[rest.join(":")] = decode(fullKey, text, problems);
    }
    const region = new pulumi.Config("aws").get("region") ?? "";
    if (problems.length > 0) throw new ConfigError(problems);
    return { config: parsePlatformConfig(raw, region), region };
}
