import * as assert from "assert";
import {
    AUTOSCALED_SERVICE_CONTRACT,
    DATABASE_CONTRACT,
    MEMCACHED_CLUSTER_CONTRACT,
    REDIS_CACHE_CONTRACT,
    nodesPerAzProblem,
} from "../../components";
import { Database } from "../../components/data/database";
import { MemcachedCluster } from "../../components/data/memcached-cluster";
import { RedisCache } from "../../components/data/redis-cache";
import { DEFAULTS } from "../../stacks/config/defaults";
import { ConfigError, parsePlatformConfig } from "../../stacks/config/load";
import { KEYS } from "../../stacks/config/schema";

const NOW = new Date("2026-06-01T12:00:00Z");
const PLACEMENT = {
    vpcId: "vpc-1",
    subnetIds: ["s-1", "s-2", "s-3"],
    availabilityZones: ["a", "b", "c"],
    allowedSecurityGroupIds: ["sg-1"],
};

/** The rule text of the one problem the stack config reports for a patched section. */
function configRule(section: string, patch: Record<string, unknown>): string {
    const raw: Record<string, unknown> = { environment: "staging", [section]: patch };
    try {
        parsePlatformConfig(raw, "eu-west-1", NOW);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        assert.strictEqual(err.problems.length, 1, err.problems.join("\n"));
        const [key, rest] = [err.problems[0].split(" = ")[0], err.problems[0].slice(err.problems[0].indexOf(": ") + 2)];
        assert.strictEqual(key, `boxoffice:${section}.${Object.keys(patch)[0]}`);
        return rest;
    }
    return assert.fail("accepted");
}

/** The rule text of the component's error for the same arguments. */
function componentRule(make: () => unknown): string {
    try {
        make();
    } catch (err) {
        const message = (err as Error).message;
        return message.slice(message.indexOf(": ", message.indexOf(" = ")) + 2);
    }
    return assert.fail("accepted");
}

describe("one contract for component and stack config", () => {
    const cases: [string, Record<string, unknown>, () => unknown][] = [
        // The storage headroom: RDS wants the ceiling ≥ 1.1 × storage; equal is refused by both, in the same words.
        [
            "database",
            { maxAllocatedStorageGb: 20 },
            () => new Database("db", { ...PLACEMENT, allocatedStorageGb: 20, maxAllocatedStorageGb: 20 }),
        ],
        ["database", { backupRetentionDays: 36 }, () => new Database("db", { ...PLACEMENT, backupRetentionDays: 36 })],
        [
            "database",
            { backupWindow: "04:15-04:45" },
            () => new Database("db", { ...PLACEMENT, backupWindow: "04:15-04:45" }),
        ],
        ["database", { backupRetentionDays: 0 }, () => new Database("db", { ...PLACEMENT, backupRetentionDays: 0 })],
        ["redis", { engineVersion: "8.0" }, () => new RedisCache("redis", { ...PLACEMENT, engineVersion: "8.0" })],
        [
            "redis",
            { snapshotWindow: "03:00-03:30" },
            () => new RedisCache("redis", { ...PLACEMENT, snapshotWindow: "03:00-03:30" }),
        ],
        // The Memcached floor: at least 2 nodes, whatever the AZs.
        [
            "memcached",
            { nodes: 1 },
            () =>
                new MemcachedCluster("mc", {
                    ...PLACEMENT,
                    subnetIds: ["s-1", "s-2"],
                    availabilityZones: ["a", "b"],
                    nodes: 1,
                }),
        ],
    ];
    for (const [section, patch, make] of cases) {
        it(`${section}.${Object.keys(patch)[0]} = ${JSON.stringify(Object.values(patch)[0])}: the same rule, in the same words`, () => {
            assert.strictEqual(configRule(section, patch), componentRule(make));
        });
    }

    it("the Redis message names only the engine that is built", () => {
        const rule = componentRule(() => new RedisCache("redis", { ...PLACEMENT, engineVersion: "8.0" }));
        assert.strictEqual(rule, 'must be a Redis OSS major.minor 6.x or 7.x ElastiCache supports, e.g. "7.1"');
        assert.doesNotMatch(rule, /Valkey/);
    });

    it("Memcached: the per-AZ rule is one function, worded for the component and for the config", () => {
        assert.strictEqual(
            componentRule(() => new MemcachedCluster("mc", { ...PLACEMENT, nodes: 2 })),
            nodesPerAzProblem(2, 3, "the number of AZs"),
        );
        assert.throws(
            () =>
                parsePlatformConfig(
                    {
                        environment: "prod",
                        loadBalancers: { domain: "t.example.com", hostedZoneId: "Z1" },
                        memcached: { nodes: 2 },
                    },
                    "eu-west-1",
                    NOW,
                ),
            (e: ConfigError) =>
                e.problems.includes(
                    `boxoffice:memcached.nodes = 2: ${nodesPerAzProblem(2, 3, "network.availabilityZones")}`,
                ),
        );
    });

    it("prod's defaults are the components' own wherever the platform does not choose otherwise", () => {
        const pick = (o: Record<string, unknown>, keys: readonly string[]) =>
            Object.fromEntries(keys.map((k) => [k, o[k]]));
        assert.deepStrictEqual(DEFAULTS.prod.database, pick(DATABASE_CONTRACT.defaults, KEYS.database));
        assert.deepStrictEqual(DEFAULTS.prod.redis, pick(REDIS_CACHE_CONTRACT.defaults, KEYS.redis));
        assert.deepStrictEqual(DEFAULTS.prod.memcached, pick(MEMCACHED_CLUSTER_CONTRACT.defaults, KEYS.memcached));
        // The app differs on purpose: a floor of 3 (one per AZ) and room for an on-sale; the worker is smaller.
        assert.deepStrictEqual(
            [DEFAULTS.prod.app.minTasks, DEFAULTS.prod.app.maxTasks, AUTOSCALED_SERVICE_CONTRACT.defaults.minTasks],
            [3, 30, 2],
        );
        assert.deepStrictEqual([DEFAULTS.prod.worker.cpu, DEFAULTS.prod.worker.memory], [256, 512]);
    });
});
