import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { RedisCache, RedisCacheArgs } from "../../../components/data/redis-cache";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, plainValue, promiseOf, SECRET_MARK } from "../../../tools/offline/values";
import { AZS, base, CLIENTS } from "./helpers";

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const RANDOM_ID = "random:index/randomId:RandomId";

async function make(args: Partial<RedisCacheArgs> = {}, name = "redis") {
    let cache!: RedisCache;
    const run = await runProgram(() => {
        cache = new RedisCache(name, { ...base, ...args });
    });
    return { run, cache };
}

describe("RedisCache", () => {
    it("defaults: primary + 2 replicas over 3 AZs with automatic failover, Multi-AZ, TLS required and KMS at rest", async () => {
        const { run, cache } = await make();
        const g = inputsOf(byName(run, RG, "redis-group"));
        assert.deepStrictEqual(
            [
                g.engine,
                g.engineVersion,
                g.nodeType,
                g.numCacheClusters,
                g.automaticFailoverEnabled,
                g.multiAzEnabled,
                g.preferredCacheClusterAzs,
            ],
            ["redis", "7.1", "cache.r7g.large", 3, true, true, AZS],
        );
        const key = byName(run, "aws:kms/key:Key", "redis-key");
        assert.strictEqual(inputsOf(key).enableKeyRotation, true);
        assert.deepStrictEqual(
            [g.transitEncryptionEnabled, g.transitEncryptionMode, g.atRestEncryptionEnabled, g.kmsKeyId],
            [true, "required", true, outputsOf(key).arn],
        );
        assert.deepStrictEqual(
            [g.snapshotRetentionLimit, g.snapshotWindow, g.maintenanceWindow, g.finalSnapshotIdentifier],
            [
                7,
                "03:00-04:00",
                "sun:05:00-sun:06:00",
                `redis-final-${outputsOf(byName(run, RANDOM_ID, "redis-final-snapshot-id")).hex}`,
            ],
        );
        assert.strictEqual(g.tags["boxoffice:tier"], "cache");
        assert.strictEqual(
            await promiseOf(cache.primaryAddress),
            outputsOf(byName(run, RG, "redis-group")).primaryEndpointAddress,
        );
        assert.strictEqual(
            await promiseOf(cache.readerAddress),
            outputsOf(byName(run, RG, "redis-group")).readerEndpointAddress,
        );
        assert.strictEqual((await promiseOf(cache.memberClusterIds)).length, 3);
        assert.strictEqual(await promiseOf(cache.replicationGroupId), byName(run, RG, "redis-group").id);
        assert.strictEqual(cache.port, 6379);
    });

    it("final snapshot: a name unique per incarnation, drawn anew whenever an argument of the group changes", async () => {
        const keepers = async (args: Partial<RedisCacheArgs>) => {
            const { run } = await make(args);
            const id = byName(run, RANDOM_ID, "redis-final-snapshot-id");
            assert.strictEqual(
                inputsOf(byName(run, RG, "redis-group")).finalSnapshotIdentifier,
                `redis-final-${outputsOf(id).hex}`,
            );
            const k = inputsOf(id).keepers;
            assert.doesNotMatch(k.arguments, /authToken|\[secret\]/, "the keepers never hold the AUTH token");
            return k;
        };
        const first = await keepers({});
        assert.deepStrictEqual(await keepers({}), first);
        for (const change of [
            { engineVersion: "6.2" },
            { nodeType: "cache.r6g.large" },
            { replicas: 1 },
        ] as Partial<RedisCacheArgs>[]) {
            assert.notDeepStrictEqual(await keepers(change), first, JSON.stringify(change));
        }
    });

    it("keeps the AUTH token a secret: 64 alphanumeric characters, hidden in every input and output", async () => {
        const { run, cache } = await make();
        const group = byName(run, RG, "redis-group");
        assert.strictEqual(inputsOf(group).authToken, SECRET_MARK);
        const token = (plainValue(group.inputs, { revealSecrets: true }) as Record<string, string>).authToken;
        assert.match(token, /^[A-Za-z0-9]{64}$/);
        const pw = inputsOf(byName(run, "random:index/randomPassword:RandomPassword", "redis-auth-token"));
        assert.deepStrictEqual([pw.length, pw.special], [64, false]);
        assert.strictEqual(await promiseOf(cache.authToken), token);
        assert.strictEqual(await pulumi.isSecret(cache.authToken), true);
        assert.ok(!JSON.stringify(run.resources.map((r) => [inputsOf(r), outputsOf(r)])).includes(token));
    });

    it("evicts only keys with a TTL, in a parameter group of the engine's family", async () => {
        const { run } = await make({ engineVersion: "6.2" });
        const pg = byName(run, "aws:elasticache/parameterGroup:ParameterGroup", "redis-params");
        assert.strictEqual(inputsOf(pg).family, "redis6.x", "ElastiCache's Redis 6 family (6.0 and 6.2)");
        const seven = byName(
            (await make({ engineVersion: "7.1" })).run,
            "aws:elasticache/parameterGroup:ParameterGroup",
            "redis-params",
        );
        assert.strictEqual(inputsOf(seven).family, "redis7");
        assert.deepStrictEqual(inputsOf(pg).parameters, [{ name: "maxmemory-policy", value: "volatile-lru" }]);
        assert.strictEqual(inputsOf(byName(run, RG, "redis-group")).parameterGroupName, outputsOf(pg).name);
    });

    it("admits 6379 only from the client groups and lives in the given subnets", async () => {
        const { run, cache } = await make();
        const sgId = await promiseOf(cache.securityGroupId);
        const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => inputsOf(r));
        assert.deepStrictEqual(
            rules.map((r) => [r.securityGroupId, r.referencedSecurityGroupId, r.fromPort, r.toPort, r.cidrIpv4]),
            CLIENTS.map((c) => [sgId, c, 6379, 6379, undefined]),
        );
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:elasticache/subnetGroup:SubnetGroup", "redis-subnets")).subnetIds,
            base.subnetIds,
        );
        assert.deepStrictEqual(inputsOf(byName(run, RG, "redis-group")).securityGroupIds, [sgId]);
    });

    it("options: one replica on two AZs, more replicas than AZs wrap round-robin, snapshots and protection", async () => {
        const small = await make({
            replicas: 1,
            subnetIds: base.subnetIds.slice(0, 2),
            availabilityZones: AZS.slice(0, 2),
            nodeType: "cache.t4g.small",
            snapshotRetentionDays: 1,
        });
        const s = inputsOf(byName(small.run, RG, "redis-group"));
        assert.deepStrictEqual(
            [s.numCacheClusters, s.preferredCacheClusterAzs, s.nodeType, s.snapshotRetentionLimit],
            [2, AZS.slice(0, 2), "cache.t4g.small", 1],
        );
        const big = await make({ replicas: 4, protect: true });
        assert.deepStrictEqual(inputsOf(byName(big.run, RG, "redis-group")).preferredCacheClusterAzs, [
            ...AZS,
            AZS[0],
            AZS[1],
        ]);
        assert.strictEqual(byName(big.run, RG, "redis-group").options.protect, true);
        assert.strictEqual(byName(big.run, "aws:kms/key:Key", "redis-key").options.protect, true);
        assert.strictEqual(byName(small.run, RG, "redis-group").options.protect, false);
    });

    it("derives every child name from the component name", async () => {
        const { run } = await make({}, "sessions");
        const component = run.resources.find((r) => r.type === "boxoffice:data:RedisCache")!;
        const children = run.resources.filter((r) => r.parent === component.urn);
        assert.deepStrictEqual(children.map((r) => r.name).sort(), [
            "sessions-auth-token",
            "sessions-final-snapshot-id",
            "sessions-group",
            "sessions-ingress-1",
            "sessions-ingress-2",
            "sessions-key",
            "sessions-params",
            "sessions-sg",
            "sessions-subnets",
        ]);
    });

    const errors: [string, Partial<RedisCacheArgs>, string][] = [
        [
            "no replica",
            { replicas: 0 },
            'RedisCache "redis": replicas = 0: must be 1..5 (Multi-AZ automatic failover needs at least 1 replica; a group holds up to 5)',
        ],
        [
            "too many replicas",
            { replicas: 6 },
            'RedisCache "redis": replicas = 6: must be 1..5 (Multi-AZ automatic failover needs at least 1 replica; a group holds up to 5)',
        ],
        [
            "one subnet",
            { subnetIds: ["subnet-a"], availabilityZones: ["eu-west-1a"] },
            'RedisCache "redis": subnetIds = 1: must list at least 2 subnets (Multi-AZ needs a second AZ)',
        ],
        [
            "AZs not matching subnets",
            { availabilityZones: AZS.slice(0, 2) },
            'RedisCache "redis": availabilityZones = 2: must name one AZ per subnet (3)',
        ],
        [
            "no clients",
            { allowedSecurityGroupIds: [] },
            'RedisCache "redis": allowedSecurityGroupIds = 0: must list at least 1 client security group (nothing else can ever connect)',
        ],
        [
            "t1 nodes (no failover)",
            { nodeType: "cache.t1.micro" },
            'RedisCache "redis": nodeType = "cache.t1.micro": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
        ],
        [
            "an invented node type",
            { nodeType: "cache.zz9.huge" },
            'RedisCache "redis": nodeType = "cache.zz9.huge": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
        ],
        [
            "engine",
            { engineVersion: "5.0.6" },
            'RedisCache "redis": engineVersion = "5.0.6": must be a Redis OSS major.minor 6.x or 7.x ElastiCache supports, e.g. "7.1"',
        ],
        [
            "snapshot retention",
            { snapshotRetentionDays: 36 },
            'RedisCache "redis": snapshotRetentionDays = 36: must be 0..35 (ElastiCache limit)',
        ],
        [
            "snapshot window",
            { snapshotWindow: "3am" },
            'RedisCache "redis": snapshotWindow = "3am": must be hh24:mi-hh24:mi (UTC)',
        ],
        [
            "a snapshot window under an hour",
            { snapshotWindow: "03:00-03:30" },
            'RedisCache "redis": snapshotWindow = "03:00-03:30": must last at least 60 minutes (ElastiCache limit)',
        ],
        [
            "a maintenance window under an hour",
            { maintenanceWindow: "sun:05:00-sun:05:30" },
            'RedisCache "redis": maintenanceWindow = "sun:05:00-sun:05:30": must last at least 60 minutes (ElastiCache limit)',
        ],
        [
            "maintenance window",
            { maintenanceWindow: "sun 5am" },
            'RedisCache "redis": maintenanceWindow = "sun 5am": must be ddd:hh24:mi-ddd:hh24:mi (UTC)',
        ],
    ];
    for (const [what, args, message] of errors) {
        it(`refuses ${what}`, () =>
            assert.throws(() => new RedisCache("redis", { ...base, ...args }), { name: "ComponentArgError", message }));
    }
    it("refuses names that cannot prefix a replication group id", () => {
        assert.throws(() => new RedisCache("Redis_1", base), {
            message:
                'RedisCache "Redis_1": name = "Redis_1": must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes ElastiCache ids)',
        });
        const long = "boxoffice-staging-redis-xyz";
        assert.throws(() => new RedisCache(long, base), {
            message: `RedisCache "${long}": name = "${long}": must be at most 26 characters (the autonamed replication group id "<name>-group-xxxxxxx" must fit ElastiCache's 40)`,
        });
    });
});
