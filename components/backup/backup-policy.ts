import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { BACKUP_TAG, BACKUP_TAG_VALUE } from "../tiers";
import { child } from "../transform";
import { BACKUP_POLICY_CONTRACT, BackupPolicyArgs, BackupPolicyTransform } from "./backup-policy-args";
import { BACKUP_START_WINDOW_MINUTES, scheduleConflict } from "./schedule-windows";

export type { BackupPolicyArgs, BackupPolicyTransform } from "./backup-policy-args";

/** The raw children, for what the arguments do not cover. */
export interface BackupPolicyResources {
    vault: aws.backup.Vault;
    copyVault: aws.backup.Vault;
    plan: aws.backup.Plan;
    selection: aws.backup.Selection;
    /** The provider of `copyToRegion`, for more resources there. */
    copyProvider: aws.Provider;
}

/** CreateBackupVault: `^[a-zA-Z0-9\-\_]{2,50}$`; restore-testing plan and selection names also stop at 50. */
const MAX_VAULT_NAME = 50;
/**
 * The longest name derived from `name` is the copy vault's: Pulumi autonames `${name}-copy-vault` with "-" and 7
 * random characters, 19 more than `name`. (The restore-test selection `${name}_restore_test_rds` adds 17.)
 */
const MAX_NAME = MAX_VAULT_NAME - "-copy-vault".length - 8;

/**
 * AWS Backup for everything tagged `boxoffice:backup = daily-weekly-monthly`: a KMS-encrypted vault (kept when
 * the stack is destroyed), a plan with daily, weekly and monthly rules, a copy of every recovery point to a vault
 * in a second region, an optional vault lock, and a weekly restore test so restores are proven, not assumed.
 *
 * Point-in-time recovery stays RDS's own (automated backups, `backupRetentionDays`): enabling continuous backup
 * here too would only move the same PITR window into AWS Backup, with the 35-day cap, and pay for it twice.
 *
 * HA/DR: a region-wide outage leaves the copies in `copyToRegion`; a compromised account cannot delete locked
 * recovery points before their retention ends.
 *
 * Cost: snapshot storage per GB-month in both regions (incremental for RDS within a region, full for the first
 * cross-region copy), cross-region transfer per GB, 2 KMS keys at 1 USD/month, restore tests billed as a short-
 * lived RDS instance each week.
 *
 * @example new BackupPolicy("prod-backup", { copyToRegion: "eu-central-1" })
 */
export class BackupPolicy extends pulumi.ComponentResource {
    /** The primary-region backup vault's name. */
    readonly vaultName: pulumi.Output<string>;
    /** The primary-region backup vault's ARN. */
    readonly vaultArn: pulumi.Output<string>;
    /** The ARN of the vault in `copyToRegion` that receives every recovery point's copy. */
    readonly copyVaultArn: pulumi.Output<string>;
    /** The AWS Backup plan's id. */
    readonly planId: pulumi.Output<string>;
    /** The region the copies go to (`copyToRegion`). */
    readonly copyToRegion: string;

    /** The raw children (vaults, plan, selection, the copy region's provider). */
    readonly resources: BackupPolicyResources;

