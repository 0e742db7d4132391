import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { runProgram, runStack } from "../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, plainValue, promiseOf, SECRET_MARK } from "../../tools/offline/values";

describe("offline engine", () => {
    it("records every registration with its parent, and reruns cleanly in one process", async () => {
        let bucket!: aws.s3.Bucket;
        const first = await runProgram(() => {
            const parent = new pulumi.ComponentResource("test:index:Group", "group");
            bucket = new aws.s3.Bucket("logs", { forceDestroy: false }, { parent });
        });
        const second = await runProgram(() => { new aws.s3.Bucket("other", {}); });
        const b = byName(first, "aws:s3/bucket:Bucket", "logs");
        assert.strictEqual(b.urn, "urn:pulumi:test::boxoffice::test:index:Group$aws:s3/bucket:Bucket::logs");
        assert.strictEqual(b.parent, "urn:pulumi:test::boxoffice::test:index:Group::group");
        assert.deepStrictEqual(ofType(second, "aws:s3/bucket:Bucket").map((r) => r.name), ["other"]);
        assert.strictEqual(await promiseOf(bucket.arn), outputsOf(b).arn);
        assert.match(outputsOf(b).arn, /^arn:aws:s3:::logs-[0-9a-f]{7}$/);
    });

    it("keeps generated secrets secret, also when they flow into another resource's inputs", async () => {
        const run = await runProgram(() => {
            const token = new random.RandomPassword("token", { length: 40, special: false });
            new aws.ssm.Parameter("param", { type: "SecureString", value: token.result });
        });
        const param = byName(run, "aws:ssm/parameter:Parameter", "param");
        assert.strictEqual(inputsOf(param).value, SECRET_MARK);
        const revealed = plainValue(param.inputs, { revealSecrets: true }) as Record<string, string>;
        assert.strictEqual(revealed.value.length, 40);
        assert.ok(!JSON.stringify(plainValue(run.resources.map((r) => [r.inputs, r.outputs]))).includes(revealed.value));
    });

    it("answers invokes faithfully and refuses unknown ones by name", async () => {
        let names: string[] = [];
        await runProgram(async () => { names = (await aws.getAvailabilityZones({ state: "available" })).names; });
        assert.deepStrictEqual(names, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        await assert.rejects(runProgram(async () => { await aws.ec2.getVpc({ default: true }); }), /no mock answer for invoke aws:ec2\/getVpc:getVpc/);
    });

    it("runs the real program from the stack files", async () => {
        const run = await runStack({ stack: "prod" });
        assert.strictEqual(run.project, "boxoffice");
        assert.strictEqual(run.resources[0].type, "pulumi:pulumi:Stack");
        assert.ok(run.resources.length > 30, `only ${run.resources.length} resources`);
    });
});
