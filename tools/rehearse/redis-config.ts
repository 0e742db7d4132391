/**
 * Redis primary + replica with Sentinel quorum standing in for an ElastiCache replication group with
 * automatic failover (pure text; tested). TLS and an AUTH password as the stack sets them
 * (transit encryption, auth token). Sentinel's client-reconfig-script moves the primary endpoint's DNS
 * name to the promoted replica, as ElastiCache moves its primary endpoint.
 */

export const MASTER_NAME = "boxoffice";

export interface RedisTls {
    certFile: string;
    keyFile: string;
    caFile: string;
}

export function redisConf(o: { ip: string; dir: string; password: string; tls: RedisTls; replicaOf?: string }): string {
    return [
        `bind ${o.ip}`,
        "port 0",
        "tls-port 6379",
        `tls-cert-file ${o.tls.certFile}`,
        `tls-key-file ${o.tls.keyFile}`,
        `tls-ca-cert-file ${o.tls.caFile}`,
        // ElastiCache authenticates clients by AUTH token, not client certificates.
        "tls-auth-clients no",
        "tls-replication yes",
        `requirepass ${o.password}`,
        `masterauth ${o.password}`,
        `dir ${o.dir}`,
        'save ""',
        "appendonly no",
        "daemonize no",
        "protected-mode no",
        "loglevel notice",
        ...(o.replicaOf ? [`replicaof ${o.replicaOf} 6379`] : []),
        "",
    ].join("\n");
}

export interface SentinelTimings {
    /** Sentinel's down-after-milliseconds: how long the primary must be unreachable before it is failed over. */
    downAfterMs: number;
    failoverTimeoutMs: number;
}

/** ElastiCache publishes no detection time for unplanned failover; the rehearsal uses a few seconds. */
export const DEFAULT_SENTINEL_TIMINGS: SentinelTimings = { downAfterMs: 3000, failoverTimeoutMs: 10_000 };

export function sentinelConf(o: {
    ip: string;
    dir: string;
    primaryIp: string;
    password: string;
    tls: RedisTls;
    quorum: number;
    reconfigScript: string;
    timings: SentinelTimings;
}): string {
    return [
        `bind ${o.ip}`,
        // With tls-replication, Sentinel speaks TLS to Redis and to the other Sentinels: it listens on TLS too.
        "port 0",
        "tls-port 26379",
        "tls-auth-clients no",
        `dir ${o.dir}`,
        "daemonize no",
        "protected-mode no",
        `tls-cert-file ${o.tls.certFile}`,
        `tls-key-file ${o.tls.keyFile}`,
        `tls-ca-cert-file ${o.tls.caFile}`,
        "tls-replication yes",
        `sentinel monitor ${MASTER_NAME} ${o.primaryIp} 6379 ${o.quorum}`,
        `sentinel auth-pass ${MASTER_NAME} ${o.password}`,
        `sentinel down-after-milliseconds ${MASTER_NAME} ${o.timings.downAfterMs}`,
        `sentinel failover-timeout ${MASTER_NAME} ${o.timings.failoverTimeoutMs}`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        `sentinel client-reconfig-script ${MASTER_NAME} ${o.reconfigScript}`,
        "",
    ].join("\n");
}

/**
 * Called by Sentinel as `<master> <role> <state> <from-ip> <from-port> <to-ip> <to-port>` after a
 * failover: points the primary endpoint name at the new primary (atomically, in the DNS hosts dir).
 */
export function reconfigScript(o: { hostsDir: string; name: string; file: string }): string {
    return [
        "#!/bin/sh",
        "# Moves the Redis primary endpoint name to the promoted replica.",
        "set -eu",
        'to_ip="$6"',
        `tmp="${o.hostsDir}/.redis-primary.$$"`,
        `printf '%s %s\\n' "$to_ip" '${o.name}' > "$tmp"`,
        `chmod 644 "$tmp"`,
        `mv -f "$tmp" '${o.file}'`,
        "",
    ].join("\n");
}
