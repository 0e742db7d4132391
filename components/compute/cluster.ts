import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { argChecker } from "../arg-check";
import { TIER_TAG } from "../tiers";

export interface EcsClusterArgs {
    /**
     * Container Insights level. `enhanced` adds per-task and per-container metrics; `enabled` is the cheaper
     * classic level. Both publish `RunningTaskCount`, which the alarms and the worker's backlog scaling use.
     * @default "enhanced"
     */
    containerInsights?: "enhanced" | "enabled";
    tags?: Record<string, string>;
}

/**
 * The ECS cluster both services run in, with Container Insights on. A Fargate cluster has no capacity of
 * its own, so it is not a failure domain; the services spread their tasks over the AZs.
 * Cost: free; Container Insights is billed as custom metrics and log ingestion.
 */
export class EcsCluster extends pulumi.ComponentResource {
    readonly clusterArn: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: EcsClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const insights = args.containerInsights ?? "enhanced";
        argChecker("EcsCluster", name).that(insights === "enhanced" || insights === "enabled", "containerInsights", insights, "must be enhanced or enabled");
        super("boxoffice:compute:EcsCluster", name, {}, opts);
        const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            settings: [{ name: "containerInsights", value: insights }],
            tags: { ...args.tags, [TIER_TAG]: "app", Name: `${name}-cluster` },
        }, { parent: this });
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
