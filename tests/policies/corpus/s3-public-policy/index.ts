import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platform } from "../platform";

const p = platform({ omit: ["logs-policy"] });
new aws.s3.BucketPolicy("logs-policy", {
    bucket: p.logs.id,
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [
        { Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: pulumi.interpolate`${p.logs.arn}/*` },
        { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [p.logs.arn, pulumi.interpolate`${p.logs.arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ] }),
});
