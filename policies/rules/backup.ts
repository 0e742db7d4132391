/**
 * AWS Backup rules: a daily/weekly/monthly plan whose retention grows with the period, a copy of every
 * recovery point in a second region (a regional outage or a compromised account must not take the backups
 * with it), vaults encrypted with our own key and, in prod, locked in compliance mode so nobody, not even
 * an administrator, can delete recovery points early. `backup-coverage` checks every database is selected.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    BACKUP_TAG,
    BACKUP_TAG_VALUE,
    StackFinding,
    T,
    Verdict,
    isReadReplica,
    isSet,
    known,
    list,
    num,
    ofType,
    references,
    resourceRule,
    stackRule,
    tagsOf,
} from "./common";

export type Period = "daily" | "weekly" | "monthly";

const DAYS = "(SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])";

/**
 * What AWS Backup runs when a rule has no schedule: "When no CRON expression is provided, Backup will use
 * the default expression cron(0 5 ? * * *)" (Backup API, BackupRule.ScheduleExpression), i.e. daily.
 */
export const DEFAULT_SCHEDULE = "cron(0 5 ? * * *)";

/**
 * The period of a backup rule's schedule. AWS Backup schedules are EventBridge expressions:
 * `cron(minutes hours day-of-month month day-of-week year)` or `rate(n unit)`. Only the schedule decides,
 * never the rule's name: a rule called "weekly" that runs `cron(0 5 ? * MON-FRI *)` is not weekly, and one
 * with no schedule runs AWS Backup's daily default. A schedule that matches no known pattern has no period
 * (undefined); the rules report it rather than guess.
 */
export function periodOf(schedule: string | undefined): Period | undefined {
    const s = (isSet(schedule) ? String(schedule) : DEFAULT_SCHEDULE).trim();
    const cron = /^cron\((.+)\)$/i.exec(s);
    if (cron) {
        const f = cron[1].trim().split(/\s+/);
        if (f.length === 6) {
            const [, , dom, month, dow] = f;
            const any = (v: string) => v === "*" || v === "?";
            if (any(month) && /^(\d{1,2}|L)$/.test(dom) && any(dow)) return "monthly";
            // SUN#1 (first Sunday) and 1L (last Sunday) run once a month, not once a week.
            if (any(month) && dom === "?" && new RegExp(`^${DAYS}(#[1-5]|L)$`, "i").test(dow)) return "monthly";
            if (any(month) && dom === "?" && new RegExp(`^${DAYS}$`, "i").test(dow)) return "weekly";
            if (any(month) && any(dom) && any(dow)) return "daily";
        }
    }
    const rate = /^rate\((\d+)\s+(day|days|hour|hours)\)$/i.exec(s);
    if (rate) {
        const hours = Number(rate[1]) * (rate[2].startsWith("day") ? 24 : 1);
        if (hours <= 24) return "daily";
        if (hours === 168) return "weekly";
    }
    return undefined;
}

type PlanRule = {
    ruleName?: string;
    schedule?: string;
    enableContinuousBackup?: boolean;
    lifecycle?: { deleteAfter?: number; coldStorageAfter?: number };
    copyActions?: { destinationVaultArn?: string; lifecycle?: { deleteAfter?: number } }[];
};

function unrecognised(rule: PlanRule): string {
    return `rule ${rule.ruleName} has schedule ${JSON.stringify(rule.schedule)}, which is not a recognised daily, weekly or monthly schedule (its name does not count).`;
}

function scheduledRules(plan: { rules?: unknown }): { rule: PlanRule; period?: Period }[] {
    return list<PlanRule>(plan.rules)
        .filter((r) => r.enableContinuousBackup !== true)
        .map((rule) => ({ rule, period: periodOf(rule.schedule) }));
}

