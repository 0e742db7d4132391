import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { BACKUP_TAG, BACKUP_TAG_VALUE } from "../tiers";
import { BACKUP_START_WINDOW_MINUTES, DEFAULT_BACKUP_SCHEDULES, DatabaseWindows, scheduleConflict } from "./schedule-windows";

export interface BackupPolicyArgs {
    /** Days a daily recovery point is kept. @default 3 */
    dailyRetentionDays?: number;
    /** Days a weekly recovery point is kept; more than daily. @default 21 */
    weeklyRetentionDays?: number;
    /** Days a monthly recovery point is kept; more than weekly. @default 180 */
    monthlyRetentionDays?: number;
    /**
     * Move monthly recovery points to cold storage after this many days (for resource types that support it;
     * AWS Backup ignores it for the others, RDS included). Deletion must then come ≥ 90 days later. @default null (never)
     */
    monthlyColdStorageAfterDays?: number | null;
    /** Region that receives a copy of every recovery point, e.g. "eu-central-1". */
    copyToRegion: string;
    /** Lock the vaults so recovery points cannot be deleted early, not even by an administrator. @default true */
    vaultLock?: boolean;
    /**
     * `compliance`: after `changeableForDays` the lock can never be removed. `governance`: privileged users can.
     * @default "compliance"
     */
    vaultLockMode?: "compliance" | "governance";
    /** Cooling-off days before a compliance lock becomes immutable; AWS requires at least 3. @default 3 */
    changeableForDays?: number;
    /** Restore the latest RDS recovery point every week and let AWS Backup delete it after validation. @default true */
    restoreTesting?: boolean;
    /**
     * Schedules (AWS Backup cron, UTC). The defaults start at 07:00, clear of the default RDS backup window
     * (02:00-03:00) and of Sunday's maintenance window (04:00-05:00) even when it overruns, and the weekly rule
     * runs on Saturday, away from the maintenance day. @default "cron(0 7 * * ? *)"
     */
    dailySchedule?: string;
    /** @default "cron(0 7 ? * SAT *)" */
    weeklySchedule?: string;
    /** @default "cron(0 7 1 * ? *)" */
    monthlySchedule?: string;
    /**
     * The backed-up database's RDS windows: every schedule is then checked not to start (within its start window)
     * during the backup window, the maintenance window or the hour before it, when AWS Backup does not start an
     * RDS backup and the job expires instead. @default undefined (not checked)
     * @example { backupWindow: "02:00-03:00", maintenanceWindow: "sun:04:00-sun:05:00" }
     */
    databaseWindows?: DatabaseWindows;
    /** Tags for every child. */
    tags?: Record<string, string>;
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
    readonly vaultName: pulumi.Output<string>;
    readonly vaultArn: pulumi.Output<string>;
    readonly copyVaultArn: pulumi.Output<string>;
    readonly planId: pulumi.Output<string>;
    readonly copyToRegion: string;

    constructor(name: string, args: BackupPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        const daily = args.dailyRetentionDays ?? 3;
        const weekly = args.weeklyRetentionDays ?? 21;
        const monthly = args.monthlyRetentionDays ?? 180;
        const cold = args.monthlyColdStorageAfterDays ?? null;
        const lock = args.vaultLock ?? true;
        const lockMode = args.vaultLockMode ?? "compliance";
        const changeable = args.changeableForDays ?? 3;
        const schedules = {
            daily: args.dailySchedule ?? DEFAULT_BACKUP_SCHEDULES.daily,
            weekly: args.weeklySchedule ?? DEFAULT_BACKUP_SCHEDULES.weekly,
            monthly: args.monthlySchedule ?? DEFAULT_BACKUP_SCHEDULES.monthly,
        };

        const check = argChecker("BackupPolicy", name);
        check.that(/^[a-z](-?[a-z0-9])*$/.test(name), "name", name, "must be lower-case letters, digits and single hyphens, starting with a letter (it prefixes vault and plan names)");
        check.that(name.length <= MAX_NAME, "name", name, `must be at most ${MAX_NAME} characters (the autonamed copy vault "<name>-copy-vault-xxxxxxx" must fit AWS Backup's ${MAX_VAULT_NAME}-character vault names)`);
        check.intRange("dailyRetentionDays", daily, 1, 36500, "AWS Backup lifecycle");
        check.intRange("weeklyRetentionDays", weekly, daily + 1, 36500, "more than dailyRetentionDays");
        check.intRange("monthlyRetentionDays", monthly, weekly + 1, 36500, "more than weeklyRetentionDays");
        if (cold !== null) {
            check.intRange("monthlyColdStorageAfterDays", cold, 1, 36500, "AWS Backup lifecycle");
            check.that(monthly >= cold + 90, "monthlyRetentionDays", monthly, `must be at least monthlyColdStorageAfterDays + 90 = ${cold + 90} (AWS Backup keeps cold storage ≥ 90 days)`);
        }
        check.that(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(args.copyToRegion), "copyToRegion", args.copyToRegion, "must be an AWS region name, e.g. eu-central-1");
        check.that(lockMode === "compliance" || lockMode === "governance", "vaultLockMode", lockMode, "must be compliance or governance");
        check.intRange("changeableForDays", changeable, 3, 36500, "AWS Backup vault lock cooling-off is at least 72 hours");
        for (const [rule, expr] of Object.entries(schedules)) {
            check.that(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(expr), `${rule}Schedule`, expr, "must be an AWS cron expression with six fields, e.g. cron(0 7 * * ? *)");
            const conflict = args.databaseWindows && scheduleConflict(expr, BACKUP_START_WINDOW_MINUTES, args.databaseWindows);
            check.that(!conflict, `${rule}Schedule`, expr, `${conflict} (AWS Backup Developer Guide, backup windows); pick a time clear of both`);
        }
        super("boxoffice:backup:BackupPolicy", name, {}, opts);

        const parent = { parent: this };
        const tags = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
        const partition = aws.getPartitionOutput({}, parent).partition;

        // The vaults and their keys outlive the stack: recovery points are the last line of defence, and a
        // deleted key makes every recovery point it encrypts unreadable.
        const vault = this.vault(name, "", tags, parent);
        // Copies go through a provider for the second region; it takes credentials from the environment like
        // the default provider, but not the stack's `aws:*` settings other than the region given here.
        const copyProvider = new aws.Provider(`${name}-${args.copyToRegion}`, { region: args.copyToRegion as aws.Region }, parent);
        const copyVault = this.vault(name, "copy-", tags, { parent: this, provider: copyProvider });

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
        const plan = new aws.backup.Plan(`${name}-plan`, {
            rules: [
                rule("daily", schedules.daily, lifecycle(daily)),
                rule("weekly", schedules.weekly, lifecycle(weekly)),
                rule("monthly", schedules.monthly, lifecycle(monthly, cold)),
            ],
            tags: tags("plan"),
        }, parent);

        const role = this.serviceRole(`${name}-role`, ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"], partition, tags("role"));
        new aws.backup.Selection(`${name}-selection`, {
            planId: plan.id,
            iamRoleArn: role.arn,
            selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TAG, value: BACKUP_TAG_VALUE }],
        }, parent);

