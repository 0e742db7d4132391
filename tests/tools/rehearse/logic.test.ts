import * as assert from "assert";
import {
    afterDegrade,
    afterFailover,
    afterSyncRestored,
    beforeDegrade,
    ClusterState,
    decide,
    observe,
} from "../../../tools/rehearse/db-failover-logic";
import { checkPasses, failoverAnswer, HealthCheckStatus } from "../../../tools/rehearse/route53-logic";
import { buildTopology, initialRecords } from "../../../tools/rehearse/topology";

const thresholds = { writerFailures: 3, standbyMisses: 3 };
const healthy: ClusterState = {
    writer: "db1",
    standby: "db2",
    standbyEligible: true,
    syncRequired: true,
    fenced: [],
    primaryFailures: 0,
    standbyMisses: 0,
};
const probe = (state: ClusterState, writerUp: boolean, standbySynchronous: boolean, times = 1) => {
    for (let i = 0; i < times; i++) state = observe(state, { writerUp, standbySynchronous });
    return state;
};

describe("rehearsal: database failover decisions (no split brain, no lost acknowledged write)", () => {
    it("fails over to an eligible standby only after the threshold of failed probes", () => {
        assert.deepStrictEqual(decide(probe(healthy, false, false, 2), thresholds), { kind: "none" });
        assert.deepStrictEqual(decide(probe(healthy, false, false, 3), thresholds), {
            kind: "failover",
            from: "db1",
            to: "db2",
        });
        assert.deepStrictEqual(
            decide(probe(probe(healthy, false, false, 2), true, true), thresholds),
            { kind: "none" },
            "a probe that succeeds resets the count",
        );
    });

    it("never promotes a standby that may lack acknowledged commits", () => {
        const degraded = afterDegrade(beforeDegrade(healthy));
        const d = decide(probe(degraded, false, false, 3), thresholds);
        assert.strictEqual(d.kind, "wait");
        assert.match((d as { reason: string }).reason, /may lack acknowledged commits/);
        assert.deepStrictEqual(
            decide(probe({ ...healthy, standby: undefined, standbyEligible: false }, false, false, 3), thresholds),
            { kind: "wait", reason: "no standby to promote" },
        );
    });

    it("lets the writer commit alone only after a lost standby became ineligible, and only while the writer is up", () => {
        const lost = probe(healthy, true, false, 3);
        assert.deepStrictEqual(decide(lost, thresholds), { kind: "degrade", standby: "db2" });
        const first = beforeDegrade(lost);
        assert.deepStrictEqual(
            [first.standbyEligible, first.syncRequired],
            [false, true],
            "ineligible while the writer still waits for it",
        );
        assert.deepStrictEqual([afterDegrade(first).syncRequired, afterDegrade(first).standbyMisses], [false, 0]);
        assert.strictEqual(
            decide(probe(healthy, false, false, 1), thresholds).kind,
            "none",
            "a writer that does not answer is never degraded",
        );
        assert.strictEqual(
            decide(probe({ ...healthy, syncRequired: false, standbyEligible: false }, true, false, 5), thresholds).kind,
            "none",
        );
    });

    it("fences the old writer on failover and takes a rebuilt standby back only once it is synchronous", () => {
        const after = afterFailover(probe(healthy, false, false, 3), "db2");
        assert.deepStrictEqual(after, {
            writer: "db2",
            standby: undefined,
            standbyEligible: false,
            syncRequired: false,
            fenced: ["db1"],
            primaryFailures: 0,
            standbyMisses: 0,
        });
        const restored = afterSyncRestored(after, "db1");
        assert.deepStrictEqual(
            [restored.standby, restored.standbyEligible, restored.syncRequired, restored.fenced],
            ["db1", true, true, []],
        );
    });
});

describe("rehearsal: Route 53 failover rules", () => {
    it("changes a health check's status only after failureThreshold contrary results, both ways", () => {
        const s = new HealthCheckStatus(3);
        assert.deepStrictEqual([s.record(false), s.record(false), s.healthy], [false, false, true]);
        assert.deepStrictEqual([s.record(false), s.healthy], [true, false]);
        assert.deepStrictEqual(
            [s.record(true), s.record(false), s.record(true), s.record(true), s.healthy],
            [false, false, false, false, false],
            "a failure in between restarts the count",
        );
        assert.deepStrictEqual([s.record(true), s.healthy], [true, true]);
        assert.throws(() => new HealthCheckStatus(0), /1\.\.10/);
    });

    it("answers the primary while healthy, else a healthy secondary, and the primary when both are unhealthy", () => {
        assert.strictEqual(failoverAnswer(true, false), "PRIMARY");
        assert.strictEqual(failoverAnswer(false, true), "SECONDARY");
        assert.strictEqual(failoverAnswer(false, false), "PRIMARY");
        assert.deepStrictEqual([200, 301, 399, 400, 503, 0].map(checkPasses), [true, true, true, false, false, false]);
    });
});

describe("rehearsal: topology", () => {
    const t = buildTopology({ prefix: "bxr", subnet: "10.213.7", readReplicas: 1, memcachedNodes: 3, appInstances: 2 });

    it("gives every host its own namespace, address and bridge link (within Linux's 15-character names)", () => {
        for (const key of ["ns", "ip", "hubLink", "fqdn"] as const) {
            assert.strictEqual(new Set(t.hosts.map((h) => h[key])).size, t.hosts.length, `${key} not unique`);
        }
        assert.ok(
            t.hosts.every((h) => h.ns.startsWith("bxr-") && h.hubLink.length <= 15 && h.ip.startsWith("10.213.7.")),
        );
        assert.deepStrictEqual(t.hosts.filter((h) => h.role === "sentinel").length, 3);
        const two = buildTopology({
            prefix: "bxr",
            subnet: "10.213.7",
            readReplicas: 1,
            memcachedNodes: 2,
            appInstances: 2,
            workers: 2,
        });
        assert.deepStrictEqual(
            two.hosts.filter((h) => h.role === "worker").map((h) => h.name),
            ["worker1", "worker2"],
        );
    });

    it("points the moving names at the first server of each pair", () => {
        const r = initialRecords(t);
        assert.strictEqual(r[t.names.writer], t.hosts.find((h) => h.name === "db1")!.ip);
        assert.strictEqual(r[t.names.public], t.hosts.find((h) => h.name === "lb1")!.ip);
        assert.strictEqual(r[t.names.readers[0]], t.hosts.find((h) => h.name === "replica1")!.ip);
    });

    it("refuses what the drill cannot run", () => {
        assert.throws(
            () =>
                buildTopology({
                    prefix: "bxr",
                    subnet: "10.213.7",
                    readReplicas: 1,
                    memcachedNodes: 2,
                    appInstances: 1,
                }),
            /at least 2 app instances/,
        );
        assert.throws(
            () =>
                buildTopology({
                    prefix: "Bad-",
                    subnet: "10.213.7",
                    readReplicas: 1,
                    memcachedNodes: 2,
                    appInstances: 2,
                }),
            /prefix/,
        );
        assert.throws(
            () =>
                buildTopology({
                    prefix: "bxr",
                    subnet: "10.300.7",
                    readReplicas: 1,
                    memcachedNodes: 2,
                    appInstances: 2,
                }),
            /subnet/,
        );
    });
});