export const backupPlanSchedules = resourceRule(
    {
        name: "backup-plan-schedules",
        description:
            "Every AWS Backup plan has a daily, a weekly and a monthly rule, judged by schedule (never by rule name), and no rule with a schedule of unknown period.",
        severity: "high",
        remediationSteps:
            "1. Add rules with schedules `cron(0 3 * * ? *)` (daily), `cron(0 4 ? * SUN *)` (weekly) and `cron(0 5 1 * ? *)` (monthly). 2. Give each its own retention (see backup-plan-retention). 3. Replace any other schedule (weekdays only, several days, a given month) by one of these shapes, or drop the rule.",
    },
    aws.backup.Plan,
    (plan): Verdict => {
        const rules = scheduledRules(plan);
        const out = rules.filter((r) => !r.period).map(({ rule }) => unrecognised(rule));
        const periods = new Set(rules.map((r) => r.period));
        const missing = (["daily", "weekly", "monthly"] as Period[]).filter((p) => !periods.has(p));
        if (missing.length)
            out.push(
                `no ${missing.join(", ")} rule (rules: ${
                    list<PlanRule>(plan.rules)
                        .map((r) => `${r.ruleName} ${r.schedule ?? ""}`)
                        .join("; ") || "none"
                }).`,
            );
        return out;
    },
);

interface RetentionFloors {
    dailyDays: number;
    weeklyDays: number;
    monthlyDays: number;
}

export const backupPlanRetention = resourceRule<aws.backup.Plan, aws.backup.PlanArgs, RetentionFloors>(
    {
        name: "backup-plan-retention",
        description:
            "Every daily, weekly and monthly backup rule keeps its recovery points at least as long as the configured floor, each period longer than the previous one.",
        severity: "high",
        remediationSteps:
            "1. Set `lifecycle.deleteAfter` on each rule to at least its floor (policy config). 2. Make weekly retention longer than daily, and monthly longer than weekly. 3. With `coldStorageAfter`, keep `deleteAfter` ≥ coldStorageAfter + 90 (AWS Backup minimum in cold storage).",
        configSchema: {
            properties: {
                dailyDays: { type: "integer", minimum: 1, default: 3 },
                weeklyDays: { type: "integer", minimum: 1, default: 14 },
                monthlyDays: { type: "integer", minimum: 1, default: 90 },
            },
        },
    },
    aws.backup.Plan,
    (plan, cfg): Verdict => {
        const out: string[] = [];
        const floors: Record<Period, number> = {
            daily: cfg.dailyDays,
            weekly: cfg.weeklyDays,
            monthly: cfg.monthlyDays,
        };
        const longest: Partial<Record<Period, number>> = {};
        for (const { rule, period } of scheduledRules(plan)) {
            if (!period) {
                out.push(`${unrecognised(rule)} Its retention cannot be held to a daily, weekly or monthly floor.`);
                continue;
            }
            const days = num(rule.lifecycle?.deleteAfter);
            // No deleteAfter means "keep forever": compliant with any floor, though it costs.
            const effective = days ?? Number.POSITIVE_INFINITY;
            if (effective < floors[period])
                out.push(`${period} rule ${rule.ruleName} keeps ${days} day(s); at least ${floors[period]} required.`);
            const cold = num(rule.lifecycle?.coldStorageAfter);
            if (cold !== undefined && days !== undefined && days < cold + 90)
                out.push(
                    `${period} rule ${rule.ruleName}: deleteAfter ${days} < coldStorageAfter ${cold} + 90 (AWS Backup rejects it).`,
                );
            longest[period] = Math.max(longest[period] ?? 0, effective);
        }
        const order: Period[] = ["daily", "weekly", "monthly"];
        for (let i = 1; i < order.length; i++) {
            const [shorter, longer] = [longest[order[i - 1]], longest[order[i]]];
            if (shorter !== undefined && longer !== undefined && longer <= shorter) {
                out.push(
                    `${order[i]} retention (${longer} d) is not longer than ${order[i - 1]} retention (${shorter} d).`,
                );
            }
        }
        return out;
    },
);

function regionOfArn(arn: unknown): string | undefined {
    return typeof arn === "string" && arn.startsWith("arn:") ? arn.split(":")[3] || undefined : undefined;
}

