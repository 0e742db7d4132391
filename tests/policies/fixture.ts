/**
 * A compliant two-AZ platform written as raw AWS registrations (what the offline engine records), used as
 * the passing baseline of every rule test. Each test clones it, mutates one thing and evaluates the whole
 * pack through the runner (the `@pulumi/policy` analyzer handlers), exactly as a program's run would be.
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { Registration } from "../../tools/offline/engine";
import { PackConfigFile, readPackConfigFile } from "../../tools/policy-config";
import { PolicyReport, evaluateRegistrations } from "../../tools/policy-runner";
import * as path from "path";
import { coverage } from "./fixture-coverage";
import { dataTier } from "./fixture-data";
import { AZ, Fixture, Spec, T, tier } from "./fixture-shapes";

export type { Fixture, Spec } from "./fixture-shapes";
export { secret } from "./fixture-data";

export const PROJECT = "boxoffice";
export const STACK = "test";
const SIG = rpc.specialSigKey;
export const resourceRef = (urn: string, id?: string) => ({
    [SIG]: rpc.specialResourceSig,
    urn,
    ...(id === undefined ? {} : { id }),
    packageVersion: "7.48.0",
});
export const UNKNOWN = rpc.unknownValue;

export const urnOf = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;

/** The AWS resource types of the fixture, by short name. */
export const TYPES = T;

