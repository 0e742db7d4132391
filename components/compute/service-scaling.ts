/**
 * The target-tracking policies of `AutoscaledService`, in a file of their own so the component stays readable.
 * Children are parented to the component, so names and URNs are those of the component's own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { child } from "../transform";
import type { AutoscaledServiceArgs } from "./autoscaled-service-args";

export interface ScalingDeps {
    target: aws.appautoscaling.Target;
    targetCpuPercent: number;
    clusterName: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
}

/** CPU tracking always; requests per task over every load balancer, or a backlog per task, when asked for. */
export function createScalingPolicies(
    component: pulumi.ComponentResource,
    name: string,
    args: AutoscaledServiceArgs,
    deps: ScalingDeps,
): void {
    const { target } = deps;
    const policy = (
        role: string,
        config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
    ) =>
        child(
            aws.appautoscaling.Policy,
            `${name}-${role}`,
            {
                policyType: "TargetTrackingScaling",
                serviceNamespace: target.serviceNamespace,
                scalableDimension: target.scalableDimension,
                resourceId: target.resourceId,
                // Out fast for a surge; in slowly so a lull between waves does not drain capacity.
                targetTrackingScalingPolicyConfiguration: { scaleOutCooldown: 60, scaleInCooldown: 300, ...config },
            },
            { parent: component },
            args.transform?.scalingPolicy,
        );
    policy("cpu-scaling", {
        targetValue: deps.targetCpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
    });
    if (args.requestScaling) {
        // The predefined ALBRequestCountPerTarget follows one target group: after a DNS failover its ALB sees ~0
        // requests and only CPU scaling would remain. RequestCountPerTarget of each group (Sum: requests in the
        // minute / targets in the group) summed over the groups is requests per task, as every task is in every
        // group. ALBs report nothing while no request flows, hence FILL(…, 0) for the idle one (ELB User Guide,
        // "CloudWatch metrics"; metric math in target tracking: Application Auto Scaling User Guide,
        // application-auto-scaling-target-tracking-metric-math.html).
        const sources = args.requestScaling.targetGroups;
        policy("requests-scaling", {
            targetValue: args.requestScaling.targetRequestsPerTask,
            customizedMetricSpecification: {
                metrics: [
                    ...sources.map((src, i) => ({
                        id: `requests${i + 1}`,
                        returnData: false,
                        metricStat: {
                            stat: "Sum",
                            metric: {
                                namespace: "AWS/ApplicationELB",
                                metricName: "RequestCountPerTarget",
                                dimensions: [
                                    { name: "LoadBalancer", value: src.loadBalancerArnSuffix },
                                    { name: "TargetGroup", value: src.targetGroupArnSuffix },
                                ],
                            },
                        },
                    })),
                    {
                        id: "perTask",
                        label: "requests per task, every load balancer",
                        returnData: true,
                        expression: sources.map((_s, i) => `FILL(requests${i + 1}, 0)`).join(" + "),
                    },
                ],
            },
        });
    }
    if (args.backlogScaling) {
        const b = args.backlogScaling;
        policy("backlog-scaling", {
            targetValue: b.targetPerTask,
            // Backlog per running task, as in the AWS metric-math example for queue backlogs.
            customizedMetricSpecification: {
                metrics: [
                    {
                        id: "backlog",
                        returnData: false,
                        metricStat: {
                            stat: "Average",
                            metric: {
                                namespace: b.namespace,
                                metricName: b.metricName,
                                dimensions: Object.entries(b.dimensions).map(([n, v]) => ({ name: n, value: v })),
                            },
                        },
                    },
                    {
                        id: "tasks",
                        returnData: false,
                        metricStat: {
                            stat: "Average",
                            metric: {
                                namespace: "ECS/ContainerInsights",
                                metricName: "RunningTaskCount",
                                dimensions: [
                                    { name: "ClusterName", value: deps.clusterName },
                                    { name: "ServiceName", value: deps.serviceName },
                                ],
                            },
                        },
                    },
                    { id: "perTask", label: "backlog per task", returnData: true, expression: "backlog / tasks" },
                ],
            },
        });
    }
}
