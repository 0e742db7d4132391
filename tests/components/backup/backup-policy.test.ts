import * as assert from "assert";
import { BackupPolicy, BackupPolicyArgs } from "../../../components/backup/backup-policy";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, outputsOf, promiseOf } from "../../../tools/offline/values";

const PLAN = "aws:backup/plan:Plan";
const VAULT = "aws:backup/vault:Vault";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

async function make(args: Partial<BackupPolicyArgs> = {}, name = "bk") {
    let policy!: BackupPolicy;
    const run = await runProgram(() => {
        policy = new BackupPolicy(name, { copyToRegion: "eu-central-1", ...args });
    });
    return { run, policy };
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

describe("BackupPolicy", () => {
    it("defaults: daily 3 / weekly 21 / monthly 180 days into a KMS-encrypted vault that is kept on delete", async () => {
        const { run, policy } = await make();
        const rules = inputsOf(byName(run, PLAN, "bk-plan")).rules as PlanRule[];
        assert.deepStrictEqual(
            rules.map((r) => [r.ruleName, r.schedule, r.lifecycle]),
            [
                ["bk-daily", "cron(0 7 * * ? *)", { deleteAfter: 3 }],
                ["bk-weekly", "cron(0 7 ? * SAT *)", { deleteAfter: 21 }],
                ["bk-monthly", "cron(0 7 1 * ? *)", { deleteAfter: 180 }],
            ],
        );
        const vault = byName(run, VAULT, "bk-vault");
        const key = byName(run, "aws:kms/key:Key", "bk-vault-key");
        assert.strictEqual(inputsOf(vault).kmsKeyArn, outputsOf(key).arn);
        assert.strictEqual(inputsOf(key).enableKeyRotation, true);
        assert.deepStrictEqual(
            [vault.options.retainOnDelete, key.options.retainOnDelete, inputsOf(vault).forceDestroy],
            [true, true, false],
        );
        for (const r of rules) assert.strictEqual(r.targetVaultName, outputsOf(vault).name);
        for (const r of rules) assert.strictEqual(r.enableContinuousBackup, undefined, "PITR is RDS's own retention");
        assert.strictEqual(await promiseOf(policy.vaultArn), outputsOf(vault).arn);
    });

    it("copies every rule's recovery points to a vault in copyToRegion, through a provider for that region", async () => {
        const { run, policy } = await make();
        const provider = byName(run, "pulumi:providers:aws", "bk-eu-central-1");
        assert.strictEqual(inputsOf(provider).region, "eu-central-1");
        const copyVault = byName(run, VAULT, "bk-copy-vault");
        const copyKey = byName(run, "aws:kms/key:Key", "bk-copy-vault-key");
        assert.ok(copyVault.provider?.startsWith(provider.urn));
        assert.ok(copyKey.provider?.startsWith(provider.urn));
        assert.match(outputsOf(copyVault).arn, /^arn:aws:backup:eu-central-1:/);
        assert.deepStrictEqual(
            [copyVault.options.retainOnDelete, inputsOf(copyVault).kmsKeyArn],
            [true, outputsOf(copyKey).arn],
        );
        const rules = inputsOf(byName(run, PLAN, "bk-plan")).rules as PlanRule[];
        for (const r of rules)
            assert.deepStrictEqual(r.copyActions, [
                { destinationVaultArn: outputsOf(copyVault).arn, lifecycle: r.lifecycle },
            ]);
        assert.strictEqual(await promiseOf(policy.copyVaultArn), outputsOf(copyVault).arn);
        assert.strictEqual(policy.copyToRegion, "eu-central-1");
    });

    it("selects resources by the backup tag, with a role holding the AWS Backup managed policies", async () => {
        const { run } = await make();
        const sel = inputsOf(byName(run, "aws:backup/selection:Selection", "bk-selection"));
        assert.deepStrictEqual(sel.selectionTags, [
            { type: "STRINGEQUALS", key: "boxoffice:backup", value: "daily-weekly-monthly" },
        ]);
        assert.strictEqual(sel.planId, byName(run, PLAN, "bk-plan").id);
        const role = byName(run, "aws:iam/role:Role", "bk-role");
        assert.strictEqual(sel.iamRoleArn, outputsOf(role).arn);
        assert.match(inputsOf(role).assumeRolePolicy, /backup\.amazonaws\.com/);
        const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.name.startsWith("bk-role-"))
            .map((a) => inputsOf(a).policyArn);
        assert.deepStrictEqual(attached, [
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ]);
    });

    it("locks both vaults in compliance mode by default, bounds matching the rules", async () => {
        const { run } = await make();
        const locks = ofType(run, LOCK).map((l) => [l.name, inputsOf(l)] as const);
        assert.deepStrictEqual(
            locks.map(([n, l]) => [n, l.minRetentionDays, l.maxRetentionDays, l.changeableForDays]),
            [
                ["bk-lock", 3, 180, 3],
                ["bk-copy-lock", 3, 180, 3],
            ],
        );
        assert.strictEqual(locks[0][1].backupVaultName, outputsOf(byName(run, VAULT, "bk-vault")).name);
        assert.strictEqual(locks[1][1].backupVaultName, outputsOf(byName(run, VAULT, "bk-copy-vault")).name);
    });

    it("governance lock has no cooling-off period; no lock when turned off", async () => {
        const gov = await make({ vaultLockMode: "governance" });
        assert.deepStrictEqual(
            ofType(gov.run, LOCK).map((l) => inputsOf(l).changeableForDays),
            [undefined, undefined],
        );
        const none = await make({ vaultLock: false });
        assert.strictEqual(ofType(none.run, LOCK).length, 0);
    });

    it("moves monthly points to cold storage when asked and copies with the same lifecycle", async () => {
        const { run } = await make({ monthlyColdStorageAfterDays: 30, monthlyRetentionDays: 365 });
        const monthly = (inputsOf(byName(run, PLAN, "bk-plan")).rules as PlanRule[])[2];
        assert.deepStrictEqual(monthly.lifecycle, { deleteAfter: 365, coldStorageAfter: 30 });
        assert.deepStrictEqual(monthly.copyActions[0].lifecycle, { deleteAfter: 365, coldStorageAfter: 30 });
    });

    it("restore-tests the latest RDS snapshot weekly with its own role, or not at all when turned off", async () => {
        const { run } = await make();
        const plan = inputsOf(byName(run, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "bk-restore-test"));
        assert.strictEqual(plan.name, "bk_restore_test");
        assert.deepStrictEqual(plan.recoveryPointSelection, {
            algorithm: "LATEST_WITHIN_WINDOW",
            includeVaults: [outputsOf(byName(run, VAULT, "bk-vault")).arn],
            recoveryPointTypes: ["SNAPSHOT"],
            selectionWindowDays: 7,
        });
        const sel = inputsOf(
            byName(run, "aws:backup/restoreTestingSelection:RestoreTestingSelection", "bk-restore-test-rds"),
        );
        assert.deepStrictEqual(
            [sel.name, sel.restoreTestingPlanName, sel.protectedResourceType],
            ["bk_restore_test_rds", "bk_restore_test", "RDS"],
        );
        assert.deepStrictEqual(sel.protectedResourceConditions.stringEquals, [
            { key: "aws:ResourceTag/boxoffice:backup", value: "daily-weekly-monthly" },
        ]);
        assert.strictEqual(sel.iamRoleArn, outputsOf(byName(run, "aws:iam/role:Role", "bk-restore-test-role")).arn);
        const off = await make({ restoreTesting: false });
        assert.strictEqual(ofType(off.run, "aws:backup/restoreTestingPlan:RestoreTestingPlan").length, 0);
    });

    it("derives every child name from the component name", async () => {
        const { run } = await make({}, "prod-backup");
        const component = run.resources.find((r) => r.type === "boxoffice:backup:BackupPolicy")!;
        const children = run.resources.filter((r) => r.parent === component.urn);
        assert.ok(children.length >= 15, `${children.length} children`);
        for (const c of children) assert.match(c.name, /^prod-backup-/);
        assert.strictEqual(
            inputsOf(byName(run, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "prod-backup-restore-test")).name,
            "prod_backup_restore_test",
        );
    });

    it("accepts names up to 31 characters, so every derived name fits AWS Backup's 50-character limit", async () => {
        const name = "a".repeat(31);
        const { run } = await make({}, name);
        const vaultNames = ofType(run, VAULT).map((v) => outputsOf(v).name as string);
        assert.deepStrictEqual(
            vaultNames.map((n) => n.replace(/-[0-9a-f]{7}$/, "-xxxxxxx")),
            [`${name}-vault-xxxxxxx`, `${name}-copy-vault-xxxxxxx`],
        );
        assert.strictEqual(Math.max(...vaultNames.map((n) => n.length)), 50);
        const plan = inputsOf(ofType(run, "aws:backup/restoreTestingPlan:RestoreTestingPlan")[0]).name;
        const selection = inputsOf(ofType(run, "aws:backup/restoreTestingSelection:RestoreTestingSelection")[0]).name;
        assert.ok(plan.length <= 50 && selection.length <= 50, `${plan} / ${selection}`);
    });

    it("refuses a 32-character name: its copy vault would get a 51-character name", () => {
        assert.throws(() => new BackupPolicy("a".repeat(32), { copyToRegion: "eu-central-1" }), {
            name: "ComponentArgError",
            message: `BackupPolicy "${"a".repeat(32)}": name = "${"a".repeat(32)}": must be at most 31 characters (the autonamed copy vault "<name>-copy-vault-xxxxxxx" must fit AWS Backup's 50-character vault names)`,
        });
    });

    const errors: [string, Partial<BackupPolicyArgs>, string][] = [
        [
            "weekly not above daily",
            { dailyRetentionDays: 7, weeklyRetentionDays: 7 },
            'BackupPolicy "bk": weeklyRetentionDays = 7: must be greater than dailyRetentionDays (7)',
        ],
        [
            "monthly not above weekly",
            { monthlyRetentionDays: 21 },
            'BackupPolicy "bk": monthlyRetentionDays = 21: must be greater than weeklyRetentionDays (21)',
        ],
        [
            "zero daily",
            { dailyRetentionDays: 0 },
            'BackupPolicy "bk": dailyRetentionDays = 0: must be 1..36500 (AWS Backup lifecycle)',
        ],
        [
            "cold storage without 90 days",
            { monthlyColdStorageAfterDays: 100 },
            'BackupPolicy "bk": monthlyRetentionDays = 180: must be at least monthlyColdStorageAfterDays + 90 = 190 (AWS Backup cold-storage minimum)',
        ],
        [
            "a bad region",
            { copyToRegion: "Frankfurt" },
            'BackupPolicy "bk": copyToRegion = "Frankfurt": must be an AWS region name, e.g. eu-central-1',
        ],
        [
            "a short cooling-off",
            { changeableForDays: 2 },
            'BackupPolicy "bk": changeableForDays = 2: must be 3..36500 (AWS Backup vault lock cooling-off is at least 72 hours)',
        ],
        [
            "a bad schedule",
            { weeklySchedule: "every sunday" },
            'BackupPolicy "bk": weeklySchedule = "every sunday": must be an AWS cron expression with six fields, e.g. cron(0 7 * * ? *)',
        ],
        [
            "a copy region of no partition",
            { copyToRegion: "eu-middle-9" },
            'BackupPolicy "bk": copyToRegion = "eu-middle-9": must be an AWS region name, e.g. eu-central-1',
        ],
        [
            "a bad lock mode",
            { vaultLockMode: "strict" as "compliance" },
            'BackupPolicy "bk": vaultLockMode = "strict": must be one of compliance, governance',
        ],
    ];
    for (const [what, args, message] of errors) {
        it(`refuses ${what}`, () =>
            assert.throws(() => new BackupPolicy("bk", { copyToRegion: "eu-central-1", ...args }), {
                name: "ComponentArgError",
                message,
            }));
    }
});

