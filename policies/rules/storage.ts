/**
 * S3 and DynamoDB rules. Provider v7 splits a bucket's settings into resources of their own
 * (`aws.s3.BucketPublicAccessBlock`, `BucketPolicy`, `BucketAcl`/`BucketAclV2`, ...) next to `aws.s3.Bucket`
 * (and the deprecated `BucketV2`), so the bucket rules look at all of them: a bucket is private only when
 * no ACL or policy grants the public access and a public-access block (of the bucket or the account) would
 * stop a later one; it refuses plain HTTP when its policy denies `aws:SecureTransport = false`.
 * A DynamoDB table keeps point-in-time recovery so a bad write can be undone to the second.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import { BUCKET_TYPES, StackFinding, T, Verdict, bool, known, list, ofType, resourceRule, stackRule } from "./common";

/** Canned ACLs that open a bucket to everyone or to every AWS account (S3 User Guide, canned ACLs). */
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GROUPS = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/**
 * Condition keys that, with fixed values, make a `Principal: "*"` statement non-public in S3's own judgement
 * (S3 User Guide, "The meaning of public": aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce,
 * aws:SourceAccount, aws:SourceOwner, aws:userid, aws:PrincipalOrgID, aws:PrincipalAccount, ...).
 */
const RESTRICTING_KEYS = [
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:userid",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgpaths",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

type Statement = {
    Effect?: string;
    Principal?: unknown;
    Action?: unknown;
    Resource?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
};

/** A policy document from a JSON string or an object; a string that is not JSON is reported, not guessed. */
export function statementsOf(policy: unknown): Statement[] | string {
    let doc = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return "the bucket policy is not valid JSON";
        }
    }
    const statements = (doc as { Statement?: unknown } | undefined)?.Statement;
    return Array.isArray(statements)
        ? (statements as Statement[])
        : statements && typeof statements === "object"
          ? [statements as Statement]
          : [];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function everyone(principal: unknown): boolean {
    if (principal === "*") return true;
    if (principal && typeof principal === "object")
        return asList((principal as Record<string, unknown>).AWS).includes("*");
    return false;
}

function conditionKeys(s: Statement): string[] {
    return Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey ?? {}).map((k) => k.toLowerCase()));
}

/** Allow statements that grant anyone access: Principal "*" without a restricting condition. */
export function publicStatements(policy: unknown): string[] {
    const statements = statementsOf(policy);
    if (typeof statements === "string") return [statements];
    return statements
        .filter(
            (s) =>
                s.Effect === "Allow" &&
                everyone(s.Principal) &&
                !conditionKeys(s).some((k) => RESTRICTING_KEYS.includes(k)),
        )
        .map(
            (s, i) =>
                `statement ${JSON.stringify((s as { Sid?: string }).Sid ?? i)} allows ${JSON.stringify(s.Action)} to Principal "*" without a restricting condition.`,
        );
}

/** Whether a policy denies every S3 action over plain HTTP. */
export function deniesInsecureTransport(policy: unknown): boolean {
    const statements = statementsOf(policy);
    if (typeof statements === "string") return false;
    return statements.some((s) => {
        if (s.Effect !== "Deny" || !everyone(s.Principal)) return false;
        if (!asList(s.Action).some((a) => a === "s3:*" || a === "*")) return false;
        const bools = Object.entries(s.Condition ?? {})
            .filter(([op]) => op === "Bool")
            .map(([, byKey]) => byKey);
        return bools.some((byKey) =>
            Object.entries(byKey ?? {}).some(
                ([k, v]) => k.toLowerCase() === "aws:securetransport" && asList(v).map(String).includes("false"),
            ),
        );
    });
}

/** What an ACL rule reads, common to a bucket's inline ACL and an aws.s3.BucketAcl/BucketAclV2. */
interface AclProps {
    acl?: string;
    grants?: unknown;
    accessControlPolicy?: { grants?: unknown };
}
/** A bucket's inline grant, or the grantee of a BucketAcl grant. */
interface Grant {
    uri?: string;
    permissions?: unknown;
    permission?: string;
}

export const s3NoPublicAcl = resourceRule<aws.s3.Bucket, AclProps>(
    {
        name: "s3-no-public-acl",
        description:
            "No S3 bucket ACL (inline on the bucket or an aws.s3.BucketAcl/BucketAclV2) grants access to everyone or to every AWS account.",
        severity: "critical",
        remediationSteps:
            '1. Remove `acl: "public-read"` (or public-read-write, authenticated-read) and any grant to the AllUsers or AuthenticatedUsers group. 2. Prefer `aws.s3.BucketOwnershipControls` with `BucketOwnerEnforced` (ACLs off) and grant access through the bucket policy to named principals. 3. Serve public content through CloudFront with origin access control, never a public bucket.',
    },
    [aws.s3.Bucket, aws.s3.BucketV2, aws.s3.BucketAcl, aws.s3.BucketAclV2],
    (b): Verdict => {
        const out: string[] = [];
        if (PUBLIC_ACLS.includes(String(b.acl)))
            out.push(
                `\`acl\` is ${b.acl}: the bucket is readable${b.acl === "public-read-write" ? " and writable" : ""} by ${b.acl === "authenticated-read" ? "every AWS account" : "anyone"}.`,
            );
        const grants: Grant[] = [
            ...list<Grant>(b.grants),
            ...list<{ grantee?: Grant }>(b.accessControlPolicy?.grants).map((g) => g.grantee ?? {}),
        ];
        for (const g of grants)
            if (PUBLIC_GROUPS.includes(String(g.uri)))
                out.push(
                    `a grant to ${String(g.uri).split("/").pop()} (${list(g.permissions).join(", ") || g.permission || "access"}).`,
                );
        return out;
    },
);

