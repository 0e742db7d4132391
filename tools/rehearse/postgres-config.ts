/**
 * PostgreSQL settings of the rehearsal's database servers (pure text; tested). One primary with a
 * synchronous hot standby stands in for RDS Multi-AZ: a commit is acknowledged only once the standby has
 * flushed it, so promoting the standby loses no acknowledged write. Asynchronous read replicas stand in
 * for RDS read replicas.
 */

/** The application_name the synchronous standby connects with, whichever server it is at the moment. */
export const SYNC_STANDBY_NAME = "boxoffice_standby";
export const REPLICATION_USER = "replicator";

/** Shared by every server (copied by pg_basebackup and pg_rewind): per-server values go on the command line. */
export function commonConf(): string {
    return [
        "# boxoffice rehearsal",
        "wal_level = replica",
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        "wal_keep_size = '512MB'",
        "hot_standby = on",
        "hot_standby_feedback = on",
        // pg_rewind needs it to bring a failed primary back as a standby without a full copy.
        "wal_log_hints = on",
        "synchronous_commit = on",
        // A dead link is noticed by the walreceiver/walsender in seconds, not the default minute.
        "wal_sender_timeout = '5s'",
        "wal_receiver_timeout = '5s'",
        "wal_retrieve_retry_interval = '1s'",
        "max_connections = 200",
        "shared_buffers = '64MB'",
        "ssl = on",
        "ssl_cert_file = 'server.crt'",
        "ssl_key_file = 'server.key'",
        "password_encryption = 'scram-sha-256'",
        "log_line_prefix = '%m [%p] %q%a %u@%d '",
        "log_min_messages = warning",
        "log_connections = off",
        "include_if_exists = 'standby.conf'",
        "",
    ].join("\n");
}

/** TLS and passwords for every network connection; local connections only for the postgres OS user. */
export function hbaConf(subnet: string): string {
    return [
        "local   all          postgres                     peer",
        `hostssl all          all          ${subnet}.0/24  scram-sha-256`,
        `hostssl replication  ${REPLICATION_USER}   ${subnet}.0/24  scram-sha-256`,
        "",
    ].join("\n");
}

/** libpq keyword/value string; values quoted as libpq expects. */
export function conninfo(fields: Record<string, string>): string {
    return Object.entries(fields)
        .map(([k, v]) => `${k}='${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`)
        .join(" ");
}

/** standby.conf: where a standby streams from and under which name the primary sees it. */
export function standbyConf(o: {
    sourceHost: string;
    password: string;
    applicationName: string;
    caFile: string;
}): string {
    const info = conninfo({
        host: o.sourceHost,
        port: "5432",
        user: REPLICATION_USER,
        password: o.password,
        application_name: o.applicationName,
        sslmode: "verify-full",
        sslrootcert: o.caFile,
        connect_timeout: "2",
    });
    return [
        `primary_conninfo = '${info.replace(/'/g, "''")}'`,
        // Follow the new primary's timeline after a failover (the default since PostgreSQL 12, stated here).
        "recovery_target_timeline = 'latest'",
        "",
    ].join("\n");
}

/** The value of synchronous_standby_names: the standby by role name, never a read replica. */
export function syncStandbyNames(enabled: boolean): string {
    return enabled ? SYNC_STANDBY_NAME : "";
}
