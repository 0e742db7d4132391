import * as aws from "@pulumi/aws";
import { platform } from "../platform";

const p = platform();
const writer = p.database as aws.rds.Instance;
for (const n of [1, 2]) {
    new aws.rds.Instance(`replica-${n}`, {
        replicateSourceDb: writer.identifier, instanceClass: "db.r6g.large", availabilityZone: "eu-west-1a", storageEncrypted: true, publiclyAccessible: false,
        performanceInsightsEnabled: true, monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::123456789012:role/rds-monitoring",
        enabledCloudwatchLogsExports: ["postgresql"], iamDatabaseAuthenticationEnabled: true, skipFinalSnapshot: true,
        parameterGroupName: writer.parameterGroupName, tags: { "boxoffice:tier": "database" },
    });
}
