/**
 * RDS Proxy for the `Database` component, in a file of its own so the component stays readable. Children are
 * parented to the component, so names, URNs and the plan are the same as when this lived inside it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { child } from "../transform";
import type { DatabaseTransform } from "./database-args";

/** The master secret and the version holding its value (the proxy must not start before there is one). */
export interface MasterSecret {
    arn: pulumi.Output<string>;
    version: aws.secretsmanager.SecretVersion;
}

export interface DatabaseProxyDeps {
    subnetIds: pulumi.Input<string>[];
    port: number;
    proxySg: aws.ec2.SecurityGroup;
    sg: aws.ec2.SecurityGroup;
    writer: aws.rds.Instance;
    secret: MasterSecret;
    /** The KMS key of the master secret (the proxy decrypts it). */
    keyArn: pulumi.Input<string>;
    idleClientTimeoutSeconds: number;
    maxConnectionsPercent: number;
    connectionBorrowTimeoutSeconds: number;
    transform: DatabaseTransform;
}

/**
 * RDS Proxy in the same subnets, authenticating to the writer with our master secret. Clients reach the proxy
 * (its own group admits them); the database admits the proxy's group. Returns the proxy.
 */
export function createDatabaseProxy(
    component: pulumi.ComponentResource,
    name: string,
    deps: DatabaseProxyDeps,
    tags: (role: string) => Record<string, string>,
): aws.rds.Proxy {
    const { proxySg, sg, writer, secret, port, transform: t } = deps;
    const secretArn = secret.arn;
    const parent = { parent: component };
    // Security groups made by the provider have no egress; the proxy needs exactly one path: to the database.
    child(
        aws.vpc.SecurityGroupEgressRule,
        `${name}-proxy-egress`,
        {
            securityGroupId: proxySg.id,
            referencedSecurityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: "proxy to PostgreSQL",
            tags: tags("proxy-egress"),
        },
        parent,
        t.proxyEgress,
    );
    const role = child(
        aws.iam.Role,
        `${name}-proxy-role`,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags: tags("proxy-role"),
        },
        parent,
        t.proxyRole,
    );
    child(
        aws.iam.RolePolicy,
        `${name}-proxy-secret-policy`,
        {
            role: role.id,
            policy: pulumi.all([secretArn, deps.keyArn]).apply(([secretValueArn, keyArn]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                            Resource: secretValueArn,
                        },
                        { Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
                    ],
                }),
            ),
        },
        parent,
        t.proxyPolicy,
    );
    const proxy = child(
        aws.rds.Proxy,
        `${name}-proxy`,
        {
            engineFamily: "POSTGRESQL",
            requireTls: true,
            roleArn: role.arn,
            vpcSubnetIds: deps.subnetIds,
            vpcSecurityGroupIds: [proxySg.id],
            idleClientTimeout: deps.idleClientTimeoutSeconds,
            auths: [
                {
                    authScheme: "SECRETS",
                    secretArn,
                    iamAuth: "DISABLED",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    description: "master user secret",
                },
            ],
            tags: tags("proxy"),
            // The proxy reads the secret when it opens connections: it must hold a value by then.
        },
        { ...parent, dependsOn: [secret.version] },
        t.proxy,
    );
    const targetGroup = child(
        aws.rds.ProxyDefaultTargetGroup,
        `${name}-proxy-tg`,
        {
            dbProxyName: proxy.name,
            // Leave headroom for direct admin sessions and replication when the proxy saturates.
            connectionPoolConfig: {
                maxConnectionsPercent: deps.maxConnectionsPercent,
                connectionBorrowTimeout: deps.connectionBorrowTimeoutSeconds,
            },
        },
        parent,
        t.proxyTargetGroup,
    );
    child(
        aws.rds.ProxyTarget,
        `${name}-proxy-target`,
        {
            dbProxyName: proxy.name,
            targetGroupName: targetGroup.name,
            dbInstanceIdentifier: writer.identifier,
        },
        parent,
        t.proxyTarget,
    );
    return proxy;
}
