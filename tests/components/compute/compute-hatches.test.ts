import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AutoscaledService, AutoscaledServiceArgs } from "../../../components/compute/autoscaled-service";
import { EcsCluster } from "../../../components/compute/cluster";
import { ContainerImage } from "../../../components/compute/container-image";
import { ScheduledScaling } from "../../../components/compute/scheduled-scaling";
import { ServiceSecrets } from "../../../components/compute/service-secrets";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";

const o = pulumi.output;
const SUBNETS = ["subnet-p1", "subnet-p2"];
const base = (): Omit<AutoscaledServiceArgs, "cluster"> => ({
    role: "worker",
    image: o("123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo@sha256:abc"),
    command: ["./worker"],
    subnetIds: SUBNETS,
    securityGroupIds: ["sg-w"],
});
const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const TARGET = "aws:appautoscaling/target:Target";
type Run = Awaited<ReturnType<typeof runProgram>>;
const container = (run: Run) => JSON.parse(inputsOf(ofType(run, TASK)[0]).containerDefinitions)[0];

describe("AutoscaledService escape hatches", () => {
    it("runs in our EcsCluster or in an existing cluster given by ARN, with the same inputs", async () => {
        const ours = await runProgram(() => {
            const cluster = new EcsCluster("shared");
            new AutoscaledService("svc", { ...base(), cluster });
        });
        const made = outputsOf(byName(ours, "aws:ecs/cluster:Cluster", "shared-cluster"));
        const arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/shared";
        const existing = await runProgram(() => {
            new AutoscaledService("svc", { ...base(), cluster: arn });
        });
        assert.strictEqual(ofType(existing, "aws:ecs/cluster:Cluster").length, 0);
        for (const [run, clusterArn, clusterName] of [
            [ours, made.arn, made.name],
            [existing, arn, "shared"],
        ] as const) {
            assert.strictEqual(inputsOf(byName(run, SERVICE, "svc-service")).cluster, clusterArn);
            const serviceName = outputsOf(byName(run, SERVICE, "svc-service")).name;
            assert.strictEqual(
                inputsOf(byName(run, TARGET, "svc-scaling")).resourceId,
                `service/${clusterName}/${serviceName}`,
            );
        }
    });

    it("takes the private subnets of a network (ours or an existing VPC's ids) as it takes subnetIds", async () => {
        const cluster = "arn:aws:ecs:eu-west-1:123456789012:cluster/c";
        const raw = await runProgram(() => {
            new AutoscaledService("svc", { ...base(), cluster });
        });
        const viaNetwork = await runProgram(() => {
            new AutoscaledService("svc", {
                ...base(),
                subnetIds: undefined,
                cluster,
                network: { vpcId: "vpc-1", availabilityZones: ["a", "b"], privateSubnetIds: SUBNETS },
            });
        });
        const shape = (run: Run) => run.resources.map((r) => [r.type, r.name, JSON.stringify(inputsOf(r))]);
        assert.deepStrictEqual(shape(viaNetwork), shape(raw));
        assert.deepStrictEqual(
            inputsOf(byName(viaNetwork, SERVICE, "svc-service")).networkConfiguration.subnets,
            SUBNETS,
        );
    });

    it("a transform per child: the container, the service and every scaling policy", async () => {
        const policies: string[] = [];
        const run = await runProgram(() => {
            new AutoscaledService("svc", {
                ...base(),
                cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
                backlogScaling: { namespace: "Shop", metricName: "Backlog", dimensions: {}, targetPerTask: 50 },
                transform: {
                    container: { ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }] },
                    service: (args) => {
                        args.propagateTags = "TASK_DEFINITION";
                    },
                    scalingPolicy: (args, opts, name) => {
                        policies.push(name);
                        return [{ ...args, name: `${name}-tuned` }, opts];
                    },
                },
            });
        });
        assert.deepStrictEqual(container(run).ulimits, [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }]);
        assert.strictEqual(container(run).readonlyRootFilesystem, true, "the rest of the container stays");
        assert.strictEqual(inputsOf(byName(run, SERVICE, "svc-service")).propagateTags, "TASK_DEFINITION");
        assert.deepStrictEqual(policies, ["svc-cpu-scaling", "svc-backlog-scaling"]);
        assert.deepStrictEqual(
            ofType(run, "aws:appautoscaling/policy:Policy").map((r) => inputsOf(r).name),
            ["svc-cpu-scaling-tuned", "svc-backlog-scaling-tuned"],
        );
    });

    it("the application's choices are arguments: user, health-check command, metric namespace", async () => {
        const run = await runProgram(() => {
            new AutoscaledService("svc", {
                ...base(),
                role: "app",
                port: 8080,
                cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
                containerUser: "app:app",
                healthCheckCommand: ["CMD", "/bin/ok"],
                metricNamespace: "Shop",
            });
        });
        const c = container(run);
        assert.deepStrictEqual([c.user, c.healthCheck.command], ["app:app", ["CMD", "/bin/ok"]]);
        const policy = JSON.parse(inputsOf(byName(run, "aws:iam/rolePolicy:RolePolicy", "svc-task-policy")).policy);
        assert.deepStrictEqual(policy.Statement[0].Condition, { StringEquals: { "cloudwatch:namespace": "Shop" } });
        const defaults = await runProgram(() => {
            new AutoscaledService("svc", {
                ...base(),
                role: "app",
                port: 8080,
                cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
            });
        });
        assert.match(
            container(defaults).healthCheck.command.join(" "),
            /fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'\)/,
            "Node's fetch by default",
        );
        assert.strictEqual(
            ofType(defaults, "aws:iam/rolePolicy:RolePolicy").filter((r) => r.name === "svc-task-policy").length,
            0,
        );
    });

    it("exposes its raw children", async () => {
        let svc!: AutoscaledService;
        const run = await runProgram(() => {
            svc = new AutoscaledService("svc", { ...base(), cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/c" });
        });
        assert.strictEqual(await promiseOf(svc.resources.service.urn), byName(run, SERVICE, "svc-service").urn);
        assert.strictEqual(await promiseOf(svc.resources.taskDefinition.urn), byName(run, TASK, "svc-task").urn);
        assert.strictEqual(
            await promiseOf(svc.resources.taskRole.urn),
            byName(run, "aws:iam/role:Role", "svc-task-role").urn,
        );
    });
});

