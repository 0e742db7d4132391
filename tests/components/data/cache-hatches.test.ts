import * as assert from "assert";
import { MemcachedCluster, MemcachedClusterArgs } from "../../../components/data/memcached-cluster";
import { RedisCache, RedisCacheArgs } from "../../../components/data/redis-cache";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";
import { AZS, base, CLIENTS, SUBNETS, VPC } from "./helpers";

const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const MC = "aws:elasticache/cluster:Cluster";
const KEY = "aws:kms/key:Key";
const PARAMS = "aws:elasticache/parameterGroup:ParameterGroup";
const RANDOM_ID = "random:index/randomId:RandomId";

async function redis(args: Partial<RedisCacheArgs> = {}) {
    let cache!: RedisCache;
    const run = await runProgram(() => {
        cache = new RedisCache("redis", { ...base, ...args });
    });
    return { run, cache };
}
async function memcached(args: Partial<MemcachedClusterArgs> = {}) {
    let mc!: MemcachedCluster;
    const run = await runProgram(() => {
        mc = new MemcachedCluster("mc", { ...base, ...args });
    });
    return { run, mc };
}

describe("cache escape hatches", () => {
    it("RedisCache transform: an object changes the group (and draws a new final-snapshot name), a function edits a child", async () => {
        const plain = await redis();
        const { run } = await redis({
            transform: {
                group: {
                    dataTieringEnabled: false,
                    notificationTopicArn: "arn:aws:sns:eu-west-1:123456789012:cache-events",
                },
                subnetGroup: (args, _opts, name) => {
                    args.description = `${name}: ours`;
                },
            },
        });
        const g = inputsOf(byName(run, RG, "redis-group"));
        assert.deepStrictEqual(
            [g.notificationTopicArn, g.dataTieringEnabled, g.engine],
            ["arn:aws:sns:eu-west-1:123456789012:cache-events", false, "redis"],
        );
        assert.notStrictEqual(
            inputsOf(byName(run, RANDOM_ID, "redis-final-snapshot-id")).keepers.arguments,
            inputsOf(byName(plain.run, RANDOM_ID, "redis-final-snapshot-id")).keepers.arguments,
        );
        assert.strictEqual(
            g.finalSnapshotIdentifier,
            `redis-final-${outputsOf(byName(run, RANDOM_ID, "redis-final-snapshot-id")).hex}`,
        );
        assert.strictEqual(
            inputsOf(byName(run, "aws:elasticache/subnetGroup:SubnetGroup", "redis-subnets")).description,
            "redis-subnets: ours",
        );
        assert.ok(
            byName(run, RG, "redis-group").options.additionalSecretOutputs.includes("authToken"),
            "the token stays secret",
        );
    });

    it("RedisCache brings its own key and parameter group: neither of ours exists, the group uses the given ones", async () => {
        const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        const plain = await redis();
        const { run, cache } = await redis({ kmsKeyArn: keyArn, parameterGroupName: "redis7-shared" });
        assert.deepStrictEqual([ofType(run, KEY).length, ofType(run, PARAMS).length], [0, 0]);
        assert.strictEqual(run.resources.length, plain.run.resources.length - 2);
        const g = inputsOf(byName(run, RG, "redis-group"));
        assert.deepStrictEqual([g.kmsKeyId, g.parameterGroupName], [keyArn, "redis7-shared"]);
        assert.deepStrictEqual([cache.resources.key, cache.resources.parameterGroup], [undefined, undefined]);
        assert.strictEqual(await promiseOf(cache.resources.group.urn), byName(run, RG, "redis-group").urn);
    });

    it("RedisCache and MemcachedCluster take a network as the raw ids do", async () => {
        const network = { vpcId: VPC, availabilityZones: AZS, isolatedSubnetIds: SUBNETS };
        const shape = (run: Awaited<ReturnType<typeof runProgram>>) =>
            run.resources.map((r) => [r.type, r.name, JSON.stringify(inputsOf(r))]);
        const viaRedis = await runProgram(() => {
            new RedisCache("redis", { network, allowedSecurityGroupIds: CLIENTS });
        });
        assert.deepStrictEqual(shape(viaRedis), shape((await redis()).run));
        const viaMemcached = await runProgram(() => {
            new MemcachedCluster("mc", { network, allowedSecurityGroupIds: CLIENTS });
        });
        assert.deepStrictEqual(shape(viaMemcached), shape((await memcached()).run));
    });

    it("MemcachedCluster transform and parameter group: the cluster's inputs follow both", async () => {
        const { run, mc } = await memcached({
            parameterGroupName: "memcached16-tuned",
            transform: {
                cluster: { notificationTopicArn: "arn:aws:sns:eu-west-1:123456789012:cache-events" },
                securityGroup: (args) => {
                    args.description = "pages";
                },
            },
        });
        const c = inputsOf(byName(run, MC, "mc-nodes"));
        assert.deepStrictEqual(
            [c.parameterGroupName, c.notificationTopicArn, c.numCacheNodes],
            ["memcached16-tuned", "arn:aws:sns:eu-west-1:123456789012:cache-events", 3],
        );
        assert.strictEqual(inputsOf(byName(run, "aws:ec2/securityGroup:SecurityGroup", "mc-sg")).description, "pages");
        assert.strictEqual(await promiseOf(mc.resources.cluster.urn), byName(run, MC, "mc-nodes").urn);
        assert.strictEqual(
            inputsOf(byName((await memcached()).run, MC, "mc-nodes")).parameterGroupName,
            undefined,
            "the default group without one",
        );
    });
});
