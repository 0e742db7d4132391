import * as assert from "assert";
import { MemcachedCluster, MemcachedClusterArgs } from "../../../components/data/memcached-cluster";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";
import { AZS, base, CLIENTS, SUBNETS } from "./helpers";

const CLUSTER = "aws:elasticache/cluster:Cluster";

async function make(args: Partial<MemcachedClusterArgs> = {}, name = "mc") {
    let mc!: MemcachedCluster;
    const run = await runProgram(() => {
        mc = new MemcachedCluster(name, { ...base, ...args });
    });
    return { run, mc };
}

describe("MemcachedCluster", () => {
    it("defaults: 3 nodes cross-az, one per AZ, TLS in transit, isolated subnets", async () => {
        const { run, mc } = await make();
        const c = inputsOf(byName(run, CLUSTER, "mc-nodes"));
        assert.deepStrictEqual(
            [
                c.engine,
                c.engineVersion,
                c.nodeType,
                c.numCacheNodes,
                c.azMode,
                c.preferredAvailabilityZones,
                c.transitEncryptionEnabled,
                c.port,
            ],
            ["memcached", "1.6.22", "cache.r7g.large", 3, "cross-az", AZS, true, 11211],
        );
        assert.strictEqual(c.tags["boxoffice:tier"], "cache");
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:elasticache/subnetGroup:SubnetGroup", "mc-subnets")).subnetIds,
            base.subnetIds,
        );
        const nodes = outputsOf(byName(run, CLUSTER, "mc-nodes")).cacheNodes as { address: string; port: number }[];
        assert.strictEqual(await promiseOf(mc.servers), nodes.map((n) => `${n.address}:${n.port}`).join(","));
        assert.strictEqual((await promiseOf(mc.servers)).split(",").length, 3);
        assert.strictEqual(await promiseOf(mc.clusterId), byName(run, CLUSTER, "mc-nodes").id);
        assert.strictEqual(mc.port, 11211);
    });

    it("places more nodes than AZs round-robin", async () => {
        const { run } = await make({ nodes: 5 });
        assert.deepStrictEqual(inputsOf(byName(run, CLUSTER, "mc-nodes")).preferredAvailabilityZones, [
            ...AZS,
            AZS[0],
            AZS[1],
        ]);
    });

    it("admits 11211 only from the client groups", async () => {
        const { run, mc } = await make();
        const sgId = await promiseOf(mc.securityGroupId);
        const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => inputsOf(r));
        assert.deepStrictEqual(
            rules.map((r) => [r.securityGroupId, r.referencedSecurityGroupId, r.fromPort, r.toPort, r.cidrIpv4]),
            CLIENTS.map((c) => [sgId, c, 11211, 11211, undefined]),
        );
        assert.deepStrictEqual(inputsOf(byName(run, CLUSTER, "mc-nodes")).securityGroupIds, [sgId]);
    });

    it("derives every child name from the component name", async () => {
        const { run } = await make({}, "pages");
        const component = run.resources.find((r) => r.type === "boxoffice:data:MemcachedCluster")!;
        assert.deepStrictEqual(
            run.resources
                .filter((r) => r.parent === component.urn)
                .map((r) => r.name)
                .sort(),
            ["pages-ingress-1", "pages-ingress-2", "pages-nodes", "pages-sg", "pages-subnets"],
        );
    });

    const errors: [string, Partial<MemcachedClusterArgs>, string][] = [
        // One rule for the component and the stack: at least 2 nodes (the HA floor), and at least one per AZ.
        [
            "fewer nodes than AZs",
            { nodes: 2 },
            'MemcachedCluster "mc": nodes = 2: must be at least the number of AZs (3) so every AZ holds a node',
        ],
        [
            "a single node",
            { nodes: 1, subnetIds: SUBNETS.slice(0, 2), availabilityZones: AZS.slice(0, 2) },
            'MemcachedCluster "mc": nodes = 1: must be 2..60 (at least 2 in different AZs, so losing one node or AZ costs only its share of the keys; ElastiCache allows up to 60 per cluster)',
        ],
        [
            "too many nodes",
            { nodes: 61 },
            'MemcachedCluster "mc": nodes = 61: must be 2..60 (at least 2 in different AZs, so losing one node or AZ costs only its share of the keys; ElastiCache allows up to 60 per cluster)',
        ],
        [
            "a maintenance window under an hour",
            { maintenanceWindow: "sun:05:00-sun:05:30" },
            'MemcachedCluster "mc": maintenanceWindow = "sun:05:00-sun:05:30": must last at least 60 minutes (ElastiCache limit)',
        ],
        [
            "a version without TLS",
            { engineVersion: "1.6.6" },
            'MemcachedCluster "mc": engineVersion = "1.6.6": must be Memcached 1.6.12 or later (needed for in-transit encryption)',
        ],
        [
            "one subnet",
            { subnetIds: ["subnet-a"], availabilityZones: ["eu-west-1a"] },
            'MemcachedCluster "mc": subnetIds = 1: must list at least 2 subnets (cross-az needs a second AZ)',
        ],
        [
            "no clients",
            { allowedSecurityGroupIds: [] },
            'MemcachedCluster "mc": allowedSecurityGroupIds = 0: must list at least 1 client security group (nothing else can ever connect)',
        ],
        [
            "node type",
            { nodeType: "r7g.large" },
            'MemcachedCluster "mc": nodeType = "r7g.large": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
        ],
        [
            "an invented node type",
            { nodeType: "cache.zz9.huge" },
            'MemcachedCluster "mc": nodeType = "cache.zz9.huge": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
        ],
        [
            "a size the family does not have",
            { nodeType: "cache.t4g.large" },
            'MemcachedCluster "mc": nodeType = "cache.t4g.large": must be one of the t4g sizes micro, small, medium (ElastiCache node types)',
        ],
    ];
    for (const [what, args, message] of errors) {
        it(`refuses ${what}`, () =>
            assert.throws(() => new MemcachedCluster("mc", { ...base, ...args }), {
                name: "ComponentArgError",
                message,
            }));
    }
});