describe("EcsCluster, ContainerImage, ServiceSecrets, ScheduledScaling escape hatches", () => {
    it("EcsCluster: a transform of the cluster", async () => {
        const run = await runProgram(() => {
            new EcsCluster("c", {
                transform: {
                    cluster: {
                        serviceConnectDefaults: {
                            namespace: "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1",
                        },
                    },
                },
            });
        });
        assert.deepStrictEqual(inputsOf(ofType(run, "aws:ecs/cluster:Cluster")[0]).serviceConnectDefaults, {
            namespace: "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-1",
        });
    });

    it("ContainerImage: transforms of the repository and of the awsx image build", async () => {
        const run = await runProgram(() => {
            new ContainerImage("img", {
                dockerfile: "app/Dockerfile",
                transform: {
                    repository: { imageScanningConfiguration: { scanOnPush: false } },
                    image: (args) => {
                        args.args = { NODE_VERSION: "22" };
                    },
                },
            });
        });
        assert.deepStrictEqual(inputsOf(ofType(run, "aws:ecr/repository:Repository")[0]).imageScanningConfiguration, {
            scanOnPush: false,
        });
        assert.deepStrictEqual(ofType(run, "awsx:ecr:Image")[0].inputs.args, { NODE_VERSION: "22" });
    });

    it("ServiceSecrets: an existing KMS key (no key of ours) and a transform of every secret", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/33333333-3333-3333-3333-333333333333";
        const plain = await runProgram(() => {
            new ServiceSecrets("s", { redisAuthToken: pulumi.secret("t") });
        });
        let secrets!: ServiceSecrets;
        const run = await runProgram(() => {
            secrets = new ServiceSecrets("s", {
                redisAuthToken: pulumi.secret("t"),
                kmsKeyArn: key,
                transform: { secret: { recoveryWindowInDays: 7 } },
            });
        });
        assert.strictEqual(ofType(run, "aws:kms/key:Key").length, 0);
        assert.strictEqual(run.resources.length, plain.resources.length - 1);
        for (const s of ofType(run, "aws:secretsmanager/secret:Secret"))
            assert.deepStrictEqual([inputsOf(s).kmsKeyId, inputsOf(s).recoveryWindowInDays], [key, 7], s.name);
        assert.strictEqual(await promiseOf(secrets.kmsKeyArn), key);
    });

    it("ScheduledScaling: a transform of every scheduled action", async () => {
        let scaling!: ScheduledScaling;
        const run = await runProgram(() => {
            const target = new pulumi.ComponentResource("t:t:T", "t");
            scaling = new ScheduledScaling("sched", {
                services: {
                    app: { resourceId: "service/c/app", capacity: { min: 2, max: 4 }, target },
                    worker: { resourceId: "service/c/worker", capacity: { min: 2, max: 4 }, target },
                },
                schedules: [{ name: "night", schedule: "cron(0 1 * * ? *)", timezone: "UTC", appMinTasks: 2 }],
                transform: { scheduledAction: { startTime: "2027-01-01T00:00:00Z" } },
            });
        });
        const actions = ofType(run, "aws:appautoscaling/scheduledAction:ScheduledAction");
        assert.deepStrictEqual(
            actions.map((r) => inputsOf(r).startTime),
            ["2027-01-01T00:00:00Z"],
        );
        assert.deepStrictEqual(
            await Promise.all(scaling.resources.scheduledActions.map((a) => promiseOf(a.urn))),
            actions.map((r) => r.urn),
        );
        // The schedule schema the stack config uses is the component's own.
        const services = {
            app: { resourceId: "r", capacity: { min: 2, max: 4 }, target: undefined as never },
            worker: { resourceId: "r", capacity: { min: 2, max: 4 }, target: undefined as never },
        };
        assert.throws(
            () =>
                new ScheduledScaling("sched", {
                    services,
                    schedules: [{ name: "x", schedule: "cron(0 9 * * FRI *)", timezone: "UTC", appMinTasks: 3 }],
                }),
            {
                message:
                    'ScheduledScaling "sched": schedules.0.schedule = "cron(0 9 * * FRI *)": exactly one of day-of-month and day-of-week must be ?',
            },
        );
    });
});
