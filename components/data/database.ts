import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { BACKUP_TAG, BACKUP_TAG_VALUE, TIER_TAG } from "../tiers";
import { clientOnlySecurityGroup } from "./security-group";

const PORT = 5432;
const WEEKDAY = "(mon|tue|wed|thu|fri|sat|sun)";

export interface DatabaseArgs {
    /** VPC of the subnets and client security groups. */
    vpcId: pulumi.Input<string>;
    /** Isolated subnets, one per AZ (at least two: a DB subnet group must span two AZs). */
    subnetIds: pulumi.Input<string>[];
    /** The AZ of each subnet, in the same order; replicas are spread over them. */
    availabilityZones: pulumi.Input<string>[];
    /** Security groups allowed to connect on 5432 (or to the proxy when `proxy` is on). At least one. */
    allowedSecurityGroupIds: pulumi.Input<string>[];
    /** PostgreSQL major (or major.minor); the parameter group family follows the major. @default "16" */
    engineVersion?: string;
    /** @default "db.r6g.large" */
    instanceClass?: string;
    /** gp3 storage at creation, GiB. @default 100 */
    allocatedStorageGb?: number;
    /** Storage autoscaling ceiling, GiB; at least `allocatedStorageGb`. @default 500 */
    maxAllocatedStorageGb?: number;
    /**
     * A synchronous standby in another AZ; RDS fails over to it in typically 60–120 s. Turning it off is a
     * cost opt-out for throwaway stacks only. @default true
     */
    multiAz?: boolean;
    /** Asynchronous read replicas, spread round-robin over the AZs after the first. @default 1 */
    readReplicas?: number;
    /** Automated backups (point-in-time recovery) kept, days; ≥ 1 when replicas exist. @default 7 */
    backupRetentionDays?: number;
    /** Daily backup window, UTC. @default "02:00-03:00" */
    backupWindow?: string;
    /** Weekly maintenance window, UTC; must not overlap the backup window. @default "sun:04:00-sun:05:00" */
    maintenanceWindow?: string;
    /** @default true */
    deletionProtection?: boolean;
    /** Allow IAM database authentication tokens besides passwords. @default false */
    iamAuthentication?: boolean;
    /** 7 (free), a multiple of 31 up to 713, or 731. @default 7 */
    performanceInsightsRetentionDays?: number;
    /** Enhanced Monitoring interval in seconds; 0 turns it off. @default 60 */
    monitoringIntervalSeconds?: number;
    /** Put an RDS Proxy in front of the writer: pooled connections and faster client recovery after failover. @default false */
    proxy?: boolean;
    /** @default "boxoffice" */
    databaseName?: string;
    /** @default "boxoffice" */
    masterUsername?: string;
    /**
     * Protect the writer and the KMS key from `pulumi destroy` and replacement (and keep them in AWS if removed
     * from the program). Replicas are not protected: they hold no data of their own and `readReplicas` must be
     * able to go down. @default false
     */
    protect?: boolean;
    /** Tags for every child. */
    tags?: Record<string, string>;
}

/**
 * RDS PostgreSQL for the ticket service: a Multi-AZ writer in the isolated subnets, N read replicas in other
 * AZs, TLS forced by the parameter group, storage/Performance Insights/master secret encrypted with a
 * customer-managed key, and the master password generated and rotated by RDS in Secrets Manager (it never
 * passes through the program or its state).
 *
 * HA: the writer fails over to its standby automatically (typically 60–120 s; the endpoint DNS name stays).
 * Replicas serve reads and survive the loss of the writer's AZ. Deletion needs two deliberate steps: turn off
 * deletion protection, then delete; a final snapshot is taken either way.
 *
 * Blue/green updates (`blueGreenUpdate`) are deliberately not enabled: RDS blue/green deployments do not
 * support master passwords managed in Secrets Manager, and the provider's low-downtime update cannot be used
 * with instances that have replicas, so the update would fail at apply time. Major upgrades are a reviewed
 * change in the maintenance window.
 *
 * Cost (eu-west-1, on demand): db.r6g.large Multi-AZ ≈ 2 × 0.26 USD/h, each replica ≈ 0.26 USD/h, gp3 storage
 * per GiB-month on writer, standby and replicas, 1 USD/month for the KMS key; Performance Insights 7 days free.
 *
 * @example new Database("prod-db", { vpcId, subnetIds, availabilityZones, allowedSecurityGroupIds: [appSg] })
 */