const containers = (name: string) =>
    JSON.stringify([
        {
            name,
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc",
            user: "1000:1000",
            readonlyRootFilesystem: true,
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/ecs/${name}` } },
        },
    ]);

const service = (name: string, t: "app" | "worker"): Spec => ({
    type: T.svc,
    name,
    props: {
        cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/main",
        taskDefinition: `arn:aws:ecs:eu-west-1:123456789012:task-definition/${name}:1`,
        desiredCount: 2,
        launchType: "FARGATE",
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        networkConfiguration: {
            subnets: ["subnet-priv-a", "subnet-priv-b"],
            securityGroups: ["sg-app"],
            assignPublicIp: false,
        },
        ...tier(t),
    },
    deps: { networkConfiguration: ["priv-a", "priv-b", "sg-app"] },
});

export function baseline(): Fixture {
    const subnets: Spec[] = (["pub", "priv", "iso"] as const).flatMap((role) =>
        AZ.map((az, i): Spec => ({
            type: T.subnet,
            name: `${role}-${"ab"[i]}`,
            props: {
                vpcId: "vpc-1",
                cidrBlock: `10.0.${i}.0/24`,
                availabilityZone: az,
                mapPublicIpOnLaunch: false,
                ...tier("network"),
            },
            outputs: { id: `subnet-${role}-${"ab"[i]}` },
        })),
    );
    return [
        ...subnets,
        ...AZ.map((_az, i): Spec => ({
            type: T.nat,
            name: `nat-${"ab"[i]}`,
            props: {
                subnetId: `subnet-pub-${"ab"[i]}`,
                allocationId: `eipalloc-${i}`,
                connectivityType: "public",
                ...tier("network"),
            },
            deps: { subnetId: [`pub-${"ab"[i]}`] },
        })),
        {
            type: T.sg,
            name: "sg-alb",
            props: { vpcId: "vpc-1", description: "ALB", ...tier("load-balancer") },
            outputs: { id: "sg-alb" },
        },
        {
            type: T.sg,
            name: "sg-app",
            props: { vpcId: "vpc-1", description: "app", ...tier("app") },
            outputs: { id: "sg-app" },
        },
        ...[443, 80].map((port): Spec => ({
            type: T.ingress,
            name: `alb-in-${port}`,
            props: {
                securityGroupId: "sg-alb",
                cidrIpv4: "0.0.0.0/0",
                fromPort: port,
                toPort: port,
                ipProtocol: "tcp",
            },
            deps: { securityGroupId: ["sg-alb"] },
        })),
        {
            type: T.ingress,
            name: "app-from-alb",
            props: {
                securityGroupId: "sg-app",
                referencedSecurityGroupId: "sg-alb",
                fromPort: 8080,
                toPort: 8080,
                ipProtocol: "tcp",
            },
            deps: { securityGroupId: ["sg-app"], referencedSecurityGroupId: ["sg-alb"] },
        },
        {
            type: T.lb,
            name: "alb",
            props: {
                loadBalancerType: "application",
                internal: false,
                subnets: ["subnet-pub-a", "subnet-pub-b"],
                securityGroups: ["sg-alb"],
                dropInvalidHeaderFields: true,
                enableDeletionProtection: true,
                accessLogs: { bucket: "logs", enabled: true },
                ...tier("load-balancer"),
            },
            deps: { subnets: ["pub-a", "pub-b"], securityGroups: ["sg-alb"] },
            outputs: {
                arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123",
                dnsName: "alb.example",
            },
        },
        {
            type: T.listener,
            name: "https",
            props: {
                loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123",
                protocol: "HTTPS",
                port: 443,
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
                certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1",
                defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
            },
            deps: { loadBalancerArn: ["alb"] },
        },
        {
            type: T.listener,
            name: "http",
            props: {
                loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123",
                protocol: "HTTP",
                port: 80,
                defaultActions: [
                    { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
                ],
            },
            deps: { loadBalancerArn: ["alb"] },
        },
        {
            type: T.waf,
            name: "waf",
            props: {
                resourceArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0123",
                webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acl/1",
            },
            deps: { resourceArn: ["alb"] },
        },
        {
            type: T.ecsCluster,
            name: "cluster",
            props: { settings: [{ name: "containerInsights", value: "enhanced" }] },
        },
        {
            type: T.td,
            name: "app-td",
            props: {
                family: "app",
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: "512",
                memory: "1024",
                containerDefinitions: containers("app"),
            },
        },
        {
            type: T.td,
            name: "worker-td",
            props: {
                family: "worker",
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: "256",
                memory: "512",
                containerDefinitions: containers("worker"),
            },
        },
        service("app", "app"),
        service("worker", "worker"),
        {
            type: T.target,
            name: "app-scaling",
            props: {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: "service/main/app",
                minCapacity: 2,
                maxCapacity: 10,
            },
            deps: { resourceId: ["app"] },
        },
        {
            type: T.scheduled,
            name: "on-sale",
            props: {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: "service/main/app",
                schedule: "at(2026-12-01T09:00:00)",
                scalableTargetAction: { minCapacity: 6, maxCapacity: 30 },
            },
        },
        {
            type: T.scheduled,
            name: "after-sale",
            props: {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: "service/main/app",
                schedule: "at(2026-12-01T13:00:00)",
                scalableTargetAction: { minCapacity: 2, maxCapacity: 10 },
            },
        },
        ...dataTier(),
        {
            type: T.hc,
            name: "hc",
            props: {
                type: "HTTPS",
                fqdn: "tickets.example.com",
                resourcePath: "/health",
                requestInterval: 10,
                failureThreshold: 3,
            },
        },
        {
            type: T.record,
            name: "primary",
            props: {
                zoneId: "Z1",
                name: "tickets.example.com",
                type: "A",
                setIdentifier: "primary",
                failoverRoutingPolicies: [{ type: "PRIMARY" }],
                healthCheckId: "hc-1",
                aliases: [{ name: "alb.example", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }],
            },
            deps: { healthCheckId: ["hc"], aliases: ["alb"] },
        },
        ...coverage(),
    ];
}

/** The registrations the offline engine would record for a fixture (all under the root stack). */
export function registrations(fixture: Fixture): Registration[] {
    const root = urnOf("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`);
    const byName = new Map(fixture.map((s) => [s.name, s]));
    const urn = (name: string) => {
        const s = byName.get(name);
        if (!s) throw new Error(`fixture: no resource named ${name}`);
        return urnOf(s.type, s.name);
    };
    const rootReg: Registration = {
        urn: root,
        type: "pulumi:pulumi:Stack",
        name: `${PROJECT}-${STACK}`,
        custom: false,
        remote: false,
        inputs: {},
        serializedInputs: {},
        outputs: {},
        dependencies: [],
        propertyDependencies: {},
        options: {
            protect: false,
            retainOnDelete: false,
            deleteBeforeReplace: false,
            ignoreChanges: [],
            additionalSecretOutputs: [],
        },
    };
    return [
        rootReg,
        ...fixture.map((s): Registration => {
            const propertyDependencies: Record<string, string[]> = {};
            for (const [k, names] of Object.entries(s.deps ?? {})) propertyDependencies[k] = names.map(urn);
            return {
                urn: urnOf(s.type, s.name),
                type: s.type,
                name: s.name,
                custom: s.custom ?? true,
                remote: false,
                parent: s.parent ?? root,
                provider: s.provider,
                inputs: s.props,
                serializedInputs: s.props,
                outputs: { ...s.props, ...(s.outputs ?? {}) },
                dependencies: [...new Set(Object.values(propertyDependencies).flat())],
                propertyDependencies,
                options: {
                    protect: false,
                    retainOnDelete: false,
                    deleteBeforeReplace: false,
                    ignoreChanges: [],
                    additionalSecretOutputs: [],
                },
            };
        }),
    ];
}

export const CONFIG_DIR = path.resolve(__dirname, "..", "..", "policies", "config");
export const PROD: PackConfigFile = readPackConfigFile(path.join(CONFIG_DIR, "prod.json"));
export const STAGING: PackConfigFile = readPackConfigFile(path.join(CONFIG_DIR, "staging.json"));

export function evaluate(fixture: Fixture, config: PackConfigFile = PROD): Promise<PolicyReport> {
    return evaluateRegistrations(
        { project: PROJECT, stack: STACK, config: { "aws:region": "eu-west-1" }, resources: registrations(fixture) },
        { config },
    );
}

/**
 * A deep copy of the baseline with one resource's props changed. `props` is deliberately loose: each case edits
 * raw AWS inputs at arbitrary depth (`p.rules[0].copyActions = []`) to break exactly one rule, and a typed path
 * per case would be a copy of the provider's schema in every test.
 */
export function mutated(
    name: string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw AWS inputs edited at arbitrary depth, see above
    change: (props: Record<string, any>, spec: Spec, all: Fixture) => void,
): Fixture {
    const fixture = structuredClone(baseline());
    const spec = fixture.find((s) => s.name === name);
    if (!spec) throw new Error(`fixture: no resource named ${name}`);
    change(spec.props, spec, fixture);
    return fixture;
}

/** Removes resources from a copy of the baseline. */
export function without(...names: string[]): Fixture {
    return baseline().filter((s) => !names.includes(s.name));
}