export const backupCrossRegionCopy = resourceRule(
    {
        name: "backup-cross-region-copy",
        description:
            "Every scheduled rule of every backup plan copies its recovery points to a vault in another region.",
        severity: "high",
        remediationSteps:
            "1. Create a vault (with its own KMS key) in the DR region with a provider for that region. 2. Add `copyActions: [{ destinationVaultArn, lifecycle: { deleteAfter } }]` to each rule. 3. Allow the backup role to use the destination key.",
    },
    aws.backup.Plan,
    (plan, _cfg, args): Verdict => {
        const home =
            (typeof plan.region === "string" ? plan.region : undefined) ??
            (args.provider?.props.region as string | undefined);
        const out: string[] = [];
        for (const { rule } of scheduledRules(plan)) {
            const copies = list<{ destinationVaultArn?: string }>(rule.copyActions);
            if (copies.length === 0) {
                out.push(
                    `rule ${rule.ruleName} has no copy action: a regional outage or account compromise takes every recovery point with it.`,
                );
                continue;
            }
            const remote = copies.some((c) => {
                const region = regionOfArn(c.destinationVaultArn);
                return region !== undefined && region !== home;
            });
            if (!remote) out.push(`rule ${rule.ruleName} copies only within ${home ?? "its own region"}.`);
        }
        return out;
    },
);

interface PitrConfig {
    minimumDays: number;
}

export const backupContinuousPitr = resourceRule<aws.backup.Plan, aws.backup.PlanArgs, PitrConfig>(
    {
        name: "backup-continuous-retention",
        description:
            "Every continuous-backup (point-in-time) rule keeps between the configured floor and AWS Backup's 35-day maximum.",
        severity: "high",
        remediationSteps:
            "1. Set `lifecycle.deleteAfter` on the continuous rule to a value between the floor and 35 days (AWS Backup limit for continuous backups).",
        configSchema: { properties: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } } },
    },
    aws.backup.Plan,
    (plan, cfg): Verdict => {
        const continuous = list<PlanRule>(plan.rules).filter((r) => r.enableContinuousBackup === true);
        if (continuous.length === 0) return { notApplicable: "the plan has no continuous-backup rule" };
        return continuous.flatMap((r) => {
            const days = num(r.lifecycle?.deleteAfter);
            if (days === undefined || days > 35)
                return [
                    `continuous rule ${r.ruleName}: deleteAfter ${days ?? "unset"}; AWS Backup keeps continuous backups at most 35 days.`,
                ];
            return days < cfg.minimumDays
                ? [`continuous rule ${r.ruleName} keeps ${days} day(s); at least ${cfg.minimumDays} required.`]
                : [];
        });
    },
);

export const backupVaultKms = resourceRule(
    {
        name: "backup-vault-kms",
        description: "Every backup vault encrypts recovery points with a customer-managed KMS key.",
        severity: "high",
        remediationSteps:
            "1. Create an `aws.kms.Key` with rotation and a policy that lets AWS Backup use it. 2. Set the vault's `kmsKeyArn` (this replaces the vault; do it before recovery points exist).",
    },
    aws.backup.Vault,
    (vault): Verdict =>
        isSet(vault.kmsKeyArn)
            ? []
            : [
                  "`kmsKeyArn` is not set: the AWS-managed key cannot be used for cross-account copies and its policy cannot be restricted.",
              ],
);

interface LockConfig {
    required: boolean;
    requireComplianceMode: boolean;
}

function lockOf(vault: PolicyResource, locks: PolicyResource[]): PolicyResource | undefined {
    return locks.find((l) => references(l, "backupVaultName", vault));
}

export const backupVaultLock = stackRule<LockConfig>(
    {
        name: "backup-vault-lock",
        description:
            "Every backup vault has a vault lock, in compliance mode (cooling-off period ≥ 3 days), so recovery points cannot be deleted before their retention ends.",
        severity: "high",
        remediationSteps:
            "1. Add `aws.backup.VaultLockConfiguration { backupVaultName, minRetentionDays, maxRetentionDays, changeableForDays: 3 }` for each vault. 2. Test in staging first: after the cooling-off period a compliance lock can never be removed.",
        configSchema: {
            properties: {
                required: { type: "boolean", default: true, description: "Whether vaults must be locked (prod: true)" },
                requireComplianceMode: {
                    type: "boolean",
                    default: true,
                    description: "Whether the lock must be in compliance mode (changeableForDays set)",
                },
            },
        },
    },
    (args, cfg) => {
        const vaults = ofType(args, T.backupVault);
        if (vaults.length === 0) return { notApplicable: "no backup vaults" };
        if (!cfg.required) return { notApplicable: "vault lock not required by the policy config" };
        const locks = ofType(args, T.backupVaultLock);
        const findings: StackFinding[] = [];
        for (const vault of vaults) {
            const lock = lockOf(vault, locks);
            if (!lock) {
                findings.push({
                    urn: vault.urn,
                    message: `${vault.name}: no aws.backup.VaultLockConfiguration locks this vault.`,
                });
                continue;
            }
            const days = num(known(lock.props, "changeableForDays"));
            // Vault lock compliance mode: cooling-off period of at least 72 hours (AWS Backup Developer Guide, "AWS Backup Vault Lock").
            if (cfg.requireComplianceMode && (days === undefined || days < 3)) {
                findings.push({
                    urn: lock.urn,
                    message: `${lock.name}: \`changeableForDays\` is ${days ?? "unset (governance mode: removable by privileged users)"}; compliance mode with ≥ 3 days required.`,
                });
            }
        }
        return findings;
    },
);