        if (lock) {
            // The lock's bounds match the rules: anything shorter than daily or longer than monthly is a mistake.
            const lockArgs = { minRetentionDays: daily, maxRetentionDays: monthly, changeableForDays: lockMode === "compliance" ? changeable : undefined };
            new aws.backup.VaultLockConfiguration(`${name}-lock`, { backupVaultName: vault.name, ...lockArgs }, parent);
            new aws.backup.VaultLockConfiguration(`${name}-copy-lock`, { backupVaultName: copyVault.name, ...lockArgs }, { parent: this, provider: copyProvider });
        }
        if (args.restoreTesting ?? true) this.restoreTesting(name, vault, partition, tags);

        this.vaultName = vault.name;
        this.vaultArn = vault.arn;
        this.copyVaultArn = copyVault.arn;
        this.planId = plan.id;
        this.copyToRegion = args.copyToRegion;
        this.registerOutputs({ vaultName: this.vaultName, vaultArn: this.vaultArn, copyVaultArn: this.copyVaultArn, planId: this.planId });
    }

    private vault(name: string, prefix: string, tags: (role: string) => Record<string, string>, opts: pulumi.CustomResourceOptions): aws.backup.Vault {
        const key = new aws.kms.Key(`${name}-${prefix}vault-key`, {
            description: `${name}: AWS Backup ${prefix}vault`, enableKeyRotation: true, deletionWindowInDays: 30, tags: tags(`${prefix}vault-key`),
        }, { ...opts, retainOnDelete: true });
        return new aws.backup.Vault(`${name}-${prefix}vault`, { kmsKeyArn: key.arn, forceDestroy: false, tags: tags(`${prefix}vault`) }, { ...opts, retainOnDelete: true });
    }

    private serviceRole(roleName: string, policies: string[], partition: pulumi.Output<string>, tags: Record<string, string>): aws.iam.Role {
        const parent = { parent: this };
        const role = new aws.iam.Role(roleName, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        }, parent);
        policies.forEach((policy, i) => new aws.iam.RolePolicyAttachment(`${roleName}-policy-${i + 1}`, {
            role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}`,
        }, parent));
        return role;
    }

    /**
     * Each Monday AWS Backup restores the latest RDS snapshot from the vault into a throwaway instance and deletes it
     * after the validation window: a backup that was never restored is a hope, not a backup.
     */
    private restoreTesting(name: string, vault: aws.backup.Vault, partition: pulumi.Output<string>, tags: (role: string) => Record<string, string>): void {
        const parent = { parent: this };
        // Restore-testing names allow only letters, digits and underscores.
        const planName = `${name.replace(/-/g, "_")}_restore_test`;
        const role = this.serviceRole(`${name}-restore-test-role`, ["AWSBackupServiceRolePolicyForRestores"], partition, tags("restore-test-role"));
        const plan = new aws.backup.RestoreTestingPlan(`${name}-restore-test`, {
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
        }, parent);
        new aws.backup.RestoreTestingSelection(`${name}-restore-test-rds`, {
            name: `${planName}_rds`,
            restoreTestingPlanName: plan.name,
            protectedResourceType: "RDS",
            iamRoleArn: role.arn,
            protectedResourceArns: ["*"],
            protectedResourceConditions: { stringEquals: [{ key: `aws:ResourceTag/${BACKUP_TAG}`, value: BACKUP_TAG_VALUE }] },
            validationWindowHours: 4,
        }, parent);
    }
}
