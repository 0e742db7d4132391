/**
 * A compliant two-AZ ticketing platform written with raw @pulumi/aws resources only (no boxoffice
 * components): the clean baseline of the corpus. Each program of the corpus calls it, and a sin program
 * changes exactly one thing through `transform` (the AWS arguments of one resource, as the reader sees
 * them), `omit` (resources left out) or by adding resources of its own next to it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PlatformOptions {
    /** RDS PostgreSQL Multi-AZ (default), or Aurora PostgreSQL with one instance per AZ. */
    database?: "rds" | "aurora";
    /** Resource arguments to change, by role (the first argument of `make` below); return the arguments to use. */
    transform?: { [role: string]: (args: any) => any };
    /** Roles not to create. */
    omit?: string[];
}

const AZS = ["eu-west-1a", "eu-west-1b"];
const DR_REGION = "eu-central-1";
const ACCOUNT = "123456789012";
const tier = (t: string, extra: Record<string, string> = {}) => ({ tags: { "boxoffice:tier": t, ...extra } });
const BACKUP = { "boxoffice:backup": "daily-weekly-monthly" };

export function platform(opts: PlatformOptions = {}) {
    const make = <A, R>(role: string, ctor: new (name: string, args: A, o?: pulumi.CustomResourceOptions) => R, args: A, o?: pulumi.CustomResourceOptions): R | undefined => {
        if (opts.omit?.includes(role)) return undefined;
        const t = opts.transform?.[role];
        return new ctor(role, t ? t(args) : args, o);
    };
    const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16", ...tier("network") });
    const subnets = (role: string, offset: number) => AZS.map((az, i) => new aws.ec2.Subnet(`${role}-${i}`, {
        vpcId: vpc.id, availabilityZone: az, cidrBlock: `10.0.${offset + i}.0/24`, ...tier("network"),
    }));
    const [pub, priv, iso] = [subnets("public", 0), subnets("private", 10), subnets("isolated", 20)];
    pub.forEach((s, i) => make(`nat-${i}`, aws.ec2.NatGateway, { subnetId: s.id, allocationId: new aws.ec2.Eip(`nat-ip-${i}`, { domain: "vpc" }).id, ...tier("network") }));

    // Edge: two ALBs behind a Route 53 failover pair, each with TLS, a redirecting HTTP listener and a WAF.
    const albSg = new aws.ec2.SecurityGroup("alb-sg", { vpcId: vpc.id, description: "public ALBs", ...tier("load-balancer") });
    const appSg = new aws.ec2.SecurityGroup("app-sg", { vpcId: vpc.id, description: "app tasks", ...tier("app") });
    for (const port of [80, 443]) new aws.vpc.SecurityGroupIngressRule(`alb-in-${port}`, { securityGroupId: albSg.id, cidrIpv4: "0.0.0.0/0", fromPort: port, toPort: port, ipProtocol: "tcp" });
    new aws.vpc.SecurityGroupIngressRule("app-from-alb", { securityGroupId: appSg.id, referencedSecurityGroupId: albSg.id, fromPort: 8080, toPort: 8080, ipProtocol: "tcp" });
    const logs = make("logs", aws.s3.Bucket, { forceDestroy: false, ...tier("load-balancer") })!;
    make("logs-pab", aws.s3.BucketPublicAccessBlock, { bucket: logs.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    make("logs-policy", aws.s3.BucketPolicy, {
        bucket: logs.id,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [
            { Sid: "ElbLogs", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: pulumi.interpolate`${logs.arn}/*` },
            { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [logs.arn, pulumi.interpolate`${logs.arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ] }),
    });
    const cert = new aws.acm.Certificate("cert", { domainName: "tickets.example.com", validationMethod: "DNS" });
    const acl = new aws.wafv2.WebAcl("waf", {
        scope: "REGIONAL", defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "waf", sampledRequestsEnabled: true },
        rules: [{ name: "rate", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "rate", sampledRequestsEnabled: true } }],
    });
    const albs = [1, 2].map((n) => {
        const alb = make(`alb${n}`, aws.lb.LoadBalancer, {
            loadBalancerType: "application", internal: false, subnets: pub.map((s) => s.id), securityGroups: [albSg.id],
            dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: logs.id, enabled: true }, ...tier("load-balancer"),
        });
        if (!alb) return undefined;
        const tg = new aws.lb.TargetGroup(`tg${n}`, { port: 8080, protocol: "HTTP", targetType: "ip", vpcId: vpc.id, healthCheck: { path: "/healthz" } });
        make(`https${n}`, aws.lb.Listener, { loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: cert.arn, defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] });
        make(`http${n}`, aws.lb.Listener, { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] });
        make(`waf${n}`, aws.wafv2.WebAclAssociation, { resourceArn: alb.arn, webAclArn: acl.arn });
        return { alb, tg };
    });
    albs.forEach((entry, i) => {
        if (!entry) return;
        const role = i === 0 ? "PRIMARY" : "SECONDARY";
        const check = make(`hc${i + 1}`, aws.route53.HealthCheck, { type: "HTTPS", fqdn: entry.alb.dnsName, port: 443, resourcePath: "/healthz", requestInterval: 10, failureThreshold: 3 });
        make(`record-${role.toLowerCase()}`, aws.route53.Record, {
            zoneId: "Z0EXAMPLE", name: "tickets.example.com", type: "A", setIdentifier: role.toLowerCase(), failoverRoutingPolicies: [{ type: role }],
            healthCheckId: check?.id, aliases: [{ name: entry.alb.dnsName, zoneId: entry.alb.zoneId, evaluateTargetHealth: true }],
        });
    });

    // Compute: app and worker on Fargate, two tasks each over both AZs.
    const cluster = new aws.ecs.Cluster("cluster", { settings: [{ name: "containerInsights", value: "enhanced" }] });
    for (const role of ["app", "worker"]) {
        const task = new aws.ecs.TaskDefinition(`${role}-task`, {
            family: role, requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "512", memory: "1024",
            containerDefinitions: JSON.stringify([{ name: role, image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${role}@sha256:0123`, user: "1000:1000", readonlyRootFilesystem: true, logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/ecs/${role}`, "awslogs-region": "eu-west-1", "awslogs-stream-prefix": role } } }]),
        });
        make(`${role}-service`, aws.ecs.Service, {
            cluster: cluster.arn, taskDefinition: task.arn, desiredCount: 2, launchType: "FARGATE",
            deploymentCircuitBreaker: { enable: true, rollback: true }, deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200,
            networkConfiguration: { subnets: priv.map((s) => s.id), securityGroups: [appSg.id], assignPublicIp: false },
            loadBalancers: role === "app" ? albs.filter((e) => e).map((e) => ({ targetGroupArn: e!.tg.arn, containerName: "app", containerPort: 8080 })) : undefined,
            ...tier(role),
        });
    }
    make("app-scaling", aws.appautoscaling.Target, { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/cluster/app", minCapacity: 2, maxCapacity: 10 });

    // Data: the database (RDS Multi-AZ or Aurora), Redis with failover, Memcached over both AZs.
    const key = new aws.kms.Key("data-key", { description: "data at rest", enableKeyRotation: true, deletionWindowInDays: 30 });
    const dbSubnets = new aws.rds.SubnetGroup("db-subnets", { subnetIds: iso.map((s) => s.id) });
    const database = opts.database === "aurora"
        ? aurora(make, key, dbSubnets)
        : make("db", aws.rds.Instance, {
            engine: "postgres", engineVersion: "16", instanceClass: "db.r6g.large", allocatedStorage: 100, multiAz: true, backupRetentionPeriod: 7,
            storageEncrypted: true, kmsKeyId: key.arn, deletionProtection: true, finalSnapshotIdentifier: "db-final", publiclyAccessible: false,
            performanceInsightsEnabled: true, monitoringInterval: 60, monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-monitoring`,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"], autoMinorVersionUpgrade: true, iamDatabaseAuthenticationEnabled: true,
            manageMasterUserPassword: true, username: "tickets",
            parameterGroupName: new aws.rds.ParameterGroup("db-params", { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] }).name,
            dbSubnetGroupName: dbSubnets.name, ...tier("database", BACKUP),
        });
    const cacheSubnets = new aws.elasticache.SubnetGroup("cache-subnets", { subnetIds: iso.map((s) => s.id) });
    make("redis", aws.elasticache.ReplicationGroup, {
        description: "holds and baskets", engine: "redis", nodeType: "cache.r7g.large", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true,
        atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: pulumi.secret("a-token-of-at-least-sixteen-chars"), snapshotRetentionLimit: 7,
        subnetGroupName: cacheSubnets.name, ...tier("cache"),
    });
    make("memcached", aws.elasticache.Cluster, { engine: "memcached", nodeType: "cache.r7g.large", numCacheNodes: 2, azMode: "cross-az", subnetGroupName: cacheSubnets.name, ...tier("cache") });

    // Backups: daily/weekly/monthly, each copied to a locked vault in another region.
    const dr = new aws.Provider("dr", { region: DR_REGION });
    const drKey = new aws.kms.Key("dr-key", { description: "backup copies", enableKeyRotation: true }, { provider: dr });
    const vault = new aws.backup.Vault("vault", { kmsKeyArn: key.arn });
    const drVault = new aws.backup.Vault("dr-vault", { kmsKeyArn: drKey.arn }, { provider: dr });
    new aws.backup.VaultLockConfiguration("vault-lock", { backupVaultName: vault.name, changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 });
    new aws.backup.VaultLockConfiguration("dr-vault-lock", { backupVaultName: drVault.name, changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 }, { provider: dr });
    const rule = (ruleName: string, schedule: string, deleteAfter: number) => ({ ruleName, schedule, targetVaultName: vault.name, lifecycle: { deleteAfter }, copyActions: [{ destinationVaultArn: drVault.arn, lifecycle: { deleteAfter } }] });
    const plan = make("backup-plan", aws.backup.Plan, {
        rules: [rule("daily", "cron(0 3 * * ? *)", 7), rule("weekly", "cron(0 4 ? * SUN *)", 35), rule("monthly", "cron(0 5 1 * ? *)", 365),
            { ruleName: "continuous", targetVaultName: vault.name, enableContinuousBackup: true, lifecycle: { deleteAfter: 14 } }],
    })!;
    new aws.backup.Selection("backup-selection", { planId: plan.id, iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/backup`, selectionTags: [{ type: "STRINGEQUALS", key: "boxoffice:backup", value: "daily-weekly-monthly" }] });

    return { vpc, privateSubnets: priv, publicSubnets: pub, isolatedSubnets: iso, appSecurityGroup: appSg, albSecurityGroup: albSg, logs, cert, key, database, dbSubnets };
}

type Make = <A, R>(role: string, ctor: new (name: string, args: A, o?: pulumi.CustomResourceOptions) => R, args: A, o?: pulumi.CustomResourceOptions) => R | undefined;

function aurora(make: Make, key: aws.kms.Key, subnets: aws.rds.SubnetGroup) {
    const cluster = make("aurora", aws.rds.Cluster, {
        engine: "aurora-postgresql", engineVersion: "16.4", storageEncrypted: true, kmsKeyId: key.arn, deletionProtection: true,
        finalSnapshotIdentifier: "aurora-final", backupRetentionPeriod: 7, manageMasterUserPassword: true, masterUsername: "tickets",
        dbSubnetGroupName: subnets.name, ...tier("database", BACKUP),
    })!;
    AZS.forEach((az, i) => make(`aurora-${i}`, aws.rds.ClusterInstance, {
        clusterIdentifier: cluster.id, engine: "aurora-postgresql", instanceClass: "db.r6g.large", availabilityZone: az, publiclyAccessible: false,
    }));
    return cluster;
}
