import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { EcsCluster } from "../../../components/compute/cluster";
import { ContainerImage } from "../../../components/compute/container-image";
import { ServiceSecrets } from "../../../components/compute/service-secrets";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType, plainValue, SECRET_MARK } from "../../../tools/offline/values";

describe("ContainerImage", () => {
    it("builds app/Dockerfile from the repository root into an immutable, scanned, KMS-encrypted repository", async () => {
        let image!: ContainerImage;
        const run = await runProgram(() => {
            image = new ContainerImage("img", { dockerfile: "app/Dockerfile" });
        });
        const repo = inputsOf(ofType(run, "aws:ecr/repository:Repository")[0]);
        assert.deepStrictEqual(
            [
                repo.imageTagMutability,
                repo.imageScanningConfiguration.scanOnPush,
                repo.encryptionConfigurations[0].encryptionType,
            ],
            ["IMMUTABLE", true, "KMS"],
        );
        const rules = JSON.parse(inputsOf(ofType(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy")[0]).policy).rules;
        assert.deepStrictEqual(
            rules.map((r: { selection: { tagStatus: string; countNumber: number } }) => [
                r.selection.tagStatus,
                r.selection.countNumber,
            ]),
            [
                ["untagged", 7],
                ["any", 20],
            ],
        );
        const built = ofType(run, "awsx:ecr:Image")[0];
        assert.strictEqual(built.name, "img-image");
        assert.deepStrictEqual(
            [built.inputs.context, built.inputs.dockerfile, built.inputs.platform],
            [".", "app/Dockerfile", "linux/arm64"],
        );
        assert.strictEqual(image.platform, "linux/arm64");
    });

    it("looks for <context>/Dockerfile by default, as docker build does (no application's layout is built in)", async () => {
        const run = await runProgram(() => {
            new ContainerImage("img", { context: "app" });
        });
        assert.deepStrictEqual(
            [ofType(run, "awsx:ecr:Image")[0].inputs.context, ofType(run, "awsx:ecr:Image")[0].inputs.dockerfile],
            ["app", "app/Dockerfile"],
        );
        await assert.rejects(
            runProgram(() => {
                new ContainerImage("img");
            }),
            /dockerfile = "Dockerfile": must be a file/,
        );
    });

    it("refuses a bad keepImages", async () => {
        await assert.rejects(
            runProgram(() => new ContainerImage("img", { keepImages: 0 })),
            (e: Error) => {
                assert.strictEqual(
                    e.message,
                    'ContainerImage "img": keepImages = 0: must be 1..1000 (images kept for rollback)',
                );
                return true;
            },
        );
    });
});

describe("EcsCluster", () => {
    it("turns Container Insights on (enhanced by default)", async () => {
        const run = await runProgram(() => {
            new EcsCluster("c");
            new EcsCluster("d", { containerInsights: "enabled" });
        });
        assert.deepStrictEqual(
            ofType(run, "aws:ecs/cluster:Cluster").map((r) => [r.name, inputsOf(r).settings]),
            [
                ["c-cluster", [{ name: "containerInsights", value: "enhanced" }]],
                ["d-cluster", [{ name: "containerInsights", value: "enabled" }]],
            ],
        );
    });
});

describe("ServiceSecrets", () => {
    it("stores a 32-byte signing seed, an admin token and the Redis token in KMS-encrypted secrets that stay secret", async () => {
        const run = await runProgram(
            () => new ServiceSecrets("s", { redisAuthToken: pulumi.secret("redis-token-value") }),
        );
        assert.strictEqual(inputsOf(ofType(run, "random:index/randomBytes:RandomBytes")[0]).length, 32);
        const secrets = ofType(run, "aws:secretsmanager/secret:Secret");
        assert.deepStrictEqual(
            secrets.map((r) => r.name),
            ["s-admin-token", "s-signing-key", "s-redis-auth"],
        );
        assert.ok(secrets.every((r) => /^arn:aws:kms:/.test(inputsOf(r).kmsKeyId)));
        const versions = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion");
        assert.ok(versions.every((r) => inputsOf(r).secretString === SECRET_MARK));
        const seed = (
            plainValue(versions.find((r) => r.name === "s-signing-key-value")!.inputs, { revealSecrets: true }) as {
                secretString: string;
            }
        ).secretString;
        assert.strictEqual(Buffer.from(seed, "base64").length, 32);
        assert.ok(
            !JSON.stringify(plainValue(run.resources.map((r) => [r.inputs, r.outputs]))).includes("redis-token-value"),
        );
    });

    it("protect: the secrets are protected and the KMS key protected and retained; off by default", async () => {
        const opts = (run: Awaited<ReturnType<typeof runProgram>>) =>
            [...ofType(run, "aws:kms/key:Key"), ...ofType(run, "aws:secretsmanager/secret:Secret")].map((r) => [
                r.name,
                r.options.protect,
                r.options.retainOnDelete,
            ]);
        const off = await runProgram(() => new ServiceSecrets("s", { redisAuthToken: pulumi.secret("t") }));
        assert.deepStrictEqual(opts(off), [
            ["s-secrets-key", false, false],
            ["s-admin-token", false, false],
            ["s-signing-key", false, false],
            ["s-redis-auth", false, false],
        ]);
        const on = await runProgram(
            () => new ServiceSecrets("s", { redisAuthToken: pulumi.secret("t"), protect: true }),
        );
        assert.deepStrictEqual(opts(on), [
            ["s-secrets-key", true, true],
            ["s-admin-token", true, false],
            ["s-signing-key", true, false],
            ["s-redis-auth", true, false],
        ]);
    });
});