export class Database extends pulumi.ComponentResource {
    readonly writerAddress: pulumi.Output<string>;
    readonly writerEndpoint: pulumi.Output<string>;
    /** The proxy's address when `proxy` is on, else the writer's: what clients should connect to. */
    readonly clientWriterAddress: pulumi.Output<string>;
    readonly proxyAddress: pulumi.Output<string> | undefined;
    readonly readerAddresses: pulumi.Output<string>[];
    readonly port = PORT;
    readonly databaseName: string;
    readonly masterUsername: string;
    /** Secrets Manager secret RDS manages for the master user (JSON with `username` and `password`). */
    readonly masterSecretArn: pulumi.Output<string>;
    /** KMS key of the storage, Performance Insights and the master secret. */
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly secretKmsKeyArn: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly writerIdentifier: pulumi.Output<string>;
    readonly replicaIdentifiers: pulumi.Output<string>[];

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        const engineVersion = args.engineVersion ?? "16";
        const instanceClass = args.instanceClass ?? "db.r6g.large";
        const allocated = args.allocatedStorageGb ?? 100;
        const maxAllocated = args.maxAllocatedStorageGb ?? 500;
        const multiAz = args.multiAz ?? true;
        const replicas = args.readReplicas ?? 1;
        const retention = args.backupRetentionDays ?? 7;
        const backupWindow = args.backupWindow ?? "02:00-03:00";
        const maintenanceWindow = args.maintenanceWindow ?? "sun:04:00-sun:05:00";
        const piRetention = args.performanceInsightsRetentionDays ?? 7;
        const monitoring = args.monitoringIntervalSeconds ?? 60;
        const databaseName = args.databaseName ?? "boxoffice";
        const masterUsername = args.masterUsername ?? "boxoffice";
        const protect = args.protect ?? false;