/** Whether a backup selection picks the resource (by ARN/dependency, wildcard, tag or condition). */
export function selects(selection: PolicyResource, target: PolicyResource): boolean {
    const tags = tagsOf(target.props);
    const tagMatches = list<{ type?: string; key?: string; value?: string }>(
        known(selection.props, "selectionTags"),
    ).some(
        (t) =>
            (t.type ?? "STRINGEQUALS").toUpperCase() === "STRINGEQUALS" &&
            t.key !== undefined &&
            tags[t.key] === t.value,
    );
    if (tagMatches) return true;
    const resources = list<string>(known(selection.props, "resources"));
    const listed =
        references(selection, "resources", target) ||
        resources.includes("*") ||
        resources.some((r) => typeof r === "string" && /:(db:|cluster:|table\/)\*$/.test(r));
    if (!listed) return false;
    const conditions = known(selection.props, "conditions") as
        { stringEquals?: { key?: string; value?: string }[] }[] | undefined;
    const equals = list<{ stringEquals?: { key?: string; value?: string }[] }>(conditions).flatMap((c) =>
        list<{ key?: string; value?: string }>(c.stringEquals),
    );
    return equals.every((e) => tags[String(e.key ?? "").replace(/^aws:ResourceTag\//, "")] === e.value);
}

export const backupCoverage = stackRule(
    {
        name: "backup-coverage",
        description: `Every RDS instance that is not a read replica, RDS/Aurora cluster, DynamoDB table and resource tagged ${BACKUP_TAG} carries ${BACKUP_TAG}=${BACKUP_TAG_VALUE} and is picked by an AWS Backup selection.`,
        severity: "critical",
        remediationSteps: `1. Tag the resource \`${BACKUP_TAG}: ${BACKUP_TAG_VALUE}\`. 2. Make sure an \`aws.backup.Selection\` of the daily/weekly/monthly plan selects that tag (selectionTags STRINGEQUALS) or lists the resource's ARN.`,
    },
    (args) => {
        const selections = ofType(args, T.backupSelection);
        const candidates = args.resources.filter(
            (r) =>
                (r.type === T.rdsInstance && !isReadReplica(r.props)) ||
                r.type === T.rdsCluster ||
                r.type === T.dynamoTable ||
                BACKUP_TAG in tagsOf(safeProps(r)),
        );
        if (candidates.length === 0) return { notApplicable: "no databases or resources tagged for backup" };
        const findings: StackFinding[] = [];
        for (const r of candidates) {
            const tag = tagsOf(r.props)[BACKUP_TAG];
            if (tag !== BACKUP_TAG_VALUE)
                findings.push({
                    urn: r.urn,
                    message: `${r.name}: tag ${BACKUP_TAG} is ${tag === undefined ? "missing" : JSON.stringify(tag)}; expected ${BACKUP_TAG_VALUE}.`,
                });
            if (!selections.some((s) => selects(s, r)))
                findings.push({
                    urn: r.urn,
                    message: `${r.name}: no aws.backup.Selection picks this resource, so AWS Backup never backs it up.`,
                });
        }
        return findings;
    },
);

/** Props of any resource, or none when its tags are not known yet (a preview). */
function safeProps(r: PolicyResource): Record<string, unknown> {
    const tags = known(r.props, "tags");
    return tags && typeof tags === "object" ? { tags } : {};
}

export const backupPolicies = [
    backupPlanSchedules,
    backupPlanRetention,
    backupCrossRegionCopy,
    backupContinuousPitr,
    backupVaultKms,
    backupVaultLock,
    backupCoverage,
];