    constructor(name: string, args: BackupPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        const check = argChecker("BackupPolicy", name);
        check.that(
            /^[a-z](-?[a-z0-9])*$/.test(name),
            "name",
            name,
            "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes vault and plan names)",
        );
        check.that(
            name.length <= MAX_NAME,
            "name",
            name,
            `must be at most ${MAX_NAME} characters (the autonamed copy vault "<name>-copy-vault-xxxxxxx" must fit AWS Backup's ${MAX_VAULT_NAME}-character vault names)`,
        );
        const c = BACKUP_POLICY_CONTRACT.resolve(name, args);
        const daily = c.dailyRetentionDays;
        const weekly = c.weeklyRetentionDays;
        const monthly = c.monthlyRetentionDays;
        const cold = c.monthlyColdStorageAfterDays;
        const schedules = { daily: c.dailySchedule, weekly: c.weeklySchedule, monthly: c.monthlySchedule };
        for (const [rule, expr] of Object.entries(schedules)) {
            const conflict =
                args.databaseWindows && scheduleConflict(expr, BACKUP_START_WINDOW_MINUTES, args.databaseWindows);
            check.that(
                !conflict,
                `${rule}Schedule`,
                expr,
                `${conflict} (AWS Backup Developer Guide, backup windows); pick a time clear of both`,
            );
        }
        super("boxoffice:backup:BackupPolicy", name, {}, opts);

        const parent = { parent: this };
        const t = args.transform ?? {};
        const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
        const partition = aws.getPartitionOutput({}, parent).partition;

        // The vaults and their keys outlive the stack: recovery points are the last line of defence, and a
        // deleted key makes every recovery point it encrypts unreadable.
        const vault = this.vault(name, "", args.kmsKeyArn, tags, parent, t);
        // Copies go through a provider for the second region; it takes credentials from the environment like
        // the default provider, but not the stack's `aws:*` settings other than the region given here.
        const copyProvider = child(
            aws.Provider,
            `${name}-${c.copyToRegion}`,
            { region: c.copyToRegion as aws.Region },
            parent,
            t.copyProvider,
        );
        const copyVault = this.vault(
            name,
            "copy-",
            args.copyKmsKeyArn,
            tags,
            { parent: this, provider: copyProvider },
            t,
        );

        const lifecycle = (deleteAfter: number, coldAfter: number | null = null) =>
            coldAfter === null ? { deleteAfter } : { deleteAfter, coldStorageAfter: coldAfter };
        const rule = (ruleName: string, schedule: string, lc: { deleteAfter: number; coldStorageAfter?: number }) => ({
            ruleName: `${name}-${ruleName}`,
            targetVaultName: vault.name,
            schedule,
            scheduleExpressionTimezone: "Etc/UTC",
            startWindow: BACKUP_START_WINDOW_MINUTES,
            completionWindow: 360,
            lifecycle: lc,
            recoveryPointTags: { ...args.tags, "boxoffice:backup-rule": ruleName },
            copyActions: [{ destinationVaultArn: copyVault.arn, lifecycle: lc }],
        });
        const plan = child(
            aws.backup.Plan,
            `${name}-plan`,
            {
                rules: [
                    rule("daily", schedules.daily, lifecycle(daily)),
                    rule("weekly", schedules.weekly, lifecycle(weekly)),
                    rule("monthly", schedules.monthly, lifecycle(monthly, cold)),
                ],
                tags: tags("plan"),
            },
            parent,
            t.plan,
        );

        const role = this.serviceRole(
            `${name}-role`,
            ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"],
            partition,
            tags("role"),
            t,
        );
        const selection = child(
            aws.backup.Selection,
            `${name}-selection`,
            {
                planId: plan.id,
                iamRoleArn: role.arn,
                selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TAG, value: BACKUP_TAG_VALUE }],
            },
            parent,
            t.selection,
        );

        if (c.vaultLock) {
            // The lock's bounds match the rules: anything shorter than daily or longer than monthly is a mistake.
            const lockArgs = {
                minRetentionDays: daily,
                maxRetentionDays: monthly,
                changeableForDays: c.vaultLockMode === "compliance" ? c.changeableForDays : undefined,
            };
            child(
                aws.backup.VaultLockConfiguration,
                `${name}-lock`,
                { backupVaultName: vault.name, ...lockArgs },
                parent,
                t.vaultLock,
            );
            child(
                aws.backup.VaultLockConfiguration,
                `${name}-copy-lock`,
                { backupVaultName: copyVault.name, ...lockArgs },
                { parent: this, provider: copyProvider },
                t.vaultLock,
            );
        }
        if (c.restoreTesting) this.restoreTesting(name, vault, partition, tags, t);

        this.vaultName = vault.name;
        this.vaultArn = vault.arn;
        this.copyVaultArn = copyVault.arn;
        this.planId = plan.id;
        this.copyToRegion = c.copyToRegion;
        this.resources = { vault, copyVault, plan, selection, copyProvider };
        this.registerOutputs({
            vaultName: this.vaultName,
            vaultArn: this.vaultArn,
            copyVaultArn: this.copyVaultArn,
            planId: this.planId,
        });
    }

    private vault(
        name: string,
        prefix: string,
        keyArn: pulumi.Input<string> | undefined,
        tags: (role: string) => Record<string, string>,
        opts: pulumi.CustomResourceOptions,
        t: BackupPolicyTransform,
    ): aws.backup.Vault {
        const key =
            keyArn === undefined
                ? child(
                      aws.kms.Key,
                      `${name}-${prefix}vault-key`,
                      {
                          description: `${name}: AWS Backup ${prefix}vault`,
                          enableKeyRotation: true,
                          deletionWindowInDays: 30,
                          tags: tags(`${prefix}vault-key`),
                      },
                      { ...opts, retainOnDelete: true },
                      t.vaultKey,
                  ).arn
                : keyArn;
        return child(
            aws.backup.Vault,
            `${name}-${prefix}vault`,
            { kmsKeyArn: key, forceDestroy: false, tags: tags(`${prefix}vault`) },
            { ...opts, retainOnDelete: true },
            t.vault,
        );
    }

    private serviceRole(
        roleName: string,
        policies: string[],
        partition: pulumi.Output<string>,
        tags: Record<string, string>,
        t: BackupPolicyTransform,
    ): aws.iam.Role {
        const parent = { parent: this };
        const role = child(
            aws.iam.Role,
            roleName,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
                    ],
                }),
                tags,
            },
            parent,
            t.role,
        );
        policies.forEach((policy, i) =>
            child(
                aws.iam.RolePolicyAttachment,
                `${roleName}-policy-${i + 1}`,
                {
                    role: role.name,
                    policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}`,
                },
                parent,
                t.rolePolicyAttachment,
            ),
        );
        return role;
    }

    /**
     * Each Monday AWS Backup restores the latest RDS snapshot from the vault into a throwaway instance and deletes it
     * after the validation window: a backup that was never restored is a hope, not a backup.
     */
    private restoreTesting(
        name: string,
        vault: aws.backup.Vault,
        partition: pulumi.Output<string>,
        tags: (role: string) => Record<string, string>,
        t: BackupPolicyTransform,
    ): void {
        const parent = { parent: this };
        // Restore-testing names allow only letters, digits and underscores.
        const planName = `${name.replace(/-/g, "_")}_restore_test`;
        const role = this.serviceRole(
            `${name}-restore-test-role`,
            ["AWSBackupServiceRolePolicyForRestores"],
            partition,
            tags("restore-test-role"),
            t,
        );
        const plan = child(
            aws.backup.RestoreTestingPlan,
            `${name}-restore-test`,
            {
                name: planName,
                scheduleExpression: "cron(0 8 ? * MON *)",
                scheduleExpressionTimezone: "Etc/UTC",
                startWindowHours: 24,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW",
                    includeVaults: [vault.arn],
                    recoveryPointTypes: ["SNAPSHOT"],
                    selectionWindowDays: 7,
                },
                tags: tags("restore-test"),
            },
            parent,
            t.restoreTestingPlan,
        );
        child(
            aws.backup.RestoreTestingSelection,
            `${name}-restore-test-rds`,
            {
                name: `${planName}_rds`,
                restoreTestingPlanName: plan.name,
                protectedResourceType: "RDS",
                iamRoleArn: role.arn,
                protectedResourceArns: ["*"],
                protectedResourceConditions: {
                    stringEquals: [{ key: `aws:ResourceTag/${BACKUP_TAG}`, value: BACKUP_TAG_VALUE }],
                },
                validationWindowHours: 4,
            },
            parent,
            t.restoreTestingSelection,
        );
    }
}
