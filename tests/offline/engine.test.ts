import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readProject } from "../../tools/offline/project";
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
        const second = await runProgram(() => {
            new aws.s3.Bucket("other", {});
        });
        const b = byName(first, "aws:s3/bucket:Bucket", "logs");
        assert.strictEqual(b.urn, "urn:pulumi:test::boxoffice::test:index:Group$aws:s3/bucket:Bucket::logs");
        assert.strictEqual(b.parent, "urn:pulumi:test::boxoffice::test:index:Group::group");
        assert.deepStrictEqual(
            ofType(second, "aws:s3/bucket:Bucket").map((r) => r.name),
            ["other"],
        );
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
        assert.ok(
            !JSON.stringify(plainValue(run.resources.map((r) => [r.inputs, r.outputs]))).includes(revealed.value),
        );
    });

    it("answers invokes faithfully and refuses unknown ones by name", async () => {
        let names: string[] = [];
        await runProgram(async () => {
            names = (await aws.getAvailabilityZones({ state: "available" })).names;
        });
        assert.deepStrictEqual(names, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        await assert.rejects(
            runProgram(async () => {
                await aws.ec2.getVpc({ default: true });
            }),
            /no mock answer for invoke aws:ec2\/getVpc:getVpc/,
        );
    });

    it("runs the real program from the stack files", async () => {
        const run = await runStack({ stack: "prod" });
        assert.strictEqual(run.project, "boxoffice");
        assert.strictEqual(run.resources[0].type, "pulumi:pulumi:Stack");
        assert.ok(run.resources.length > 30, `only ${run.resources.length} resources`);
    });

    /** A program folder outside the repository, without node_modules of its own. */
    function tempProgram(files: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-"));
        for (const [name, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), text);
        }
        return dir;
    }

    it("runs any program: Pulumi.yaml main honoured, @pulumi/aws found in our node_modules, import-time registration rerun", async () => {
        const dir = tempProgram({
            "Pulumi.yaml":
                "name: other\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: src/main.ts\n",
            "Pulumi.dev.yaml": "config:\n  aws:region: eu-central-1\n  other:bucketName: tickets-archive\n",
            "src/main.ts":
                'import * as aws from "@pulumi/aws";\nimport * as pulumi from "@pulumi/pulumi";\nconst b = new aws.s3.Bucket("archive", { bucket: new pulumi.Config().require("bucketName") });\nexport const arn = b.arn;\n',
        });
        assert.strictEqual(readProject(dir).entry, path.join(dir, "src", "main.ts"));
        for (let i = 0; i < 2; i++) {
            const run = await runStack({ stack: "dev", projectDir: dir });
            assert.strictEqual(run.project, "other");
            assert.deepStrictEqual(
                ofType(run, "aws:s3/bucket:Bucket").map((r) => inputsOf(r).bucket),
                ["tickets-archive"],
                `run ${i + 1}`,
            );
            assert.strictEqual(plainValue(run.stackOutputs.arn), "arn:aws:s3:::tickets-archive");
        }
    });

    it("refuses what the language host would not run, naming the reason", () => {
        const ts = tempProgram({
            "Pulumi.yaml": "name: x\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.ts\n",
            "index.ts": "",
        });
        assert.throws(() => readProject(ts), /typescript is false/);
        const py = tempProgram({ "Pulumi.yaml": "name: x\nruntime: python\n" });
        assert.throws(() => readProject(py), /runtime "python" is not nodejs/);
        const esm = tempProgram({
            "Pulumi.yaml": "name: x\nruntime: nodejs\n",
            "package.json": '{"type":"module"}',
            "index.js": "",
        });
        assert.throws(() => readProject(esm), /ES module/);
    });

    it("the offline commands refuse the network except loopback (no AWS API call, no metadata probe)", () => {
        const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "net-")), "probe.ts");
        fs.writeFileSync(
            script,
            `import { refuseNetwork } from ${JSON.stringify(path.resolve(__dirname, "../../tools/offline/no-network"))};
import * as https from "https";
import * as net from "net";
refuseNetwork();
https.get("https://acm.eu-west-1.amazonaws.com/", () => console.log("connected")).on("error", (e) => console.log("https:", e.message));
net.connect(80, "169.254.169.254").on("error", (e) => console.log("imds:", e.message));
const server = net.createServer((s) => s.end()).listen(0, "127.0.0.1", () => {
    net.connect((server.address() as net.AddressInfo).port, "127.0.0.1").on("connect", function (this: net.Socket) { console.log("loopback: ok"); this.destroy(); server.close(); });
});
`,
        );
        const r = spawnSync(process.execPath, [path.resolve(__dirname, "../../tools/ts-run.js"), script], {
            encoding: "utf8",
            timeout: 30_000,
        });
        assert.match(r.stdout, /https: network access to acm\.eu-west-1\.amazonaws\.com refused/);
        assert.match(r.stdout, /imds: network access to 169\.254\.169\.254 refused/);
        assert.match(r.stdout, /loopback: ok/);
        assert.doesNotMatch(r.stdout, /connected/);
    });
});
