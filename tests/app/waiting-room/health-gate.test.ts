import assert from "node:assert/strict";
import { DescribeAlarmsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { loadConfig } from "../../../app/src/config";
import { LocalModeStore } from "../../../app/src/mode-store";
import { HealthGate } from "../../../app/src/waiting-room/health-gate";
import { QueueMetricPublisher } from "../../../app/src/waiting-room/metrics";

describe("waiting room health gate", () => {
    let now = 1_000_000;
    const gate = (options: Partial<ConstructorParameters<typeof HealthGate>[0]> = {}) =>
        new HealthGate({
            ping: async () => undefined,
            mode: new LocalModeStore(),
            errorPercent: 10,
            clock: () => now,
            ...options,
        });

    it("holds once the writer missed two pings of a second each, and lets go when it answers", async () => {
        let answer: () => Promise<unknown> = () => new Promise(() => undefined); // hangs, like a failing-over endpoint
        const g = gate({ ping: () => answer() });
        assert.equal(g.current().ok, true);
        assert.equal(await g.checkDatabase(), true, "one slow ping is not an outage");
        assert.equal(await g.checkDatabase(), false);
        assert.deepEqual(g.current().reasons, ["database"]);
        answer = async () => undefined;
        assert.equal(await g.checkDatabase(), true);
        assert.equal(g.current().ok, true);
    });

    it("holds while the service is not read-write", async () => {
        const mode = new LocalModeStore();
        const g = gate({ mode });
        await mode.set("read-only");
        assert.deepEqual(g.current().reasons, ["mode"]);
    });

    it("holds when 5xx answers reach the threshold over the last 30 s, with enough traffic to judge", () => {
        const g = gate();
        for (let i = 0; i < 40; i++) g.observe(i < 10 ? 503 : 200);
        assert.equal(g.current().ok, true, "40 answers are too few to judge");
        for (let i = 0; i < 60; i++) g.observe(200);
        assert.deepEqual(g.current().reasons, ["error-rate"], "10 of 100 = 10 %");
        now += 31_000;
        assert.equal(g.current().ok, true, "old errors age out");
        for (let i = 0; i < 100; i++) g.observe(i < 9 ? 500 : 201);
        assert.equal(g.current().ok, true, "9 % is under the threshold");
    });

    it("holds while a named CloudWatch alarm is in ALARM; a failed call keeps the last answer", async () => {
        const calls: Array<Record<string, unknown>> = [];
        let fail = false;
        let state: "ALARM" | "OK" = "ALARM";
        const cloudWatch = {
            send: async (command: DescribeAlarmsCommand) => {
                if (fail) throw new Error("throttled");
                calls.push(command.input as Record<string, unknown>);
                const page = command.input.NextToken ? 2 : 1;
                return state === "ALARM"
                    ? {
                          MetricAlarms: [{ AlarmName: `prod-db-writer-cpu-${page}` }],
                          NextToken: page === 1 ? "next" : undefined,
                      }
                    : { MetricAlarms: [] };
            },
        };
        const g = gate({ alarmPrefixes: ["prod-db-writer-cpu-"], cloudWatch: cloudWatch as never });
        assert.deepEqual(await g.checkAlarms(), ["prod-db-writer-cpu-1", "prod-db-writer-cpu-2"]);
        assert.deepEqual(calls[0], {
            AlarmNamePrefix: "prod-db-writer-cpu-",
            StateValue: "ALARM",
            AlarmTypes: ["MetricAlarm"],
            NextToken: undefined,
        });
        assert.deepEqual(g.current().reasons, ["alarm"]);
        fail = true;
        await g.checkAlarms();
        assert.deepEqual(g.current().reasons, ["alarm"]);
        fail = false;
        state = "OK";
        await g.checkAlarms();
        assert.equal(g.current().ok, true);
    });

    it("publishes the longest newcomer wait and the whole line to CloudWatch", async () => {
        const sent: PutMetricDataCommand[] = [];
        const publisher = new QueueMetricPublisher({
            namespace: "Boxoffice",
            stack: "prod",
            client: { send: async (c: PutMetricDataCommand) => void sent.push(c) } as never,
            sample: async () => [
                { eventId: "a", queueLength: 100, admittedPerMinute: 600, newcomerWaitSeconds: 10, paused: false },
                { eventId: "b", queueLength: 3000, admittedPerMinute: 100, newcomerWaitSeconds: 1800, paused: false },
            ],
        });
        assert.deepEqual(await publisher.publishOnce(), { wait: 1800, length: 3100 });
        const data = sent[0].input.MetricData!;
        assert.equal(sent[0].input.Namespace, "Boxoffice");
        assert.deepEqual(
            data.map((d) => [d.MetricName, d.Value, d.Unit, d.Dimensions]),
            [
                ["QueueWaitSeconds", 1800, "Seconds", [{ Name: "Stack", Value: "prod" }]],
                ["QueueLength", 3100, "Count", [{ Name: "Stack", Value: "prod" }]],
            ],
        );
    });
});

describe("waiting room settings (WAITING_ROOM_*)", () => {
    it("defaults, and parses every variable", () => {
        assert.deepEqual(loadConfig({}).waitingRoom, {
            tokenTtlSeconds: 600,
            collectSeconds: 120,
            pauseErrorPercent: 10,
            pauseAlarmPrefixes: [],
            metricNamespace: undefined,
        });
        const config = loadConfig({
            WAITING_ROOM_TOKEN_TTL_SECONDS: "900",
            WAITING_ROOM_COLLECT_SECONDS: "60",
            WAITING_ROOM_PAUSE_ERROR_PERCENT: "25",
            WAITING_ROOM_PAUSE_ALARM_PREFIXES: "prod-alb1-5xx-rate-, prod-db-writer-cpu-",
            WAITING_ROOM_METRIC_NAMESPACE: "Boxoffice",
        }).waitingRoom;
        assert.deepEqual(config, {
            tokenTtlSeconds: 900,
            collectSeconds: 60,
            pauseErrorPercent: 25,
            pauseAlarmPrefixes: ["prod-alb1-5xx-rate-", "prod-db-writer-cpu-"],
            metricNamespace: "Boxoffice",
        });
    });

    it("refuses bad values at start-up, naming the variable, the value and the rule", () => {
        const cases: Array<[Record<string, string>, RegExp]> = [
            [
                { WAITING_ROOM_TOKEN_TTL_SECONDS: "30" },
                /WAITING_ROOM_TOKEN_TTL_SECONDS must be an integer between 60 and 3600, got "30"/,
            ],
            [
                { WAITING_ROOM_COLLECT_SECONDS: "1.5" },
                /WAITING_ROOM_COLLECT_SECONDS must be an integer between 10 and 3600, got "1.5"/,
            ],
            [
                { WAITING_ROOM_PAUSE_ERROR_PERCENT: "0" },
                /WAITING_ROOM_PAUSE_ERROR_PERCENT must be an integer between 1 and 100/,
            ],
            [
                { WAITING_ROOM_METRIC_NAMESPACE: "AWS/ECS" },
                /WAITING_ROOM_METRIC_NAMESPACE must be a custom CloudWatch namespace/,
            ],
            [
                { WAITING_ROOM_PAUSE_ALARM_PREFIXES: "ok,bad\u0001" },
                /WAITING_ROOM_PAUSE_ALARM_PREFIXES entries must be 1-255 printable ASCII/,
            ],
        ];
        for (const [env, message] of cases) assert.throws(() => loadConfig(env), message);
    });
});
