/**
 * The compute tier: one image, the app and worker services with autoscaling and schedules, the cluster, and
 * the alarms and dashboard for every tier. The services get their wiring as environment and secret
 * references only (see `serviceWiring`).
 */
import * as pulumi from "@pulumi/pulumi";
import {
    Alarms,
    AutoscaledService,
    ContainerImage,
    EcsCluster,
    ENVIRONMENT_TAG,
    Network,
    ScheduledScaling,
    SendingIdentity,
    ServiceSecret,
    ServiceSecrets,
} from "@boxoffice/components";
import type { PlatformConfig } from "./config/schema";
import { APP_PORT } from "./edge-tier";
import type { ComputeTier, DataTier, EdgeTier } from "./tiers";
import {
    QUEUE_LENGTH_METRIC,
    QUEUE_WAIT_METRIC,
    pauseAlarmReadStatement,
    waitingRoomEnvironment,
} from "./waiting-room";

/** CloudWatch namespace and metric the worker publishes every 60 s (app/src/backlog-publisher.ts). */
export const BACKLOG_NAMESPACE = "Boxoffice";
export const BACKLOG_METRIC = "OrderBacklog";

/**
 * Environment and secrets for both services. `DATABASE_READ_URLS` lists one URL per read replica, so every
 * replica added in config adds read capacity (the app spreads reads over them and falls back to the writer on
 * failure or lag); without replicas it is left out and reads use the writer. Credentials appear only as
 * Secrets Manager references: the master secret's `password` key, and our own secrets for the rest.
 */
export function serviceWiring(
    stack: string,
    config: PlatformConfig,
    data: DataTier,
    secrets: ServiceSecrets,
    mail?: SendingIdentity,
) {
    const db = data.database;
    const user = encodeURIComponent(db.masterUsername);
    // verify-full: the server's certificate must chain to the RDS CA bundle the image ships (NODE_EXTRA_CA_CERTS)
    // and name the host we dialled; `require` would encrypt to anyone who answers on the address.
    const url = (host: pulumi.Input<string>) =>
        pulumi.interpolate`postgres://${user}@${host}:${db.port}/${db.databaseName}?sslmode=verify-full`;
    const environment: Record<string, pulumi.Input<string>> = {
        NODE_ENV: "production",
        PORT: String(APP_PORT),
        BOXOFFICE_STACK: stack,
        DATABASE_URL: url(db.clientWriterAddress),
        ...(db.readerAddresses.length > 0
            ? { DATABASE_READ_URLS: pulumi.all(db.readerAddresses.map(url)).apply((urls) => urls.join(",")) }
            : {}),
        DATABASE_USER: db.masterUsername,
        REDIS_URL: pulumi.interpolate`rediss://${data.redis.primaryAddress}:${data.redis.port}`,
        MEMCACHED_SERVERS: data.memcached.servers,
        MEMCACHED_TLS: "true",
        BACKLOG_METRIC_NAMESPACE: BACKLOG_NAMESPACE,
        // SES needs a verified identity to send from; without a domain and hosted zone there is none, and the
        // confirmations are written to the task's /tmp instead (staging without a domain sends no mail).
        MAIL_TRANSPORT: mail ? "ses" : "file",
        MAIL_FROM: mail ? `tickets@${mail.domain}` : "tickets@boxoffice.invalid",
    };
    const secretRefs: Record<string, ServiceSecret> = {
        DATABASE_PASSWORD: { arn: db.masterSecretArn, jsonKey: "password" },
        REDIS_AUTH_TOKEN: { arn: secrets.redisAuthTokenArn },
        ADMIN_TOKEN: { arn: secrets.adminTokenArn },
        TICKET_SIGNING_KEY: { arn: secrets.signingKeyArn },
    };
    return { environment, secrets: secretRefs, kmsKeyArns: [db.secretKmsKeyArn, secrets.kmsKeyArn] };
}

/** The most tasks a service can run: its maxTasks or a larger maximum a schedule or the on-sale sets. */
function mostTasks(config: PlatformConfig, svc: "app" | "worker"): number {
    const profiles = [...config.scaling.schedules, ...(config.scaling.onSale ? [config.scaling.onSale] : [])];
    return Math.max(config[svc].maxTasks, ...profiles.map((p) => p[`${svc}MaxTasks`] ?? 0));
}

