import * as assert from "assert";
import {
    DRILL_ACTION,
    DrillKind,
    FIS_ACTIONS,
    LOGGING_PERMISSIONS,
    PolicyContext,
    drillPolicy,
    fisTrustPolicy,
    isoMinutes,
} from "../../../components/resilience/fis-actions";

const CTX: PolicyContext = {
    partition: "aws",
    region: "eu-west-1",
    account: "123456789012",
    writerArn: "arn:aws:rds:eu-west-1:123456789012:db:prod-writer",
    clusterName: "prod-cluster",
    cacheTag: { key: "Name", value: "prod-redis-group" },
};
const KINDS: DrillKind[] = ["database", "cache", "app", "zone"];
const actionsOf = (policy: ReturnType<typeof drillPolicy>) => policy.Statement.flatMap((s) => s.Action);
const statementWith = (policy: ReturnType<typeof drillPolicy>, action: string) => {
    const found = policy.Statement.filter((s) => s.Action.includes(action));
    assert.strictEqual(found.length, 1, `${action} granted by exactly one statement`);
    return found[0];
};

describe("FIS actions and experiment-role policies", () => {
    it("uses the action ids, target types and keys of the FIS actions reference", () => {
        assert.deepStrictEqual(
            Object.values(FIS_ACTIONS).map((a) => [a.id, a.resourceType, a.targetKey]),
            [
                ["aws:rds:reboot-db-instances", "aws:rds:db", "DBInstances"],
                [
                    "aws:elasticache:replicationgroup-interrupt-az-power",
                    "aws:elasticache:replicationgroup",
                    "ReplicationGroups",
                ],
                ["aws:ecs:stop-task", "aws:ecs:task", "Tasks"],
                ["aws:network:disrupt-connectivity", "aws:ec2:subnet", "Subnets"],
            ],
        );
    });

    for (const kind of KINDS) {
        it(`${kind}: grants exactly the action's documented permissions plus experiment logging, nothing else`, () => {
            const granted = actionsOf(drillPolicy(kind, CTX));
            assert.strictEqual(new Set(granted).size, granted.length, "no action granted twice");
            assert.deepStrictEqual(
                [...granted].sort(),
                [...DRILL_ACTION[kind].permissions, ...LOGGING_PERMISSIONS].sort(),
            );
            assert.ok(
                granted.every((a) => !a.includes("*")),
                "no wildcard actions",
            );
        });
    }

    it("scopes each fault-injecting call to the stack's own resource", () => {
        assert.strictEqual(statementWith(drillPolicy("database", CTX), "rds:RebootDBInstance").Resource, CTX.writerArn);
        assert.strictEqual(
            statementWith(drillPolicy("app", CTX), "ecs:StopTask").Resource,
            "arn:aws:ecs:eu-west-1:123456789012:task/prod-cluster/*",
        );
        const interrupt = statementWith(drillPolicy("cache", CTX), "elasticache:InterruptClusterAzPower");
        assert.deepStrictEqual(interrupt.Condition, { StringEquals: { "aws:ResourceTag/Name": "prod-redis-group" } });
        const zone = drillPolicy("zone", CTX);
        const edits = statementWith(zone, "ec2:CreateNetworkAclEntry");
        assert.deepStrictEqual(
            [edits.Resource, edits.Condition],
            [
                "arn:aws:ec2:eu-west-1:123456789012:network-acl/*",
                { StringEquals: { "ec2:ResourceTag/managedByFIS": "true" } },
            ],
        );
        assert.strictEqual(statementWith(zone, "ec2:DeleteNetworkAcl"), edits);
        assert.strictEqual(
            statementWith(zone, "ec2:CreateTags").Resource,
            "arn:aws:ec2:eu-west-1:123456789012:network-acl/*",
        );
    });

    it("leaves on * only read-only calls, log delivery, and the ACL swap FIS needs to undo the cut", () => {
        const readOnly =
            /^(rds:Describe|elasticache:Describe|ecs:(Describe|List)|ec2:(Describe|Get)|tag:GetResources$|logs:(Describe|CreateLogDelivery$|PutResourcePolicy$))/;
        for (const kind of KINDS) {
            for (const s of drillPolicy(kind, CTX).Statement.filter((st) => st.Resource === "*" && !st.Condition)) {
                for (const action of s.Action) {
                    assert.ok(
                        readOnly.test(action) ||
                            ["ec2:CreateNetworkAcl", "ec2:ReplaceNetworkAclAssociation"].includes(action),
                        `${kind}: ${action} on *`,
                    );
                }
            }
        }
    });

    it("builds ARNs in the stack's partition", () => {
        const gov = drillPolicy("app", { ...CTX, partition: "aws-us-gov", region: "us-gov-west-1" });
        assert.strictEqual(
            statementWith(gov, "ecs:StopTask").Resource,
            "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task/prod-cluster/*",
        );
    });

    it("refuses to build a policy without the resource it must be scoped to", () => {
        assert.throws(
            () => drillPolicy("database", { ...CTX, writerArn: undefined }),
            /drillPolicy\(database\): needs writerArn/,
        );
        assert.throws(() => drillPolicy("app", { ...CTX, clusterName: undefined }), /needs clusterName/);
        assert.throws(() => drillPolicy("cache", { ...CTX, cacheTag: undefined }), /needs cacheTag/);
    });

    it("lets only FIS assume the role, for experiments in this account and Region", () => {
        const [s] = fisTrustPolicy(CTX).Statement;
        assert.deepStrictEqual(s.Principal, { Service: "fis.amazonaws.com" });
        assert.deepStrictEqual(s.Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:fis:eu-west-1:123456789012:experiment/*" },
        });
    });

    it("writes durations the way FIS takes them", () => {
        assert.strictEqual(isoMinutes(5), "PT5M");
        assert.strictEqual(isoMinutes(720), "PT720M");
    });
});