describe("BackupPolicy escape hatches", () => {
    it("a transform per child: an object for the plan, a function for both vaults", async () => {
        const names: string[] = [];
        const { run } = await make({
            transform: {
                plan: { advancedBackupSettings: [{ resourceType: "EC2", backupOptions: { WindowsVSS: "enabled" } }] },
                vault: (args, _opts, name) => {
                    names.push(name);
                    args.forceDestroy = true;
                },
            },
        });
        assert.deepStrictEqual(inputsOf(byName(run, PLAN, "bk-plan")).advancedBackupSettings, [
            { resourceType: "EC2", backupOptions: { WindowsVSS: "enabled" } },
        ]);
        assert.deepStrictEqual(names, ["bk-vault", "bk-copy-vault"]);
        for (const v of ofType(run, VAULT)) assert.strictEqual(inputsOf(v).forceDestroy, true, v.name);
    });

    it("existing KMS keys for the vaults: no keys of ours, the vaults use the given ones", async () => {
        const key = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-1111-1111-111111111111";
        const copyKey = "arn:aws:kms:eu-central-1:123456789012:key/22222222-2222-2222-2222-222222222222";
        const plain = await make();
        const { run, policy } = await make({ kmsKeyArn: key, copyKmsKeyArn: copyKey });
        assert.strictEqual(ofType(run, "aws:kms/key:Key").length, 0);
        assert.strictEqual(run.resources.length, plain.run.resources.length - 2);
        assert.deepStrictEqual(
            ofType(run, VAULT).map((v) => inputsOf(v).kmsKeyArn),
            [key, copyKey],
        );
        assert.strictEqual(await promiseOf(policy.resources.copyVault.urn), byName(run, VAULT, "bk-copy-vault").urn);
    });
});
