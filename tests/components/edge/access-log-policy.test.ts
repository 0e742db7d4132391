import * as assert from "assert";
import { accessLogBucketPolicy, hasElbLogAccount } from "../../../components/edge/access-log-policy";

describe("access-log bucket policy", () => {
    it("knows which regions deliver from an ELB account (before August 2022) and which do not", () => {
        for (const r of ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-3", "us-gov-west-1", "cn-north-1"])
            assert.ok(hasElbLogAccount(r), r);
        for (const r of [
            "eu-central-2",
            "eu-south-2",
            "ap-south-2",
            "ap-southeast-4",
            "me-central-1",
            "il-central-1",
            "ca-west-1",
        ])
            assert.ok(!hasElbLogAccount(r), r);
    });

    it("allows the ELB account when there is one, the log-delivery service always, and denies plain HTTP", () => {
        const bucketArn = "arn:aws:s3:::logs";
        const logs = "arn:aws:s3:::logs/*/AWSLogs/123456789012/*";
        const both = accessLogBucketPolicy({
            bucketArn,
            accountId: "123456789012",
            elbAccountArn: "arn:aws:iam::156460612806:root",
        });
        assert.deepStrictEqual(both, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ElbLogDelivery",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::156460612806:root" },
                    Action: "s3:PutObject",
                    Resource: logs,
                },
                {
                    Sid: "ElbLogDeliveryService",
                    Effect: "Allow",
                    Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: logs,
                },
                {
                    Sid: "TlsOnly",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucketArn, `${bucketArn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
        const newer = accessLogBucketPolicy({ bucketArn, accountId: "123456789012" });
        assert.deepStrictEqual(newer.Statement, both.Statement.slice(1));
    });
});
