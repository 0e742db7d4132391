import * as pulumi from "@pulumi/pulumi";
import type { AlarmsArgs } from "./alarms";

/** CloudWatch dashboard body (Dashboard Body Structure reference): one row of graphs per tier. */
export function dashboardBody(region: pulumi.Input<string>, args: AlarmsArgs): pulumi.Output<string> {
    const graph = (title: string, metrics: unknown[][], y: number, x: number, stat = "Sum") => ({
        type: "metric",
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, region, stat, period: 60, view: "timeSeries", metrics },
    });
    const lbs = args.loadBalancers ?? [];
    const services = args.services ?? [];
    const db = args.database;
    const widgets = [
        graph(
            "Requests per ALB",
            lbs.map((lb) => ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb.arnSuffix]),
            0,
            0,
        ),
        graph(
            "5xx per ALB",
            lbs.flatMap((lb) => [
                ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", lb.arnSuffix],
                ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", lb.arnSuffix],
            ]),
            0,
            12,
        ),
        graph(
            "p99 response time",
            lbs.map((lb) => [
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "LoadBalancer",
                lb.arnSuffix,
                { stat: "p99" },
            ]),
            6,
            0,
            "p99",
        ),
        graph(
            "Running tasks",
            services.map((s) => [
                "ECS/ContainerInsights",
                "RunningTaskCount",
                "ClusterName",
                s.clusterName,
                "ServiceName",
                s.serviceName,
            ]),
            6,
            12,
            "Minimum",
        ),
        graph(
            "Service CPU %",
            services.map((s) => [
                "AWS/ECS",
                "CPUUtilization",
                "ClusterName",
                s.clusterName,
                "ServiceName",
                s.serviceName,
            ]),
            12,
            0,
            "Average",
        ),
        graph(
            "Database CPU %",
            db
                ? [db.writerIdentifier, ...db.replicaIdentifiers].map((id) => [
                      "AWS/RDS",
                      "CPUUtilization",
                      "DBInstanceIdentifier",
                      id,
                  ])
                : [],
            12,
            12,
            "Average",
        ),
        graph(
            "Waiting room: expected wait (s) and line",
            args.queueWait
                ? [
                      [
                          args.queueWait.namespace,
                          args.queueWait.waitMetricName,
                          ...Object.entries(args.queueWait.dimensions).flat(),
                      ],
                      ...(args.queueWait.lengthMetricName
                          ? [
                                [
                                    args.queueWait.namespace,
                                    args.queueWait.lengthMetricName,
                                    ...Object.entries(args.queueWait.dimensions).flat(),
                                    { yAxis: "right" },
                                ],
                            ]
                          : []),
                  ]
                : [],
            18,
            0,
            "Maximum",
        ),
    ].filter((w) => w.properties.metrics.length > 0);
    return pulumi.jsonStringify({ widgets });
}