export function createComputeTier(
    name: string,
    config: PlatformConfig,
    network: Network,
    edge: EdgeTier,
    data: DataTier,
): ComputeTier {
    const tags = { [ENVIRONMENT_TAG]: config.environment };
    const cluster = new EcsCluster(name, { tags });
    // Staging is torn down and rebuilt: its images must not block `pulumi destroy`. Prod keeps them.
    // The repository root is the context: the Dockerfile copies the workspace lockfile.
    const image = new ContainerImage(name, {
        context: ".",
        dockerfile: "app/Dockerfile",
        platform: "linux/arm64",
        forceDelete: config.environment !== "prod",
        tags,
    });
    // The ticket-signing seed has no other copy: prod protects it like the database.
    const secrets = new ServiceSecrets(name, {
        redisAuthToken: data.redis.authToken,
        protect: config.environment === "prod",
        tags,
    });
    const lb = config.loadBalancers;
    const mail =
        lb.domain && lb.hostedZoneId
            ? new SendingIdentity(`${name}-mail`, { domain: lb.domain, hostedZoneId: lb.hostedZoneId, tags })
            : undefined;
    const wiring = serviceWiring(name, config, data, secrets, mail);
    const common = {
        cluster,
        image: image.imageUri,
        // The image's `node` user (app/Dockerfile): it owns the app's files; never root.
        containerUser: "1000:1000",
        cpuArchitecture: image.platform === "linux/arm64" ? ("ARM64" as const) : ("X86_64" as const),
        environment: wiring.environment,
        secrets: wiring.secrets,
        secretKmsKeyArns: wiring.kmsKeyArns,
        subnetIds: network.privateSubnetIds,
        metricNamespace: BACKLOG_NAMESPACE,
        tags,
        // With schedules, scheduled actions own min/max; a deploy must not reset a raised floor mid-sale.
        capacityManagedBySchedules: config.scaling.schedules.length > 0 || config.scaling.onSale !== null,
    };
    const app = new AutoscaledService(`${name}-app`, {
        ...common,
        role: "app",
        command: ["node", "dist/server.js"],
        port: APP_PORT,
        environment: { ...wiring.environment, ...waitingRoomEnvironment(name, config, BACKLOG_NAMESPACE) },
        taskPolicyStatements: config.waitingRoom.pauseOnAlarms ? [pauseAlarmReadStatement(name)] : [],
        cpu: config.app.cpu,
        memory: config.app.memory,
        minTasks: config.app.minTasks,
        maxTasks: config.app.maxTasks,
        targetCpuPercent: config.app.targetCpuPercent,
        logRetentionDays: config.app.logRetentionDays,
        healthCheckGracePeriodSeconds: config.app.healthCheckGracePeriodSeconds,
        securityGroupIds: [edge.appSecurityGroupId],
        targetGroupArns: edge.targetGroupArns,
        listenerDependencies: edge.listenerDependencies,
        // Requests per task over both ALBs: DNS may point at either, and the scaling must follow it.
        requestScaling: {
            targetGroups: edge.loadBalancerArnSuffixes.map((loadBalancerArnSuffix, i) => ({
                loadBalancerArnSuffix,
                targetGroupArnSuffix: edge.targetGroupArnSuffixes[i],
            })),
            targetRequestsPerTask: config.app.targetRequestsPerTask,
        },
    });
    const worker = new AutoscaledService(`${name}-worker`, {
        ...common,
        role: "worker",
        command: ["node", "dist/worker.js"],
        cpu: config.worker.cpu,
        memory: config.worker.memory,
        minTasks: config.worker.minTasks,
        maxTasks: config.worker.maxTasks,
        targetCpuPercent: config.worker.targetCpuPercent,
        logRetentionDays: config.worker.logRetentionDays,
        securityGroupIds: [edge.workerSecurityGroupId],
        // Only the worker sends mail, and only from the stack's own SES identity.
        taskPolicyStatements: mail
            ? [{ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: [mail.identityArn] }]
            : [],
        backlogScaling: {
            namespace: BACKLOG_NAMESPACE,
            metricName: BACKLOG_METRIC,
            dimensions: { Stack: name },
            targetPerTask: config.worker.targetBacklogPerTask,
        },
    });
    new ScheduledScaling(name, {
        services: {
            app: {
                resourceId: app.scalableTargetResourceId,
                target: app.scalableTarget,
                capacity: { min: config.app.minTasks, max: config.app.maxTasks },
            },
            worker: {
                resourceId: worker.scalableTargetResourceId,
                target: worker.scalableTarget,
                capacity: { min: config.worker.minTasks, max: config.worker.maxTasks },
            },
        },
        schedules: config.scaling.schedules,
        onSale: config.scaling.onSale ?? undefined,
    });
    const alarms = new Alarms(name, {
        alertEmail: config.alerts.email ?? undefined,
        loadBalancers: edge.loadBalancerArnSuffixes.map((arnSuffix, i) => ({
            arnSuffix,
            targetGroupArnSuffix: edge.targetGroupArnSuffixes[i],
        })),
        database: {
            writerIdentifier: data.database.writerIdentifier,
            replicaIdentifiers: data.database.replicaIdentifiers,
        },
        redis: { memberClusterIds: data.redis.memberClusterIds, nodeCount: config.redis.replicas + 1 },
        // Each task keeps one connection per Memcached node: ten times the most tasks there can be is a leak or a storm.
        memcached: {
            clusterId: data.memcached.clusterId,
            nodeCount: config.memcached.nodes,
            connectionsAbove: 10 * (mostTasks(config, "app") + mostTasks(config, "worker")),
        },
        backupFailures: true,
        services: [
            {
                role: "app",
                clusterName: cluster.clusterName,
                serviceName: app.serviceName,
                minTasks: config.app.minTasks,
            },
            {
                role: "worker",
                clusterName: cluster.clusterName,
                serviceName: worker.serviceName,
                minTasks: config.worker.minTasks,
            },
        ],
        healthCheckIds: edge.healthCheckIds,
        queueWait: {
            namespace: BACKLOG_NAMESPACE,
            waitMetricName: QUEUE_WAIT_METRIC,
            lengthMetricName: QUEUE_LENGTH_METRIC,
            dimensions: { Stack: name },
            thresholdSeconds: config.waitingRoom.queueWaitAlarmSeconds,
        },
        mail: {
            backlog: { namespace: BACKLOG_NAMESPACE, metricName: BACKLOG_METRIC, dimensions: { Stack: name } },
            sesReputation: mail !== undefined,
        },
        tags,
    });
    return {
        clusterName: cluster.clusterName,
        appServiceName: app.serviceName,
        appTaskTag: app.taskTag,
        workerServiceName: worker.serviceName,
        dashboardUrl: alarms.dashboardUrl,
        userImpactAlarmArns: alarms.userImpactAlarmArns,
    };
}
