import * as assert from "assert";
import { Network } from "../../../components/network/network";
import { createDataTier } from "../../../stacks/data-tier";
import { DEFAULTS } from "../../../stacks/config/defaults";
import type { PlatformConfig } from "../../../stacks/config/schema";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, plainValue, promiseOf, SECRET_MARK } from "../../../tools/offline/values";

const config = (environment: "prod" | "staging"): PlatformConfig => ({ environment, ...DEFAULTS[environment] });

async function tier(environment: "prod" | "staging") {
    let out!: ReturnType<typeof createDataTier>;
    const run = await runProgram(() => {
        const cfg = config(environment);
        const network = new Network("net", cfg.network);
        out = createDataTier(`boxoffice-${environment}`, cfg, network, ["sg-app", "sg-worker"]);
    });
    return { run, out };
}

/** A rule of the backup plan, as the plan records it. */
interface PlanRule {
    ruleName: string;
    schedule: string;
    targetVaultName: string;
    enableContinuousBackup?: boolean;
    lifecycle: { deleteAfter: number; coldStorageAfter?: number };
    copyActions: { destinationVaultArn: string; lifecycle: PlanRule["lifecycle"] }[];
}

describe("data tier (stacks/data-tier.ts)", () => {
    it("prod: Multi-AZ protected writer with a replica, Redis failover over 3 AZs, Memcached over 3 AZs, backups copied to eu-central-1", async () => {
        const { run, out } = await tier("prod");
        const writer = byName(run, "aws:rds/instance:Instance", "boxoffice-prod-db-writer");
        const w = inputsOf(writer);
        assert.deepStrictEqual(
            [
                w.multiAz,
                w.deletionProtection,
                w.backupRetentionPeriod,
                w.skipFinalSnapshot,
                w.storageEncrypted,
                writer.options.protect,
            ],
            [true, true, 7, false, true, true],
        );
        assert.strictEqual(ofType(run, "aws:rds/instance:Instance").length, 2);
        const subnets = ofType(run, "aws:ec2/subnet:Subnet")
            .filter((s) => s.name.startsWith("net-isolated-"))
            .map((s) => s.id);
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:rds/subnetGroup:SubnetGroup", "boxoffice-prod-db-subnets")).subnetIds,
            subnets,
        );
        const rg = inputsOf(
            byName(run, "aws:elasticache/replicationGroup:ReplicationGroup", "boxoffice-prod-redis-group"),
        );
        assert.deepStrictEqual(
            [
                rg.numCacheClusters,
                rg.automaticFailoverEnabled,
                rg.multiAzEnabled,
                new Set(rg.preferredCacheClusterAzs).size,
                rg.authToken,
            ],
            [3, true, true, 3, SECRET_MARK],
        );
        const mc = inputsOf(byName(run, "aws:elasticache/cluster:Cluster", "boxoffice-prod-memcached-nodes"));
        assert.deepStrictEqual(
            [mc.numCacheNodes, mc.azMode, new Set(mc.preferredAvailabilityZones).size],
            [3, "cross-az", 3],
        );
        const rules = inputsOf(byName(run, "aws:backup/plan:Plan", "boxoffice-prod-backup-plan")).rules as PlanRule[];
        assert.deepStrictEqual(
            rules.map((r) => r.lifecycle.deleteAfter),
            [3, 21, 180],
        );
        assert.strictEqual(out.backup.copyToRegion, "eu-central-1");
        assert.strictEqual(ofType(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length, 2);
        assert.strictEqual(inputsOf(writer).tags["boxoffice:environment"], "prod");
        const token = await promiseOf(out.redis.authToken);
        assert.ok(
            !JSON.stringify(plainValue(run.resources.map((r) => [r.inputs, r.outputs]))).includes(token),
            "no plaintext token anywhere",
        );
        assert.strictEqual(
            await promiseOf(out.database.clientWriterAddress),
            await promiseOf(out.database.writerAddress),
        );
        assert.strictEqual((await promiseOf(out.memcached.servers)).split(",").length, 3);
    });

    it("staging: 2 AZs, still Multi-AZ with a replica and failover, nothing protected, no vault lock", async () => {
        const { run } = await tier("staging");
        const writer = byName(run, "aws:rds/instance:Instance", "boxoffice-staging-db-writer");
        assert.deepStrictEqual(
            [inputsOf(writer).multiAz, inputsOf(writer).deletionProtection, writer.options.protect],
            [true, false, false],
        );
        const rg = inputsOf(
            byName(run, "aws:elasticache/replicationGroup:ReplicationGroup", "boxoffice-staging-redis-group"),
        );
        assert.deepStrictEqual([rg.numCacheClusters, new Set(rg.preferredCacheClusterAzs).size], [2, 2]);
        assert.strictEqual(
            inputsOf(byName(run, "aws:elasticache/cluster:Cluster", "boxoffice-staging-memcached-nodes")).numCacheNodes,
            2,
        );
        assert.strictEqual(ofType(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length, 0);
    });
});
