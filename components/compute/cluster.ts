import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { defineContract, field } from "../contract";
import { TIER_TAG } from "../tiers";
import { child, Transform } from "../transform";

export const ECS_CLUSTER_CONTRACT = defineContract({
    component: "EcsCluster",
    fields: { containerInsights: field.oneOf(["enhanced", "enabled"]) },
    defaults: { containerInsights: "enhanced" },
});

export interface EcsClusterArgs {
    /**
     * Container Insights level. `enhanced` adds per-task and per-container metrics; `enabled` is the cheaper
     * classic level. Both publish `RunningTaskCount`, which the alarms and the worker's backlog scaling use.
     * @default "enhanced"
     */
    containerInsights?: "enhanced" | "enabled";
    /** Adjust the cluster's AWS arguments (see `Transform`). @default undefined */
    transform?: { cluster?: Transform<aws.ecs.ClusterArgs> };
    /** Tags for the cluster. @default {} */
    tags?: Record<string, string>;
}

/**
 * An ECS cluster with Container Insights on. A Fargate cluster has no capacity of its own, so it is not a failure
 * domain; the services spread their tasks over the AZs. `AutoscaledService` takes it (or an existing cluster's ARN).
 * Cost: free; Container Insights is billed as custom metrics and log ingestion.
 *
 * @example const cluster = new EcsCluster("shop"); new AutoscaledService("api", { cluster, ... })
 */
export class EcsCluster extends pulumi.ComponentResource {
    /** The cluster's ARN, for `AutoscaledService`'s `cluster`. */
    readonly clusterArn: pulumi.Output<string>;
    /** The cluster's name (the `ClusterName` dimension of ECS metrics). */
    readonly clusterName: pulumi.Output<string>;
    /** The raw cluster. */
    readonly resources: { cluster: aws.ecs.Cluster };

    constructor(name: string, args: EcsClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const c = ECS_CLUSTER_CONTRACT.resolve(name, args);
        super("boxoffice:compute:EcsCluster", name, {}, opts);
        const cluster = child(
            aws.ecs.Cluster,
            `${name}-cluster`,
            {
                settings: [{ name: "containerInsights", value: c.containerInsights }],
                tags: { ...args.tags, [TIER_TAG]: "app", Name: `${name}-cluster` },
            },
            { parent: this },
            args.transform?.cluster,
        );
        this.clusterArn = cluster.arn;
        this.clusterName = cluster.name;
        this.resources = { cluster };
        this.registerOutputs({ clusterArn: this.clusterArn, clusterName: this.clusterName });
    }
}