        const check = argChecker("Database", name);
        check.that(/^[a-z](-?[a-z0-9])*$/.test(name), "name", name, "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes RDS identifiers and the final snapshot name)");
        check.that(args.subnetIds.length >= 2, "subnetIds", args.subnetIds.length, "must list at least 2 subnets (a DB subnet group must span two AZs)");
        check.that(args.availabilityZones.length === args.subnetIds.length, "availabilityZones", args.availabilityZones.length, `must name one AZ per subnet (${args.subnetIds.length})`);
        check.that(args.allowedSecurityGroupIds.length >= 1, "allowedSecurityGroupIds", args.allowedSecurityGroupIds.length, "must list at least 1 client security group (nothing else can ever connect)");
        const major = /^(1[3-7])(\.\d+)?$/.exec(engineVersion)?.[1];
        check.that(major !== undefined, "engineVersion", engineVersion, "must be a PostgreSQL major 13..17 or major.minor, e.g. \"16\"");
        check.that(/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass), "instanceClass", instanceClass, "must be an RDS instance class like db.r6g.large");
        check.intRange("allocatedStorageGb", allocated, 20, 65536, "RDS PostgreSQL gp3 storage limits");
        check.intRange("maxAllocatedStorageGb", maxAllocated, allocated, 65536, "storage autoscaling ceiling, at least allocatedStorageGb");
        check.intRange("readReplicas", replicas, 0, 15, "RDS PostgreSQL allows up to 15 read replicas per source");
        check.intRange("backupRetentionDays", retention, replicas > 0 ? 1 : 0, 35, replicas > 0 ? "RDS limit; a replica source needs automated backups" : "RDS limit");
        check.that(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(backupWindow), "backupWindow", backupWindow, "must be hh24:mi-hh24:mi in UTC");
        check.that(new RegExp(`^${WEEKDAY}:([01]\\d|2[0-3]):[0-5]\\d-${WEEKDAY}:([01]\\d|2[0-3]):[0-5]\\d$`).test(maintenanceWindow), "maintenanceWindow", maintenanceWindow, "must be ddd:hh24:mi-ddd:hh24:mi in UTC");
        check.that(piRetention === 7 || piRetention === 731 || (piRetention % 31 === 0 && piRetention >= 31 && piRetention <= 713), "performanceInsightsRetentionDays", piRetention, "must be 7, a multiple of 31 up to 713, or 731");
        check.that([0, 1, 5, 10, 15, 30, 60].includes(monitoring), "monitoringIntervalSeconds", monitoring, "must be one of 0, 1, 5, 10, 15, 30, 60");
        check.that(/^[a-z][a-z0-9_]{0,62}$/.test(databaseName), "databaseName", databaseName, "must be a PostgreSQL identifier: lower-case letter, then letters, digits or _, at most 63");
        check.that(/^[a-z][a-z0-9_]{0,62}$/.test(masterUsername) && masterUsername !== "rdsadmin", "masterUsername", masterUsername, "must be a PostgreSQL identifier other than rdsadmin");
        super("boxoffice:data:Database", name, {}, opts);

        const parent = { parent: this };
        const stateful = { parent: this, protect, retainOnDelete: protect };
        const tags = (role: string, extra: Record<string, string> = {}) => ({ ...args.tags, [TIER_TAG]: "database", Name: `${name}-${role}`, ...extra });

        // The key outlives the instance (retained on delete): the final snapshot and every backup copy made
        // from this database can only be read with it.
        const key = new aws.kms.Key(`${name}-key`, {
            description: `${name}: RDS storage, Performance Insights and master secret`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: tags("key"),
        }, { ...parent, protect, retainOnDelete: true });
        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags: tags("subnets") }, parent);
        const parameters = new aws.rds.ParameterGroup(`${name}-params`, {
            family: `postgres${major}`,
            description: `${name}: TLS only, slow-query and lock-wait logging`,
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                // Statements over 500 ms, lock waits and DDL reach CloudWatch Logs: what an on-sale post-mortem needs.
                { name: "log_min_duration_statement", value: "500" },
                { name: "log_lock_waits", value: "1" },
                { name: "log_statement", value: "ddl" },
                { name: "log_autovacuum_min_duration", value: "1000" },
            ],
            tags: tags("params"),
        }, parent);

        const proxyEnabled = args.proxy ?? false;
        const proxySg = proxyEnabled
            ? clientOnlySecurityGroup(`${name}-proxy`, { vpcId: args.vpcId, port: PORT, clientSecurityGroupIds: args.allowedSecurityGroupIds, description: `${name}: RDS Proxy clients`, tags: tags("proxy-sg") }, parent)
            : undefined;
        const sg = clientOnlySecurityGroup(name, {
            vpcId: args.vpcId, port: PORT,
            clientSecurityGroupIds: [...args.allowedSecurityGroupIds, ...(proxySg ? [proxySg.id] : [])],
            description: `${name}: PostgreSQL from the given clients only`, tags: tags("sg"),
        }, parent);

        const monitoringRole = monitoring > 0 ? this.monitoringRole(name, tags) : undefined;
        const observability = {
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: key.arn,
            performanceInsightsRetentionPeriod: piRetention,
            monitoringInterval: monitoring,
            monitoringRoleArn: monitoringRole?.arn,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            autoMinorVersionUpgrade: true,
            iamDatabaseAuthenticationEnabled: args.iamAuthentication ?? false,
            publiclyAccessible: false,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: key.arn,
            maxAllocatedStorage: maxAllocated,
            parameterGroupName: parameters.name,
            vpcSecurityGroupIds: [sg.id],
            instanceClass,
            maintenanceWindow,
            copyTagsToSnapshot: true,
        };

        const writer = new aws.rds.Instance(`${name}-writer`, {
            ...observability,
            engine: "postgres",
            engineVersion,
            dbName: databaseName,
            username: masterUsername,
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: key.arn,
            allocatedStorage: allocated,
            multiAz,
            // RDS refuses an AZ for a Multi-AZ instance: it places primary and standby itself.
            availabilityZone: multiAz ? undefined : args.availabilityZones[0],
            dbSubnetGroupName: subnetGroup.name,
            port: PORT,
            backupRetentionPeriod: retention,
            backupWindow,
            // Automated backups survive the instance, so PITR stays possible after an accidental delete.
            deleteAutomatedBackups: false,
            deletionProtection: args.deletionProtection ?? true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `${name}-final`,
            tags: tags("writer", { [BACKUP_TAG]: BACKUP_TAG_VALUE }),
        }, stateful);

        // Replicas must not set a username, password or database name (they copy the source) nor a subnet
        // group (same-region replicas inherit the source's); they need no backups and RDS cannot take a final
        // snapshot of a replica. The writer's primary sits in the first AZ's slot, so replicas start at the next.
        const replicaInstances = Array.from({ length: replicas }, (_v, i) => new aws.rds.Instance(`${name}-replica-${i + 1}`, {
            ...observability,
            replicateSourceDb: writer.identifier,
            availabilityZone: args.availabilityZones[(i + 1) % args.availabilityZones.length],
            multiAz: false,
            backupRetentionPeriod: 0,
            skipFinalSnapshot: true,
            deletionProtection: false,
            tags: tags(`replica-${i + 1}`),
        }, parent));

        const secretArn = writer.masterUserSecrets.apply((s) => s?.[0]?.secretArn ?? "");
        this.proxyAddress = proxySg ? this.createProxy(name, args, { proxySg, sg, writer, secretArn, key }, tags) : undefined;

        this.writerAddress = writer.address;
        this.writerEndpoint = writer.endpoint;
        this.clientWriterAddress = this.proxyAddress ?? writer.address;
        this.readerAddresses = replicaInstances.map((r) => r.address);
        this.databaseName = databaseName;
        this.masterUsername = masterUsername;
        this.masterSecretArn = secretArn;
        this.kmsKeyArn = key.arn;
        this.secretKmsKeyArn = key.arn;
        this.securityGroupId = sg.id;
        this.writerIdentifier = writer.identifier;
        this.replicaIdentifiers = replicaInstances.map((r) => r.identifier);
        this.registerOutputs({
            writerAddress: this.writerAddress, writerEndpoint: this.writerEndpoint, clientWriterAddress: this.clientWriterAddress,
            proxyAddress: this.proxyAddress, readerAddresses: this.readerAddresses, masterSecretArn: this.masterSecretArn,
            secretKmsKeyArn: this.secretKmsKeyArn, securityGroupId: this.securityGroupId, writerIdentifier: this.writerIdentifier,
            replicaIdentifiers: this.replicaIdentifiers,
        });
    }

    private monitoringRole(name: string, tags: (role: string) => Record<string, string>): aws.iam.Role {
        const parent = { parent: this };
        const role = new aws.iam.Role(`${name}-monitoring-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: tags("monitoring-role"),
        }, parent);
        const partition = aws.getPartitionOutput({}, parent).partition;
        new aws.iam.RolePolicyAttachment(`${name}-monitoring-policy`, {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
        }, parent);
        return role;
    }

    /**
     * RDS Proxy in the same subnets, authenticating to the writer with the RDS-managed master secret. Clients
     * reach the proxy (its own group admits them); the database admits the proxy's group.
     */
    private createProxy(
        name: string, args: DatabaseArgs,
        deps: { proxySg: aws.ec2.SecurityGroup; sg: aws.ec2.SecurityGroup; writer: aws.rds.Instance; secretArn: pulumi.Output<string>; key: aws.kms.Key },
        tags: (role: string) => Record<string, string>,
    ): pulumi.Output<string> {
        const { proxySg, sg, writer, secretArn, key } = deps;
        const parent = { parent: this };
        // Security groups made by the provider have no egress; the proxy needs exactly one path: to the database.
        new aws.vpc.SecurityGroupEgressRule(`${name}-proxy-egress`, {
            securityGroupId: proxySg.id, referencedSecurityGroupId: sg.id,
            ipProtocol: "tcp", fromPort: PORT, toPort: PORT, description: "proxy to PostgreSQL", tags: tags("proxy-egress"),
        }, parent);
        const role = new aws.iam.Role(`${name}-proxy-role`, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: tags("proxy-role"),
        }, parent);
        new aws.iam.RolePolicy(`${name}-proxy-secret-policy`, {
            role: role.id,
            policy: pulumi.all([secretArn, key.arn]).apply(([secret, keyArn]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secret },
                    { Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
                ],
            })),
        }, parent);
        const proxy = new aws.rds.Proxy(`${name}-proxy`, {
            engineFamily: "POSTGRESQL",
            requireTls: true,
            roleArn: role.arn,
            vpcSubnetIds: args.subnetIds,
            vpcSecurityGroupIds: [proxySg.id],
            idleClientTimeout: 1800,
            auths: [{ authScheme: "SECRETS", secretArn, iamAuth: "DISABLED", clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256", description: "RDS-managed master secret" }],
            tags: tags("proxy"),
        }, parent);
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(`${name}-proxy-tg`, {
            dbProxyName: proxy.name,
            // Leave headroom for direct admin sessions and replication when the proxy saturates.
            connectionPoolConfig: { maxConnectionsPercent: 90, connectionBorrowTimeout: 120 },
        }, parent);
        new aws.rds.ProxyTarget(`${name}-proxy-target`, {
            dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbInstanceIdentifier: writer.identifier,
        }, parent);
        return proxy.endpoint;
    }
}
