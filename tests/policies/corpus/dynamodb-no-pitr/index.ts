import * as aws from "@pulumi/aws";
import { platform } from "../platform";

platform();
new aws.dynamodb.Table("orders", {
    billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], deletionProtectionEnabled: true,
    tags: { "boxoffice:tier": "database", "boxoffice:backup": "daily-weekly-monthly" },
});
