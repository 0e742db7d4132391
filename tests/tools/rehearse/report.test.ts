import * as assert from "assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestRecord } from "../../../tools/loadgen/records";
import { faultStats } from "../../../tools/loadgen/report";
import {
    appShareSeconds,
    contractJson,
    longestWriteMs,
    delta,
    evaluateTargets,
    FaultResult,
    FinalInvariants,
    passed,
    targetsTakenOut,
    ZERO,
} from "../../../tools/rehearse/drill-report";
import { parseOptions } from "../../../tools/rehearse/options";
import { missingPackages } from "../../../tools/rehearse/preflight";
import { serve, SesStandIn } from "../../../tools/rehearse/ses-standin";

const buy = (startedAt: number, endedAt: number, status: number): RequestRecord => ({
    kind: "buy",
    startedAt,
    endedAt,
    status,
});
const cleanFinal: FinalInvariants = { ...ZERO, missingEmails: 0, lostOutbox: 0, drained: true, details: [] };

function result(
    name: string,
    records: RequestRecord[],
    extra: Partial<FaultResult> = {},
    outcome: Record<string, unknown> = {},
): FaultResult {
    return {
        outcome: { name, injectedAt: 1000, notes: [], ...outcome },
        stats: faultStats(records, { name, injectedAt: 1000, endAt: 9000 }),
        invariants: ZERO,
        ...extra,
    };
}

describe("rehearsal: report", () => {
    it("measures the app's share from the writer name's move to the first successful write", () => {
        const records = [buy(900, 1200, 503), buy(1500, 1600, 503), buy(2100, 2400, 201), buy(2200, 2300, 201)];
        assert.strictEqual(appShareSeconds(records, 2000), 0.3);
        assert.strictEqual(appShareSeconds([buy(900, 1200, 503)], 2000), null);
    });

    it("finds the longest wait of the writes sent during a hold", () => {
        assert.strictEqual(
            longestWriteMs(
                [buy(900, 1000, 201), buy(1100, 1900, 201), buy(1500, 1600, 201), buy(2500, 2600, 201)],
                1000,
                2000,
            ),
            800,
        );
        assert.strictEqual(longestWriteMs([buy(900, 1000, 201)], 1000, 2000), null);
    });

    it("lists the targets a load balancer took out of service in a window", () => {
        const events = [
            { at: 50, source: "lb" as const, kind: "target-state", detail: { lb: "lb1", server: "app1", to: "DOWN" } },
            { at: 150, source: "lb" as const, kind: "target-state", detail: { lb: "lb2", server: "app2", to: "DOWN" } },
            { at: 160, source: "lb" as const, kind: "target-state", detail: { lb: "lb2", server: "app2", to: "UP" } },
        ];
        assert.deepStrictEqual(targetsTakenOut(events, 100, 200), ["lb2/app2"]);
    });

    it("attributes only new violations to a fault", () => {
        assert.deepStrictEqual(
            delta(
                { lostOrders: 2, oversold: 0, doubleAdmissions: 1, duplicateEmails: 3 },
                { lostOrders: 2, oversold: 0, doubleAdmissions: 0, duplicateEmails: 1 },
            ),
            { lostOrders: 0, oversold: 0, doubleAdmissions: 1, duplicateEmails: 2 },
        );
    });

    it("ends with the contract's JSON: every key, faults with their figures", () => {
        const results = [
            result("db-primary-killed", [buy(1000, 1100, 503), buy(1200, 3000, 201)], { appShareSeconds: 0.2 }),
            result("db-planned-switchover", [buy(1000, 1400, 201)], {}, { holdMs: 850, databaseFault: true }),
        ];
        const json = contractJson(results, cleanFinal, { stack: "prod" });
        assert.deepStrictEqual(Object.keys(json).slice(0, 7), [
            "faults",
            "lostOrders",
            "oversold",
            "doubleAdmissions",
            "duplicateEmails",
            "plannedSwitchRefusedWrites",
            "maxWriteGapSeconds",
        ]);
        const fault = (json.faults as Array<Record<string, unknown>>)[0];
        assert.deepStrictEqual(Object.keys(fault).slice(0, 7), [
            "name",
            "writeGapSeconds",
            "errors",
            "lostOrders",
            "oversold",
            "doubleAdmissions",
            "duplicateEmails",
        ]);
        assert.deepStrictEqual(
            [fault.writeGapSeconds, fault.errors, json.plannedSwitchRefusedWrites, json.maxWriteGapSeconds, json.stack],
            [2, { 503: 1 }, 0, 2, "prod"],
        );
        assert.strictEqual(JSON.parse(JSON.stringify(json)).faults[1].holdMs, 850);
    });

    it("fails the run on any invariant, a refused write in the planned switch, a crash or an unrecovered fault; reports timing", () => {
        const ok = [result("db-primary-killed", [], { appShareSeconds: 7 }, { databaseFault: true })];
        const targets = evaluateTargets(ok, cleanFinal);
        assert.ok(passed(targets), "a slow app share is reported, not failed");
        assert.ok(targets.some((t) => !t.met && /writes resume within 5 s/.test(t.target)));
        assert.ok(!passed(evaluateTargets(ok, { ...cleanFinal, duplicateEmails: 1 })));
        assert.ok(!passed(evaluateTargets(ok, { ...cleanFinal, missingEmails: 1 })));
        assert.ok(
            !passed(
                evaluateTargets(
                    [result("db-planned-switchover", [buy(1000, 1100, 503)], {}, { holdMs: 1, databaseFault: true })],
                    cleanFinal,
                ),
            ),
        );
        assert.ok(
            !passed(
                evaluateTargets(ok, cleanFinal, {
                    failures: [{ name: "x", message: "timed out" }],
                    unexpectedExits: [],
                }),
            ),
        );
        assert.ok(
            !passed(evaluateTargets(ok, cleanFinal, { failures: [], unexpectedExits: [{ host: "app1", at: 1 }] })),
        );
    });
});