export const s3NoPublicPolicy = resourceRule<aws.s3.BucketPolicy, { policy?: unknown }>(
    {
        name: "s3-no-public-policy",
        description:
            'No S3 bucket policy (aws.s3.BucketPolicy or a bucket\'s inline policy) allows Principal "*" without a condition that restricts it to known accounts, networks or sources.',
        severity: "critical",
        remediationSteps:
            '1. Name the principals that need access (roles, accounts, AWS services) instead of "*". 2. Where "*" is needed for a service, add a condition on aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID or aws:SourceVpce.',
    },
    [aws.s3.BucketPolicy, aws.s3.Bucket, aws.s3.BucketV2],
    (b): Verdict => (b.policy === undefined || b.policy === "" ? [] : publicStatements(b.policy)),
);

/** Whether `r` configures `bucket` through its `bucket` property (by dependency, else by name). */
function configures(r: PolicyResource, bucket: PolicyResource): boolean {
    if ((r.propertyDependencies["bucket"] ?? []).some((d) => d.urn === bucket.urn)) return true;
    const name = known(r.props, "bucket");
    return (
        typeof name === "string" &&
        name !== "" &&
        [known(bucket.props, "bucket"), known(bucket.props, "id")].includes(name)
    );
}

const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const blocksAll = (r: PolicyResource) => BLOCK_FLAGS.every((f) => bool(known(r.props, f)) === true);

export const s3PublicAccessBlock = stackRule(
    {
        name: "s3-public-access-block",
        description:
            "Every S3 bucket has a public-access block with all four settings on (its own aws.s3.BucketPublicAccessBlock or the account's), so no later ACL or policy can make it public.",
        severity: "high",
        remediationSteps:
            "1. Add `new aws.s3.BucketPublicAccessBlock(..., { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })`, or 2. manage the account-wide `aws.s3.AccountPublicAccessBlock` with all four on in this stack.",
    },
    (args) => {
        const buckets = ofType(args, BUCKET_TYPES);
        if (buckets.length === 0) return { notApplicable: "no S3 buckets" };
        if (ofType(args, T.accountPublicAccessBlock).some(blocksAll)) return [];
        const blocks = ofType(args, T.bucketPublicAccessBlock);
        const findings: StackFinding[] = [];
        for (const b of buckets) {
            const mine = blocks.filter((pab) => configures(pab, b));
            if (mine.length === 0)
                findings.push({
                    urn: b.urn,
                    message: `${b.name}: no aws.s3.BucketPublicAccessBlock for this bucket (and no account-wide block in the stack).`,
                });
            else if (!mine.some(blocksAll)) {
                const off = BLOCK_FLAGS.filter((f) => !mine.some((pab) => bool(known(pab.props, f)) === true));
                findings.push({
                    urn: b.urn,
                    message: `${b.name}: its public-access block leaves ${off.join(", ")} off.`,
                });
            }
        }
        return findings;
    },
);

export const s3TlsOnly = stackRule(
    {
        name: "s3-tls-only",
        description:
            'Every S3 bucket\'s policy denies all S3 actions over plain HTTP (Deny, Principal "*", Action s3:*, Condition Bool aws:SecureTransport = false).',
        severity: "high",
        remediationSteps:
            '1. Add to the bucket policy: `{ Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }`. 2. A bucket has one policy: merge this statement into an existing aws.s3.BucketPolicy.',
    },
    (args) => {
        const buckets = ofType(args, BUCKET_TYPES);
        if (buckets.length === 0) return { notApplicable: "no S3 buckets" };
        const policies = ofType(args, T.bucketPolicy);
        const findings: StackFinding[] = [];
        for (const b of buckets) {
            const docs = [
                known(b.props, "policy"),
                ...policies.filter((p) => configures(p, b)).map((p) => known(p.props, "policy")),
            ].filter((d) => d !== undefined && d !== "");
            if (docs.length === 0)
                findings.push({
                    urn: b.urn,
                    message: `${b.name}: no bucket policy, so nothing refuses plain-HTTP requests.`,
                });
            else if (!docs.some(deniesInsecureTransport))
                findings.push({
                    urn: b.urn,
                    message: `${b.name}: its bucket policy does not deny s3:* when aws:SecureTransport is false.`,
                });
        }
        return findings;
    },
);

export const dynamodbPitr = resourceRule(
    {
        name: "dynamodb-pitr",
        description: "Every DynamoDB table, and every replica of a global table, has point-in-time recovery on.",
        severity: "high",
        remediationSteps:
            "1. Set `pointInTimeRecovery: { enabled: true }` (restores to any second of the last 35 days by default). 2. On global tables set `pointInTimeRecovery: true` on each entry of `replicas` too.",
    },
    aws.dynamodb.Table,
    (t): Verdict => {
        const out: string[] = [];
        if (bool(t.pointInTimeRecovery?.enabled) !== true)
            out.push(
                "`pointInTimeRecovery.enabled` is not true: a bad write or delete can only be undone from the last backup, if any.",
            );
        for (const r of list<{ regionName?: string; pointInTimeRecovery?: boolean }>(t.replicas)) {
            if (bool(r.pointInTimeRecovery) !== true)
                out.push(`replica in ${r.regionName}: \`pointInTimeRecovery\` is not true.`);
        }
        return out;
    },
);

export const storagePolicies = [s3NoPublicAcl, s3NoPublicPolicy, s3PublicAccessBlock, s3TlsOnly, dynamodbPitr];
