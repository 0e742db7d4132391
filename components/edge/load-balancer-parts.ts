/**
 * Children of `PairedLoadBalancers` with rules of their own: the DNS-validated certificate and the access-log
 * bucket that only ELB log delivery may write to.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { child } from "../transform";
import { accessLogBucketPolicy, hasElbLogAccount } from "./access-log-policy";
import type { PairedLoadBalancersTransform } from "./paired-load-balancers-args";

/** Tag stating why the access-log bucket has no S3 server access logging of its own. */
export const ACCESS_LOGGING_EXEMPTION_TAG = "boxoffice:s3-access-logging";

/** ACM certificate validated by DNS in the hosted zone; listeners wait for validation. */
export function dnsValidatedCertificate(
    owner: pulumi.Resource,
    name: string,
    domain: string,
    zoneId: string,
    tags: (r: string) => Record<string, string>,
    t: PairedLoadBalancersTransform,
): pulumi.Output<string> {
    const parent = { parent: owner };
    const cert = child(
        aws.acm.Certificate,
        `${name}-cert`,
        { domainName: domain, validationMethod: "DNS", tags: tags("cert") },
        parent,
        t.certificate,
    );
    // One domain, so exactly one validation record; only its values (not the count) come from the certificate.
    const option = cert.domainValidationOptions.apply((o) => o[0]);
    const record = child(
        aws.route53.Record,
        `${name}-cert-validation`,
        {
            zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 60,
            allowOverwrite: true,
        },
        parent,
        t.record,
    );
    return child(
        aws.acm.CertificateValidation,
        `${name}-cert-ready`,
        { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
        parent,
        t.certificateValidation,
    ).certificateArn;
}

/**
 * ALB access logs. SSE-S3 because ALB log delivery does not support SSE-KMS (ELB User Guide, "Enable access
 * logs"); the bucket policy admits ELB log delivery only (the region's ELB account where there is one, and the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service), under this account's prefix (see access-log-policy.ts).
 */
export function accessLogBucket(
    owner: pulumi.Resource,
    name: string,
    days: number,
    forceDestroy: boolean,
    tags: (r: string) => Record<string, string>,
    t: PairedLoadBalancersTransform,
) {
    const parent = { parent: owner };
    // No S3 server access logging on this bucket, deliberately and visibly: it is itself a log destination, written
    // only by ELB log delivery; logging it would need another bucket, which would then need the same exemption.
    // Scanners that flag it (cdk-nag AwsSolutions-S1, AWS Config s3-bucket-logging-enabled) accept a documented
    // exemption for log buckets; the tag states it where the bucket is (components/edge/README.md says why).
    const bucket = child(
        aws.s3.Bucket,
        `${name}-access-logs`,
        {
            forceDestroy,
            tags: {
                ...tags("access-logs"),
                [ACCESS_LOGGING_EXEMPTION_TAG]: "exempt: this bucket is a log destination",
            },
        },
        parent,
        t.accessLogBucket,
    );
    child(
        aws.s3.BucketServerSideEncryptionConfiguration,
        `${name}-access-logs-sse`,
        {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        },
        parent,
        t.accessLogEncryption,
    );
    child(
        aws.s3.BucketPublicAccessBlock,
        `${name}-access-logs-pab`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        parent,
        t.accessLogPublicAccessBlock,
    );
    child(
        aws.s3.BucketOwnershipControls,
        `${name}-access-logs-owner`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        parent,
        t.accessLogOwnership,
    );
    child(
        aws.s3.BucketLifecycleConfiguration,
        `${name}-access-logs-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire",
                    status: "Enabled",
                    filter: {},
                    expiration: { days },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        },
        parent,
        t.accessLogLifecycle,
    );
    // Only regions from before August 2022 have an ELB log-delivery account; getServiceAccount fails elsewhere,
    // so it is asked only where the table says it will answer. The service principal covers every region.
    const region = aws.getRegionOutput({}, parent).region;
    const elbArn = region.apply((r) =>
        hasElbLogAccount(r) ? aws.elb.getServiceAccountOutput({}, parent).arn : pulumi.output(undefined),
    );
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const policy = child(
        aws.s3.BucketPolicy,
        `${name}-access-logs-policy`,
        {
            bucket: bucket.id,
            policy: pulumi
                .all([bucket.arn, elbArn, account])
                .apply(([bucketArn, elbAccountArn, accountId]) =>
                    JSON.stringify(accessLogBucketPolicy({ bucketArn, accountId, elbAccountArn })),
                ),
        },
        parent,
        t.accessLogPolicy,
    );
    return { bucket, policy };
}