describe("rehearsal: command line", () => {
    it("parses commands and options, with CI defaults", () => {
        assert.deepStrictEqual(parseOptions([]), {
            command: "drill",
            stack: "prod",
            json: false,
            ci: false,
            keep: false,
            only: [],
            rate: 30,
            appInstances: 2,
        });
        const o = parseOptions([
            "--ci",
            "--json",
            "--only",
            "db-primary-killed,lb-primary-killed",
            "--only=app-instance-killed",
            "--stack=staging",
        ]);
        assert.deepStrictEqual(
            [o.ci, o.json, o.only, o.stack, o.rate],
            [true, true, ["db-primary-killed", "lb-primary-killed", "app-instance-killed"], "staging", 15],
        );
        assert.strictEqual(parseOptions(["--plan", "/tmp/p.json"]).planFile, "/tmp/p.json");
        assert.deepStrictEqual(
            [
                parseOptions(["up"]).command,
                parseOptions(["up"]).keep,
                parseOptions(["down"]).command,
                parseOptions(["--help"]).command,
            ],
            ["up", true, "down", "help"],
        );
    });

    it("names the problem with bad usage", () => {
        assert.throws(
            () => parseOptions(["--only", "disk-full"]),
            /unknown fault\(s\) disk-full; known: db-primary-killed/,
        );
        assert.throws(() => parseOptions(["--rate", "0"]), /--rate must be an integer 1\.\.500/);
        assert.throws(() => parseOptions(["--app-instances", "1"]), /at least 2/);
        assert.throws(() => parseOptions(["--stack"]), /--stack needs a value/);
        assert.throws(() => parseOptions(["--frobnicate"]), /unknown argument "--frobnicate"/);
    });

    it("lists the Debian packages it would install", () => {
        assert.deepStrictEqual(
            missingPackages((f) => !f.includes("haproxy") && !f.includes("sentinel")),
            ["redis-sentinel", "haproxy"],
        );
    });
});

describe("rehearsal: SES stand-in", () => {
    let server: http.Server;
    let base: string;
    const standIn = new SesStandIn();
    before(async () => {
        server = await serve(standIn, "127.0.0.1", 0);
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    const send = (messageId: string, signal?: AbortSignal) =>
        fetch(`${base}/v2/email/outbound-emails`, {
            method: "POST",
            signal,
            body: JSON.stringify({
                Content: {
                    Raw: {
                        Data: Buffer.from(`From: a@b\r\nMessage-ID: <${messageId}>\r\n\r\nbody`).toString("base64"),
                    },
                },
            }),
        });

    it("counts every accepted send per Message-ID, so a resend shows", async () => {
        assert.strictEqual((await send("order-1@boxoffice")).status, 200);
        await send("order-1@boxoffice");
        await send("order-2@boxoffice");
        assert.deepStrictEqual(Object.fromEntries(standIn.sends), { "order-1@boxoffice": 2, "order-2@boxoffice": 1 });
        assert.strictEqual(
            (await fetch(`${base}/v2/email/outbound-emails`, { method: "POST", body: "{}" })).status,
            400,
        );
    });

    it("parks sends on hold; one whose client goes away is never counted, the rest count on release", async () => {
        await fetch(`${base}/_hold`, { method: "POST" });
        const abort = new AbortController();
        const dropped = send("order-3@boxoffice", abort.signal).catch(() => "aborted");
        const kept = send("order-4@boxoffice");
        for (
            let i = 0;
            standIn.sends.size < 99 &&
            ((await (await fetch(`${base}/_stats`)).json()) as { parked: number }).parked < 2;
            i++
        ) {
            assert.ok(i < 200, "sends were not parked");
            await new Promise((r) => setTimeout(r, 10));
        }
        abort.abort();
        assert.strictEqual(await dropped, "aborted");
        for (let i = 0; standIn.abandoned === 0; i++) {
            assert.ok(i < 200, "the dropped send was not noticed");
            await new Promise((r) => setTimeout(r, 10));
        }
        await fetch(`${base}/_release`, { method: "POST" });
        assert.strictEqual((await kept).status, 200);
        assert.strictEqual(standIn.sends.get("order-3@boxoffice"), undefined);
        assert.strictEqual(standIn.sends.get("order-4@boxoffice"), 1);
    });

    it("answers the waiting room's DescribeAlarms through the real SDK: no alarm fires", async () => {
        const { CloudWatchClient, DescribeAlarmsCommand } = await import("@aws-sdk/client-cloudwatch");
        const client = new CloudWatchClient({
            region: "eu-west-1",
            endpoint: base,
            credentials: { accessKeyId: "AKIAREHEARSAL0000000", secretAccessKey: "rehearsal-only-not-a-secret" },
        });
        const page = await client.send(
            new DescribeAlarmsCommand({
                AlarmNamePrefix: "boxoffice-prod-",
                StateValue: "ALARM",
                AlarmTypes: ["MetricAlarm"],
            }),
        );
        assert.deepStrictEqual(page.MetricAlarms, []);
        client.destroy();
    });

    it("reads the Message-ID header of a raw message", () => {
        assert.strictEqual(
            SesStandIn.messageIdOf("Subject: x\r\nMessage-ID: <order-9@boxoffice>\r\n\r\nMessage-ID: <body>"),
            "order-9@boxoffice",
        );
        assert.strictEqual(SesStandIn.messageIdOf("Subject: x\r\n\r\nbody"), undefined);
    });
});
