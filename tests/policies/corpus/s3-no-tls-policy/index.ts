import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platform } from "../platform";

const p = platform({ omit: ["logs-policy"] });
new aws.s3.BucketPolicy("logs-policy", {
    bucket: p.logs.id,
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [
        { Sid: "ElbLogs", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: pulumi.interpolate`${p.logs.arn}/*` },
    ] }),
});
