/**
 * The environment of each rehearsal process, built from the task definition in the plan: every variable
 * the task definition sets and every secret it injects is mapped to its rehearsal value by name. A name
 * this table does not know stops the rehearsal — a new setting must be rehearsed deliberately, not dropped.
 */
import type { ContainerSettings } from "./plan-settings";

/** Where the rehearsal's stand-ins live and the secrets it generated for this run. */
export interface RehearsalValues {
    writerHost: string;
    readerHosts: string[];
    redisHost: string;
    /** host:port of each Memcached node. */
    memcachedServers: string[];
    sesEndpoint: string;
    cloudWatchEndpoint: string;
    /** The run's CA: what the image's RDS CA bundle is for RDS. */
    caFile: string;
    dataDir: string;
    secrets: { DATABASE_PASSWORD: string; REDIS_AUTH_TOKEN: string; ADMIN_TOKEN: string; TICKET_SIGNING_KEY: string };
    logLevel?: string;
}

export class EnvMappingError extends Error {}

type Mapper = (planValue: string, values: RehearsalValues) => string;

const keep: Mapper = (v) => v;

/** Swaps an AWS endpoint in a URL for a rehearsal host; user, database, port and options stay. */
function withHost(url: string, host: string, name: string): string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new EnvMappingError(`${name} in the plan is not a URL: ${JSON.stringify(url)}`);
    }
    parsed.hostname = host;
    return parsed.toString();
}

function readerUrls(value: string, values: RehearsalValues, name: string): string {
    const urls = value
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean);
    if (urls.length !== values.readerHosts.length) {
        throw new EnvMappingError(
            `${name} lists ${urls.length} replica URL(s); the rehearsal runs ${values.readerHosts.length} replica(s)`,
        );
    }
    return urls.map((u, i) => withHost(u, values.readerHosts[i], name)).join(",");
}

/** Every variable a task definition may set, and what it becomes here. */
export const ENVIRONMENT: Record<string, Mapper> = {
    NODE_ENV: keep,
    PORT: keep,
    HOST: keep,
    BOXOFFICE_STACK: keep,
    DATABASE_URL: (v, r) => withHost(v, r.writerHost, "DATABASE_URL"),
    DATABASE_READ_URL: (v, r) => readerUrls(v, r, "DATABASE_READ_URL"),
    DATABASE_READ_URLS: (v, r) => readerUrls(v, r, "DATABASE_READ_URLS"),
    DATABASE_USER: keep,
    DATABASE_POOL_MAX: keep,
    DATABASE_MAX_REPLICA_LAG_SECONDS: keep,
    REDIS_URL: (v, r) => withHost(v, r.redisHost, "REDIS_URL"),
    MEMCACHED_SERVERS: (v, r) => {
        const count = v.split(",").filter((s) => s.trim()).length;
        if (count !== r.memcachedServers.length) {
            throw new EnvMappingError(
                `MEMCACHED_SERVERS lists ${count} node(s); the rehearsal runs ${r.memcachedServers.length}`,
            );
        }
        return r.memcachedServers.join(",");
    },
    MEMCACHED_TLS: keep,
    BACKLOG_METRIC_NAMESPACE: keep,
    MAIL_TRANSPORT: (v) => {
        // The drill counts every confirmation the SES stand-in receives; the file transport overwrites
        // a resend and would hide a duplicate.
        if (v !== "ses") {
            throw new EnvMappingError(
                `MAIL_TRANSPORT=${v}: this stack's worker does not send through SES (a stack without a mail domain writes files), ` +
                    'and the drill proves "every confirmation sent exactly once" by counting sends at its SES stand-in; rehearse a stack that sends through SES',
            );
        }
        return v;
    },
    MAIL_FROM: keep,
    SHUTDOWN_DRAIN_MS: keep,
    LOG_LEVEL: (v, r) => r.logLevel ?? v,
    TICKET_SIGNING_KEY_ID: keep,
    // The waiting room's fleet-wide settings; its alarm checks go to the CloudWatch stand-in, which knows
    // no alarm in ALARM, so a room opened during a rehearsal admits at its inlet rate.
    WAITING_ROOM_TOKEN_TTL_SECONDS: keep,
    WAITING_ROOM_COLLECT_SECONDS: keep,
    WAITING_ROOM_PAUSE_ERROR_PERCENT: keep,
    WAITING_ROOM_METRIC_NAMESPACE: keep,
    WAITING_ROOM_PAUSE_ALARM_PREFIXES: keep,
};

/** Secrets ECS injects from Secrets Manager: generated fresh for every rehearsal. */
export const SECRETS: Record<string, (values: RehearsalValues) => string> = {
    DATABASE_PASSWORD: (r) => r.secrets.DATABASE_PASSWORD,
    REDIS_AUTH_TOKEN: (r) => r.secrets.REDIS_AUTH_TOKEN,
    ADMIN_TOKEN: (r) => r.secrets.ADMIN_TOKEN,
    TICKET_SIGNING_KEY: (r) => r.secrets.TICKET_SIGNING_KEY,
};

/**
 * Variables the image sets (app/Dockerfile ENV) or the platform provides (ECS sets AWS_REGION; the task
 * role provides credentials): the rehearsal's equivalents. The SDK's endpoint variables point SES and
 * CloudWatch at the stand-in (AWS SDK for JavaScript v3, "service-specific endpoints").
 */
export function platformEnvironment(values: RehearsalValues): Record<string, string> {
    return {
        NODE_EXTRA_CA_CERTS: values.caFile,
        BOXOFFICE_DATA_DIR: values.dataDir,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIAREHEARSAL0000000",
        AWS_SECRET_ACCESS_KEY: "rehearsal-only-not-a-secret",
        AWS_ENDPOINT_URL_SESV2: values.sesEndpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: values.cloudWatchEndpoint,
        AWS_EC2_METADATA_DISABLED: "true",
    };
}

/** The process environment for one container; throws naming every variable it does not know. */
export function rehearsalEnvironment(container: ContainerSettings, values: RehearsalValues): Record<string, string> {
    const unknown = [
        ...Object.keys(container.environment).filter((n) => !(n in ENVIRONMENT)),
        ...container.secretNames.filter((n) => !(n in SECRETS)),
    ];
    if (unknown.length > 0) {
        throw new EnvMappingError(
            `the ${container.family} task definition sets ${unknown.join(", ")}, which the rehearsal does not know; ` +
                "add each to tools/rehearse/env-map.ts with its rehearsal value",
        );
    }
    const env: Record<string, string> = { ...platformEnvironment(values) };
    for (const [name, value] of Object.entries(container.environment)) env[name] = ENVIRONMENT[name](value, values);
    for (const name of container.secretNames) env[name] = SECRETS[name](values);
    return env;
}
