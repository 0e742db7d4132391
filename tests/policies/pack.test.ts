/**
 * The pack as the Pulumi CLI runs it: `policies/index.ts` in its own process serves the analyzer over gRPC
 * (printing its port), and `GetAnalyzerInfo` lists every rule with its metadata. Run in a child process,
 * because constructing `PolicyPack` keeps a server alive and a second one would exit this process.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import type { AnalyzerInfo } from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../../policies/rules";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require("@grpc/grpc-js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");

const POLICIES_DIR = path.resolve(__dirname, "..", "..", "policies");

describe("policy pack process (policies/index.ts)", function () {
    this.timeout(20_000);
    let child: ChildProcess | undefined;

    after(() => {
        if (child?.pid && child.exitCode === null) child.kill("SIGTERM");
    });

    it("serves the analyzer and reports every rule with severity and remediation steps", async () => {
        child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: POLICIES_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (d) => {
            stderr += String(d);
        });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            child!.stdout!.on("data", (d) => {
                out += String(d);
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(Number(m[1]));
            });
            child!.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}`)));
        });
        const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        try {
            const info = await new Promise<AnalyzerInfo>((resolve, reject) =>
                client.getAnalyzerInfo(new emptyproto.Empty(), (err: unknown, resp: AnalyzerInfo) =>
                    err ? reject(err) : resolve(resp),
                ),
            );
            assert.strictEqual(info.getName(), "boxoffice");
            assert.strictEqual(info.getSupportsconfig(), true);
            const served = info.getPoliciesList();
            assert.deepStrictEqual(
                served.map((p) => p.getName()),
                policies.map((p) => p.name),
            );
            for (const p of served) {
                assert.ok(p.getRemediationSteps(), `${p.getName()} remediation steps`);
                assert.notStrictEqual(p.getSeverity(), 0, `${p.getName()} severity`);
            }
        } finally {
            client.close();
        }
    });
});
