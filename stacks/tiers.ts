/**
 * What each tier of the composition hands to the next. `program.ts` runs them in dependency order:
 * network → edge (load balancers, service security groups) → data (admits the service groups) → compute.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface EdgeTier {
    /** Security groups of the app and worker tasks, created before the data tier so it can admit them. */
    appSecurityGroupId: pulumi.Output<string>;
    workerSecurityGroupId: pulumi.Output<string>;
    /** Target groups of the primary and secondary ALB; the app service registers with both. */
    targetGroupArns: pulumi.Output<string>[];
    /** ALB listeners the app service must wait for (a target group must be attached before a service uses it). */
    listenerDependencies: pulumi.Resource[];
    /** For alarms and dashboards. */
    loadBalancerArnSuffixes: pulumi.Output<string>[];
    targetGroupArnSuffixes: pulumi.Output<string>[];
    loadBalancerDnsNames: pulumi.Output<string>[];
    healthCheckIds: pulumi.Output<string>[];
    /** https://<domain> when a domain is configured, else the primary ALB's http URL. */
    publicUrl: pulumi.Output<string>;
}

export interface DataTier {
    database: {
        writerAddress: pulumi.Output<string>;
        /** Via RDS Proxy when it is enabled, else the writer address. */
        clientWriterAddress: pulumi.Output<string>;
        readerAddresses: pulumi.Output<string>[];
        port: number;
        databaseName: string;
        masterUsername: string;
        /** Our Secrets Manager secret of the master user (JSON with `username` and `password`; generated, not RDS-managed). */
        masterSecretArn: pulumi.Output<string>;
        /** KMS key encrypting that secret; task execution roles need kms:Decrypt on it. */
        secretKmsKeyArn: pulumi.Output<string>;
        securityGroupId: pulumi.Output<string>;
        writerIdentifier: pulumi.Output<string>;
        writerArn: pulumi.Output<string>;
        replicaIdentifiers: pulumi.Output<string>[];
    };
    redis: {
        primaryAddress: pulumi.Output<string>;
        readerAddress: pulumi.Output<string>;
        port: number;
        /** AUTH token; a Pulumi secret. */
        authToken: pulumi.Output<string>;
        replicationGroupId: pulumi.Output<string>;
        memberClusterIds: pulumi.Output<string[]>;
        securityGroupId: pulumi.Output<string>;
        /** A tag only the replication group carries, and the AZs holding its nodes (for game days). */
        groupTag: { key: string; value: string };
        nodeAvailabilityZones: pulumi.Input<string>[];
    };
    memcached: {
        /** `host:port,host:port` of every node, for MEMCACHED_SERVERS. */
        servers: pulumi.Output<string>;
        port: number;
        clusterId: pulumi.Output<string>;
        securityGroupId: pulumi.Output<string>;
    };
}

export interface ComputeTier {
    clusterName: pulumi.Output<string>;
    appServiceName: pulumi.Output<string>;
    /** A tag only the app service's tasks carry (for game days). */
    appTaskTag: { key: string; value: string };
    workerServiceName: pulumi.Output<string>;
    dashboardUrl: pulumi.Output<string>;
    /** Regional alarms that mean users are hurting: the game days' stop conditions. */
    userImpactAlarmArns: pulumi.Output<string>[];
}
