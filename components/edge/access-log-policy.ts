/**
 * The bucket policy that lets Elastic Load Balancing write ALB access logs, as pure data.
 *
 * Two ways in, per the ELB User Guide ("Enable access logs for your Application Load Balancer", step 2):
 * regions available before August 2022 deliver from a regional ELB account (`arn:<partition>:iam::<elb
 * account>:root`); regions opened since have no such account and deliver as the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com`. The provider's `aws.elb.getServiceAccount` knows only the
 * older regions and fails for the others, so the caller asks it only when `hasElbLogAccount(region)`.
 */

/** Regions with an ELB log-delivery account (ELB User Guide, "Regions available before August 2022", GovCloud, China). */
const ELB_LOG_ACCOUNT_REGIONS: ReadonlySet<string> = new Set([
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-southeast-3",
    "ap-south-1",
    "ap-northeast-3",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-south-1",
    "eu-west-3",
    "eu-north-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "cn-north-1",
    "cn-northwest-1",
]);

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Whether ELB delivers access logs in `region` from a regional account (so `getServiceAccount` answers there). */
export function hasElbLogAccount(region: string): boolean {
    return ELB_LOG_ACCOUNT_REGIONS.has(region);
}

export interface AccessLogPolicyInput {
    bucketArn: string;
    /** This account: logs land under `<prefix>/AWSLogs/<account>/`. */
    accountId: string;
    /** `arn:<partition>:iam::<elb account>:root` where the region has one; undefined in newer regions. */
    elbAccountArn?: string;
}

/** Allows only PutObject under this account's log prefix, to the ELB account (older regions) and the ELB log-delivery service; denies plain HTTP. */
export function accessLogBucketPolicy(p: AccessLogPolicyInput): {
    Version: string;
    Statement: Record<string, unknown>[];
} {
    const logs = `${p.bucketArn}/*/AWSLogs/${p.accountId}/*`;
    return {
        Version: "2012-10-17",
        Statement: [
            ...(p.elbAccountArn
                ? [
                      {
                          Sid: "ElbLogDelivery",
                          Effect: "Allow",
                          Principal: { AWS: p.elbAccountArn },
                          Action: "s3:PutObject",
                          Resource: logs,
                      },
                  ]
                : []),
            {
                Sid: "ElbLogDeliveryService",
                Effect: "Allow",
                Principal: { Service: ELB_LOG_DELIVERY_SERVICE },
                Action: "s3:PutObject",
                Resource: logs,
            },
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [p.bucketArn, `${p.bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
