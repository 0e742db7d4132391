/** The `Database` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { z } from "zod";
import { defineContract, field } from "../contract";
import type { PlacementArgs } from "../network/network-ids";
import type { Transform } from "../transform";
import { backupWindowProblem, maintenanceWindowProblem, windowsOverlap } from "./windows";

const LOW_DOWNTIME_DOC = "https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/#low-downtime-updates";
/**
 * RDS refuses a storage-autoscaling ceiling less than 10 % above the allocated storage ("Managing capacity
 * automatically with Amazon RDS storage autoscaling", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html).
 */
export const STORAGE_AUTOSCALING_HEADROOM = 1.1;
const PG_IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

export const DATABASE_CONTRACT = defineContract({
    component: "Database",
    fields: {
        engineVersion: field.text(
            /^(1[3-7])(\.\d+)?$/,
            'a PostgreSQL major (13..17) or major.minor RDS supports, e.g. "16"',
        ),
        instanceClass: field.text(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, "an RDS instance class like db.r6g.large"),
        allocatedStorageGb: field.int(20, 65536, "RDS PostgreSQL gp3 storage limits"),
        maxAllocatedStorageGb: field.int(20, 65536, "RDS storage autoscaling ceiling"),
        multiAz: field.bool(),
        readReplicas: field.int(0, 15, "RDS PostgreSQL allows up to 15 read replicas per source"),
        backupRetentionDays: field.int(0, 35, "RDS limit"),
        backupWindow: field.checked(backupWindowProblem, "hh24:mi-hh24:mi"),
        maintenanceWindow: field.checked(maintenanceWindowProblem, "ddd:hh24:mi-ddd:hh24:mi"),
        proxy: field.bool(),
        deletionProtection: field.bool(),
        iamAuthentication: field.bool(),
        performanceInsightsRetentionDays: field.checkedNumber(
            (v) =>
                v === 7 || (Number.isInteger(v / 31) && v >= 31 && v <= 713) || v === 731
                    ? undefined
                    : "must be 7, a multiple of 31 up to 713, or 731 (Performance Insights retention values)",
            "days",
        ),
        monitoringIntervalSeconds: field.numberIn([0, 1, 5, 10, 15, 30, 60], "RDS enhanced monitoring intervals"),
        databaseName: field.text(
            PG_IDENTIFIER,
            "a PostgreSQL identifier: lower-case letter, then letters, digits or _, at most 63",
        ),
        masterUsername: field
            .text(PG_IDENTIFIER, "a PostgreSQL identifier: lower-case letter, then letters, digits or _, at most 63")
            .refine((v) => v !== "rdsadmin", "must not be rdsadmin (reserved by RDS)"),
        blueGreenUpdate: field.bool().optional(),
        protect: field.bool(),
        logParameters: z.record(
            z
                .string()
                .regex(/^[a-z_.]+$/, "parameter names must be lower-case PostgreSQL settings like log_lock_waits"),
            z.string({ error: "values must be strings, as RDS parameter groups take them" }),
            { error: "must map PostgreSQL logging settings to values" },
        ),
        cloudwatchLogsExports: z.array(field.oneOf(["postgresql", "upgrade", "iam-db-auth-error"]), {
            error: "must be a list of RDS PostgreSQL log types",
        }),
        proxyIdleClientTimeoutSeconds: field.int(1, 28800, "RDS Proxy IdleClientTimeout"),
        proxyMaxConnectionsPercent: field.int(1, 100, "RDS Proxy MaxConnectionsPercent"),
        proxyConnectionBorrowTimeoutSeconds: field.int(0, 300, "RDS Proxy ConnectionBorrowTimeout"),
    },
    defaults: {
        engineVersion: "16",
        instanceClass: "db.r6g.large",
        allocatedStorageGb: 100,
        maxAllocatedStorageGb: 500,
        multiAz: true,
        readReplicas: 1,
        backupRetentionDays: 7,
        backupWindow: "02:00-03:00",
        maintenanceWindow: "sun:04:00-sun:05:00",
        proxy: false,
        deletionProtection: true,
        iamAuthentication: false,
        performanceInsightsRetentionDays: 7,
        monitoringIntervalSeconds: 60,
        databaseName: "boxoffice",
        masterUsername: "boxoffice",
        protect: false,
        // Statements over 500 ms, lock waits and DDL reach CloudWatch Logs: what an on-sale post-mortem needs.
        logParameters: {
            log_min_duration_statement: "500",
            log_lock_waits: "1",
            log_statement: "ddl",
            log_autovacuum_min_duration: "1000",
        },
        cloudwatchLogsExports: ["postgresql", "upgrade"],
        proxyIdleClientTimeoutSeconds: 1800,
        proxyMaxConnectionsPercent: 90,
        proxyConnectionBorrowTimeoutSeconds: 120,
    },
    rules: (v, report) => {
        if (v.maxAllocatedStorageGb < Math.ceil(v.allocatedStorageGb * STORAGE_AUTOSCALING_HEADROOM)) {
            report(
                "maxAllocatedStorageGb",
                `must be at least 10% above allocatedStorageGb ${v.allocatedStorageGb} (RDS storage autoscaling rule)`,
            );
        }
        if (v.readReplicas > 0 && v.backupRetentionDays < 1) {
            report(
                "backupRetentionDays",
                "must be at least 1 when readReplicas > 0 (RDS needs automated backups on a replica source)",
            );
        }
        if (windowsOverlap(v.backupWindow, v.maintenanceWindow)) {
            report("backupWindow", `must not overlap maintenanceWindow ${v.maintenanceWindow} (RDS rule)`);
        }
        if (v.blueGreenUpdate && v.readReplicas > 0) {
            report(
                "blueGreenUpdate",
                `cannot be combined with readReplicas = ${v.readReplicas}: the provider's low-downtime (blue/green) update cannot be used with DB instances that have replicas (${LOW_DOWNTIME_DOC}); set readReplicas to 0 or leave blueGreenUpdate unset`,
            );
        } else if (v.blueGreenUpdate && v.backupRetentionDays < 1) {
            report(
                "blueGreenUpdate",
                `needs backupRetentionDays >= 1: low-downtime (blue/green) updates require automated backups (${LOW_DOWNTIME_DOC})`,
            );
        }
        if ("rds.force_ssl" in v.logParameters)
            report(
                "logParameters",
                "must not set rds.force_ssl: TLS is always forced (a transform of parameterGroup can still change it)",
            );
    },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface DatabaseTransform {
    /** The customer-managed key (absent with `kmsKeyArn`). */
    key?: Transform<aws.kms.KeyArgs>;
    subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
    /** The parameter group (absent with `parameterGroupName`). */
    parameterGroup?: Transform<aws.rds.ParameterGroupArgs>;
    /** The database's security group, and the proxy's when `proxy` is on. */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** Every client ingress rule. */
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    monitoringRole?: Transform<aws.iam.RoleArgs>;
    monitoringPolicy?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    masterPassword?: Transform<random.RandomPasswordArgs>;
    /** The suffix of the final snapshot's name (see `uniqueFinalSnapshotName`). */
    finalSnapshotId?: Transform<random.RandomIdArgs>;
    /**
     * The writer. `finalSnapshotIdentifier` is derived from the transformed arguments afterwards, so any change
     * made here draws a new final-snapshot name; set it here to choose one yourself.
     */
    writer?: Transform<aws.rds.InstanceArgs>;
    /** Every read replica (`<name>-replica-1`, …). */
    replica?: Transform<aws.rds.InstanceArgs>;
    masterSecret?: Transform<aws.secretsmanager.SecretArgs>;
    masterSecretValue?: Transform<aws.secretsmanager.SecretVersionArgs>;
    proxyEgress?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
    proxyRole?: Transform<aws.iam.RoleArgs>;
    proxyPolicy?: Transform<aws.iam.RolePolicyArgs>;
    proxy?: Transform<aws.rds.ProxyArgs>;
    proxyTargetGroup?: Transform<aws.rds.ProxyDefaultTargetGroupArgs>;
    proxyTarget?: Transform<aws.rds.ProxyTargetArgs>;
}

export interface DatabaseArgs extends PlacementArgs {
    /** Security groups allowed to connect on 5432 (or to the proxy when `proxy` is on). At least one. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /**
     * PostgreSQL major (13..17) or major.minor; the parameter group family follows the major.
     * @default "16"
     */
    engineVersion?: string;
    /** RDS instance class of the writer and of every replica. @default "db.r6g.large" */
    instanceClass?: string;
    /** gp3 storage at creation, GiB, 20..65536. @default 100 */
    allocatedStorageGb?: number;
    /**
     * Storage autoscaling ceiling, GiB; at least 10 % above `allocatedStorageGb` (RDS refuses less).
     * @default 500
     */
    maxAllocatedStorageGb?: number;
    /**
     * A synchronous standby in another AZ; RDS fails over to it in typically 60–120 s. Turning it off is a
     * cost opt-out for throwaway stacks only. @default true
     */
    multiAz?: boolean;
    /** Asynchronous read replicas (0..15), spread round-robin over the AZs after the first. @default 1 */
    readReplicas?: number;
    /** Automated backups (point-in-time recovery) kept, days, 0..35; ≥ 1 when replicas exist. @default 7 */
    backupRetentionDays?: number;
    /** Daily backup window, UTC, at least 30 minutes. @default "02:00-03:00" */
    backupWindow?: string;
    /** Weekly maintenance window, UTC; must not overlap the backup window. @default "sun:04:00-sun:05:00" */
    maintenanceWindow?: string;
    /** RDS deletion protection on the writer: a delete fails until it is turned off. @default true */
    deletionProtection?: boolean;
    /** Allow IAM database authentication tokens besides passwords. @default false */
    iamAuthentication?: boolean;
    /** 7 (free), a multiple of 31 up to 713, or 731. @default 7 */
    performanceInsightsRetentionDays?: number;
    /** Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off. @default 60 */
    monitoringIntervalSeconds?: number;
    /** Put an RDS Proxy in front of the writer: pooled connections and faster client recovery after failover. @default false */
    proxy?: boolean;
    /** Seconds a client connection to the proxy may sit idle before the proxy closes it, 1..28800. @default 1800 */
    proxyIdleClientTimeoutSeconds?: number;
    /**
     * The proxy's pool, as a percentage of the writer's `max_connections`; the rest is headroom for direct admin
     * sessions and replication when the proxy saturates. @default 90
     */
    proxyMaxConnectionsPercent?: number;
    /** Seconds a request waits for a pooled connection once the pool is full, 0..300. @default 120 */
    proxyConnectionBorrowTimeoutSeconds?: number;
    /** The database created in the instance. @default "boxoffice" */
    databaseName?: string;
    /** The master user (not `rdsadmin`); its generated password goes to `masterSecretArn`. @default "boxoffice" */
    masterUsername?: string;
    /**
     * PostgreSQL logging settings of the parameter group (besides `rds.force_ssl = 1`, always set). Replaces the
     * whole default map. @default { log_min_duration_statement: "500", log_lock_waits: "1", log_statement: "ddl", log_autovacuum_min_duration: "1000" }
     * @example { log_min_duration_statement: "250", log_lock_waits: "1" }
     */
    logParameters?: Record<string, string>;
    /** PostgreSQL logs RDS publishes to CloudWatch Logs. @default ["postgresql", "upgrade"] */
    cloudwatchLogsExports?: ("postgresql" | "upgrade" | "iam-db-auth-error")[];
    /**
     * An existing KMS key (ARN) for the storage, Performance Insights and the master secret, instead of a key
     * of our own. Keep it as long as any snapshot or backup made with it. @default undefined (a key per database)
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * An existing RDS parameter group (its family must match `engineVersion`'s major) instead of ours. It then
     * decides TLS: set `rds.force_ssl = 1` in it, or clients may connect in plain text. `logParameters` cannot be
     * combined with it. @default undefined (ours: TLS forced, `logParameters`)
     */
    parameterGroupName?: pulumi.Input<string>;
    /**
     * Apply changes to the writer through an RDS blue/green deployment and a switchover (typically under a minute
     * of writes refused) instead of in place. The provider cannot do this for an instance that has read replicas,
     * and it needs automated backups, so it defaults to on exactly when `readReplicas` is 0 and
     * `backupRetentionDays` ≥ 1; asking for it together with replicas or without backups is an error.
     * @default readReplicas === 0 && backupRetentionDays >= 1
     * @example { readReplicas: 0, blueGreenUpdate: true }
     */
    blueGreenUpdate?: boolean;
    /**
     * Protect the writer and the KMS key from `pulumi destroy` and replacement (and keep them in AWS if removed
     * from the program). Replicas are not protected: they hold no data of their own and `readReplicas` must be
     * able to go down. @default false
     */
    protect?: boolean;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: DatabaseTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
