/**
 * RDS Proxy for the `Database` component, in a file of its own so the component stays readable. Children are
 * parented to the component, so names, URNs and the plan are the same as when this lived inside it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The master secret and the version holding its value (the proxy must not start before there is one). */
export interface MasterSecret { arn: pulumi.Output<string>; version: aws.secretsmanager.SecretVersion }

export interface DatabaseProxyDeps {
    subnetIds: pulumi.Input<string>[];
    port: number;
    proxySg: aws.ec2.SecurityGroup;
    sg: aws.ec2.SecurityGroup;
    writer: aws.rds.Instance;
    secret: MasterSecret;
    key: aws.kms.Key;
}

/**
 * RDS Proxy in the same subnets, authenticating to the writer with our master secret. Clients reach the proxy
 * (its own group admits them); the database admits the proxy's group. Returns the proxy's endpoint.
 */
export function createDatabaseProxy(
    component: pulumi.ComponentResource, name: string, deps: DatabaseProxyDeps, tags: (role: string) => Record<string, string>,
): pulumi.Output<string> {
    const { proxySg, sg, writer, secret, key, port } = deps;
    const secretArn = secret.arn;
    const parent = { parent: component };
    // Security groups made by the provider have no egress; the proxy needs exactly one path: to the database.
    new aws.vpc.SecurityGroupEgressRule(`${name}-proxy-egress`, {
        securityGroupId: proxySg.id, referencedSecurityGroupId: sg.id,
        ipProtocol: "tcp", fromPort: port, toPort: port, description: "proxy to PostgreSQL", tags: tags("proxy-egress"),
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
        policy: pulumi.all([secretArn, key.arn]).apply(([secretValueArn, keyArn]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secretValueArn },
                { Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
            ],
        })),
    }, parent);
    const proxy = new aws.rds.Proxy(`${name}-proxy`, {
        engineFamily: "POSTGRESQL",
        requireTls: true,
        roleArn: role.arn,
        vpcSubnetIds: deps.subnetIds,
        vpcSecurityGroupIds: [proxySg.id],
        idleClientTimeout: 1800,
        auths: [{ authScheme: "SECRETS", secretArn, iamAuth: "DISABLED", clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256", description: "master user secret" }],
        tags: tags("proxy"),
        // The proxy reads the secret when it opens connections: it must hold a value by then.
    }, { ...parent, dependsOn: [secret.version] });
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
