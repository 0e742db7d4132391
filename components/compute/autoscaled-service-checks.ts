/**
 * AutoscaledService argument checks, run before any resource exists: placement, cluster reference, scaling
 * inputs, task policy statements and plain-text environment.
 */
import { argChecker } from "../arg-check";
import { fieldProblem } from "../contract";
import {
    AUTOSCALED_SERVICE_CONTRACT,
    AutoscaledServiceArgs,
    requestsPerTask,
    backlogPerTask,
} from "./autoscaled-service-args";

/** Load balancers whose requests one policy sums (the platform has two); a small bound keeps the expression short. */
const MAX_REQUEST_SOURCES = 5;
/** Environment names that look like credentials; they must come through `secrets`, never plain text. */
const SECRET_LIKE = /(PASSWORD|SECRET|TOKEN|_KEY)$/;
/** An ECS cluster ARN; the cluster's name is what follows `cluster/`. */
export const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/;

/** Validates `args` (throwing a ComponentArgError naming the argument) and resolves the contract's defaults. */
export function checkServiceArgs(name: string, args: AutoscaledServiceArgs) {
    const check = argChecker("AutoscaledService", name);
    const c = AUTOSCALED_SERVICE_CONTRACT.resolve(name, args);
    const tgs = args.targetGroupArns ?? [];
    check.that(!(args.network && args.subnetIds), "network", "set", "give either network or subnetIds, not both");
    const subnetIds = args.subnetIds ?? args.network?.privateSubnetIds;
    check.that(
        subnetIds !== undefined,
        args.network ? "network.privateSubnetIds" : "subnetIds",
        undefined,
        "must list the private subnets, one per AZ (or give network)",
    );
    check.that(
        subnetIds!.length >= 2,
        "subnetIds",
        subnetIds!.length,
        "must list at least 2 subnets (one AZ is not highly available)",
    );
    check.that(
        typeof args.cluster !== "string" || CLUSTER_ARN.test(args.cluster),
        "cluster",
        args.cluster,
        "must be an EcsCluster, { clusterArn, clusterName } or an ECS cluster ARN",
    );
    check.that(tgs.length === 0 || c.port !== undefined, "targetGroupArns", tgs.length, "need port");
    check.that(!args.requestScaling || tgs.length > 0, "requestScaling", "set", "needs targetGroupArns");
    if (args.requestScaling) {
        const n = args.requestScaling.targetGroups.length;
        check.intRange(
            "requestScaling.targetGroups",
            n,
            1,
            MAX_REQUEST_SOURCES,
            "load balancers whose requests are summed",
        );
        const p = fieldProblem(requestsPerTask(), args.requestScaling.targetRequestsPerTask);
        check.that(!p, "requestScaling.targetRequestsPerTask", args.requestScaling.targetRequestsPerTask, p ?? "");
    }
    if (args.backlogScaling) {
        const p = fieldProblem(backlogPerTask(), args.backlogScaling.targetPerTask);
        check.that(!p, "backlogScaling.targetPerTask", args.backlogScaling.targetPerTask, p ?? "");
    }
    for (const st of args.taskPolicyStatements ?? []) {
        check.that(
            st.actions.length > 0 && st.resources.length > 0,
            "taskPolicyStatements",
            st.actions,
            "each statement needs actions and named resources",
        );
        check.that(!st.resources.includes("*"), "taskPolicyStatements", st.actions, "must name its resources, not *");
    }
    for (const key of Object.keys(args.environment ?? {})) {
        check.that(
            !SECRET_LIKE.test(key),
            "environment",
            key,
            "looks like a credential: pass it in secrets (a Secrets Manager reference), never as plain text",
        );
    }
    return { c, tgs, subnetIds: subnetIds! };
}
