/** The `BackupPolicy` component's arguments and their contract (schema, defaults, rules): the one source of both. */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { defineContract, field } from "../contract";
import { isAwsRegion } from "../regions";
import type { Transform } from "../transform";
import { DatabaseWindows, DEFAULT_BACKUP_SCHEDULES } from "./schedule-windows";

/** AWS Backup keeps a recovery point in cold storage at least 90 days (AWS Backup API reference, Lifecycle). */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
const lifecycleDays = () => field.int(1, 36500, "AWS Backup lifecycle");
const cron = () =>
    field.text(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, "an AWS cron expression with six fields, e.g. cron(0 7 * * ? *)");

export const BACKUP_POLICY_CONTRACT = defineContract({
    component: "BackupPolicy",
    fields: {
        dailyRetentionDays: lifecycleDays(),
        weeklyRetentionDays: lifecycleDays(),
        monthlyRetentionDays: lifecycleDays(),
        monthlyColdStorageAfterDays: lifecycleDays().nullable(),
        copyToRegion: field.checked(
            (r) => (isAwsRegion(r) ? undefined : "must be an AWS region name, e.g. eu-central-1"),
            "an AWS region name",
        ),
        vaultLock: field.bool(),
        vaultLockMode: field.oneOf(["compliance", "governance"]),
        changeableForDays: field.int(3, 36500, "AWS Backup vault lock cooling-off is at least 72 hours"),
        restoreTesting: field.bool(),
        dailySchedule: cron(),
        weeklySchedule: cron(),
        monthlySchedule: cron(),
    },
    defaults: {
        dailyRetentionDays: 3,
        weeklyRetentionDays: 21,
        monthlyRetentionDays: 180,
        monthlyColdStorageAfterDays: null,
        vaultLock: true,
        vaultLockMode: "compliance",
        changeableForDays: 3,
        restoreTesting: true,
        dailySchedule: DEFAULT_BACKUP_SCHEDULES.daily,
        weeklySchedule: DEFAULT_BACKUP_SCHEDULES.weekly,
        monthlySchedule: DEFAULT_BACKUP_SCHEDULES.monthly,
    },
    rules: (v, report) => {
        if (!(v.dailyRetentionDays < v.weeklyRetentionDays))
            report("weeklyRetentionDays", `must be greater than dailyRetentionDays (${v.dailyRetentionDays})`);
        if (!(v.weeklyRetentionDays < v.monthlyRetentionDays))
            report("monthlyRetentionDays", `must be greater than weeklyRetentionDays (${v.weeklyRetentionDays})`);
        const cold = v.monthlyColdStorageAfterDays;
        if (cold !== null && v.monthlyRetentionDays < cold + COLD_STORAGE_MINIMUM_DAYS) {
            report(
                "monthlyRetentionDays",
                `must be at least monthlyColdStorageAfterDays + ${COLD_STORAGE_MINIMUM_DAYS} = ${cold + COLD_STORAGE_MINIMUM_DAYS} (AWS Backup cold-storage minimum)`,
            );
        }
    },
});

/** A transform per child; each applies to every child of that kind (the name tells them apart). */
export interface BackupPolicyTransform {
    /** Both vault keys, `<name>-vault-key` and `<name>-copy-vault-key` (absent when brought). */
    vaultKey?: Transform<aws.kms.KeyArgs>;
    /** Both vaults, `<name>-vault` and `<name>-copy-vault`. */
    vault?: Transform<aws.backup.VaultArgs>;
    /** The provider of the copy region. */
    copyProvider?: Transform<aws.ProviderArgs>;
    plan?: Transform<aws.backup.PlanArgs>;
    /** The backup and restore-test service roles. */
    role?: Transform<aws.iam.RoleArgs>;
    rolePolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    selection?: Transform<aws.backup.SelectionArgs>;
    /** Both vault locks. */
    vaultLock?: Transform<aws.backup.VaultLockConfigurationArgs>;
    restoreTestingPlan?: Transform<aws.backup.RestoreTestingPlanArgs>;
    restoreTestingSelection?: Transform<aws.backup.RestoreTestingSelectionArgs>;
}

export interface BackupPolicyArgs {
    /** Days a daily recovery point is kept. @default 3 */
    dailyRetentionDays?: number;
    /** Days a weekly recovery point is kept; more than daily. @default 21 */
    weeklyRetentionDays?: number;
    /** Days a monthly recovery point is kept; more than weekly. @default 180 */
    monthlyRetentionDays?: number;
    /**
     * Move monthly recovery points to cold storage after this many days (for resource types that support it;
     * AWS Backup ignores it for the others, RDS included). Deletion must then come ≥ 90 days later. @default null
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
    /** Weekly rule's schedule (AWS Backup cron, UTC): Saturday, away from the maintenance day. @default "cron(0 7 ? * SAT *)" */
    weeklySchedule?: string;
    /** Monthly rule's schedule (AWS Backup cron, UTC): the 1st of the month. @default "cron(0 7 1 * ? *)" */
    monthlySchedule?: string;
    /**
     * The backed-up database's RDS windows: every schedule is then checked not to start (within its start window)
     * during the backup window, the maintenance window or the hour before it, when AWS Backup does not start an
     * RDS backup and the job expires instead. @default undefined (not checked)
     * @example { backupWindow: "02:00-03:00", maintenanceWindow: "sun:04:00-sun:05:00" }
     */
    databaseWindows?: DatabaseWindows;
    /** An existing KMS key (ARN, this region) for the vault, instead of a key of our own. @default undefined */
    kmsKeyArn?: pulumi.Input<string>;
    /** An existing KMS key (ARN, in `copyToRegion`) for the copy vault, instead of a key of our own. @default undefined */
    copyKmsKeyArn?: pulumi.Input<string>;
    /** Adjust any child's AWS arguments (see `Transform`). @default undefined */
    transform?: BackupPolicyTransform;
    /** Tags for every child. @default {} */
    tags?: Record<string, string>;
}
