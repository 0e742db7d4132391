/**
 * The `Database` component's master secret and Enhanced Monitoring role, in a file of their own so the component
 * stays readable. Children are parented to the component, so names and URNs are those of the component's own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { child } from "../transform";
import type { DatabaseTransform } from "./database-args";
import type { MasterSecret } from "./database-proxy";

export interface MasterSecretDeps {
    keyArn: pulumi.Input<string>;
    writer: aws.rds.Instance;
    password: random.RandomPassword;
    databaseName: string;
    masterUsername: string;
    port: number;
    protect: boolean;
    transform: DatabaseTransform;
}

/**
 * Our own master secret, in the JSON shape RDS and its rotation functions use. The secret's physical name is
 * autonamed from `${name}-master-secret`: a fixed name would block a replacement for the whole recovery
 * window. It follows `protect` like the writer: without it the writer's password is lost.
 */
export function createMasterSecret(
    component: pulumi.ComponentResource,
    name: string,
    deps: MasterSecretDeps,
    tags: (role: string) => Record<string, string>,
): MasterSecret & { secret: aws.secretsmanager.Secret } {
    const { writer, password, databaseName, masterUsername, protect, transform: t } = deps;
    const stateful = { parent: component, protect, retainOnDelete: protect };
    const secret = child(
        aws.secretsmanager.Secret,
        `${name}-master-secret`,
        {
            description: `${name}: PostgreSQL master user (JSON: engine, username, password, host, port, dbname)`,
            kmsKeyId: deps.keyArn,
            recoveryWindowInDays: 30,
            tags: tags("master-secret"),
        },
        stateful,
        t.masterSecret,
    );
    const version = child(
        aws.secretsmanager.SecretVersion,
        `${name}-master-secret-value`,
        {
            secretId: secret.arn,
            // jsonStringify over an Output keeps the password's secretness; the provider also marks secretString secret.
            secretString: pulumi.secret(
                pulumi.jsonStringify({
                    engine: "postgres",
                    username: masterUsername,
                    password: password.result,
                    host: writer.address,
                    port: deps.port,
                    dbname: databaseName,
                }),
            ),
        },
        stateful,
        t.masterSecretValue,
    );
    return { arn: secret.arn, version, secret };
}

/** The role RDS Enhanced Monitoring publishes with, and its managed-policy attachment. */
export function createMonitoringRole(
    component: pulumi.ComponentResource,
    name: string,
    t: DatabaseTransform,
    tags: (role: string) => Record<string, string>,
): { role: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment } {
    const parent = { parent: component };
    const role = child(
        aws.iam.Role,
        `${name}-monitoring-role`,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "monitoring.rds.amazonaws.com" },
                        Action: "sts:AssumeRole",
                    },
                ],
            }),
            tags: tags("monitoring-role"),
        },
        parent,
        t.monitoringRole,
    );
    const partition = aws.getPartitionOutput({}, parent).partition;
    const attachment = child(
        aws.iam.RolePolicyAttachment,
        `${name}-monitoring-policy`,
        {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
        },
        parent,
        t.monitoringPolicy,
    );
    return { role, attachment };
}
