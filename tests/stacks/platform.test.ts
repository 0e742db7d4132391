/**
 * The "done when" of the foundation and the edge/compute tier, checked on the real stacks as shipped:
 * what `npm run plan -- --stack prod` shows is what these tests assert.
 */
import * as assert from "assert";
import { ProgramRun, runStack } from "../../tools/offline/engine";
import { planDocument } from "../../tools/plan";
import { byId, inputsOf, ofType } from "../../tools/offline/values";

const subnetAzs = (run: ProgramRun, ids: string[]) => ids.map((id) => inputsOf(byId(run, id)!).availabilityZone);

describe("prod stack, as shipped", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    before(async () => {
        run = await runStack({ stack: "prod" });
    });

    it("spreads public, private and isolated subnets and a NAT gateway per AZ over 3 AZs", () => {
        const subnets = ofType(run, "aws:ec2/subnet:Subnet").map((r) => inputsOf(r));
        for (const tier of ["public", "private", "isolated"]) {
            assert.deepStrictEqual(
                subnets
                    .filter((s) => s.tags["boxoffice:subnet-tier"] === tier)
                    .map((s) => s.availabilityZone)
                    .sort(),
                ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            );
        }
        const natAzs = subnetAzs(
            run,
            ofType(run, "aws:ec2/natGateway:NatGateway").map((n) => inputsOf(n).subnetId),
        );
        assert.deepStrictEqual(natAzs.sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    });

    it("runs a Multi-AZ, encrypted, protected RDS writer with 7-day PITR, a final snapshot and a replica in another AZ", () => {
        const instances = ofType(run, "aws:rds/instance:Instance");
        const writer = instances.find((r) => !inputsOf(r).replicateSourceDb)!;
        const w = inputsOf(writer);
        assert.strictEqual(w.multiAz, true);
        assert.strictEqual(w.storageEncrypted, true);
        assert.ok(w.kmsKeyId, "customer-managed KMS key");
        assert.strictEqual(w.deletionProtection, true);
        assert.strictEqual(w.backupRetentionPeriod, 7);
        assert.strictEqual(w.skipFinalSnapshot, false);
        // Unique per incarnation: `<name>-final-<hex of a RandomId keyed on the writer's arguments>`, never a fixed
        // name that the second delete or replacement would find taken.
        const suffix = ofType(run, "random:index/randomId:RandomId").find(
            (r) => r.name === `${writer.name.replace(/-writer$/, "")}-final-snapshot-id`,
        )!;
        assert.strictEqual(w.finalSnapshotIdentifier, `boxoffice-prod-db-final-${suffix.outputs.hex}`);
        assert.strictEqual(w.publiclyAccessible ?? false, false);
        assert.strictEqual(writer.options.protect, true);
        const replicas = instances.filter((r) => inputsOf(r).replicateSourceDb);
        assert.ok(replicas.length >= 1);
        assert.ok(
            replicas.every((r) => inputsOf(r).availabilityZone),
            "replicas are placed in an AZ",
        );
        // Same-region replicas inherit the writer's key: RDS refuses KmsKeyId for them ("Your request does not
        // require the KMS key parameter"), so neither kmsKeyId nor storageEncrypted may reach CreateDBInstanceReadReplica.
        for (const r of replicas)
            assert.deepStrictEqual(
                [inputsOf(r).kmsKeyId, inputsOf(r).storageEncrypted],
                [undefined, undefined],
                r.name,
            );
    });

    it("runs Redis with automatic failover, Multi-AZ, 3 nodes over distinct AZs, TLS and a hidden AUTH token", () => {
        const [group] = ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup").map((r) => inputsOf(r));
        assert.strictEqual(group.automaticFailoverEnabled, true);
        assert.strictEqual(group.multiAzEnabled, true);
        assert.strictEqual(group.numCacheClusters, 3);
        assert.strictEqual(new Set(group.preferredCacheClusterAzs).size, 3);
        assert.strictEqual(group.transitEncryptionEnabled, true);
        assert.strictEqual(group.atRestEncryptionEnabled, true);
        assert.strictEqual(group.authToken, "[secret]");
        assert.match(group.finalSnapshotIdentifier, /^boxoffice-prod-redis-final-[0-9a-f]{8}$/);
    });

    it("runs Memcached cross-AZ with 3 nodes", () => {
        const [cluster] = ofType(run, "aws:elasticache/cluster:Cluster").map((r) => inputsOf(r));
        assert.strictEqual(cluster.azMode, "cross-az");
        assert.strictEqual(cluster.numCacheNodes, 3);
        assert.deepStrictEqual([...cluster.preferredAvailabilityZones].sort(), [
            "eu-west-1a",
            "eu-west-1b",
            "eu-west-1c",
        ]);
        assert.strictEqual(cluster.transitEncryptionEnabled, true);
    });

    it("backs up daily / weekly / monthly for 3 / 21 / 180 days, copies each to eu-central-1 and selects by tag", () => {
        const [plan] = ofType(run, "aws:backup/plan:Plan").map((r) => inputsOf(r));
        assert.deepStrictEqual(
            plan.rules
                .map((r: { lifecycle: { deleteAfter: number } }) => r.lifecycle.deleteAfter)
                .sort((a: number, b: number) => a - b),
            [3, 21, 180],
        );
        for (const rule of plan.rules)
            assert.match(rule.copyActions[0].destinationVaultArn, /^arn:aws:backup:eu-central-1:/);
        const selections = ofType(run, "aws:backup/selection:Selection").map((r) => inputsOf(r));
        assert.ok(selections.some((s) => JSON.stringify(s.selectionTags ?? s.conditions).includes("boxoffice:backup")));
        const writer = ofType(run, "aws:rds/instance:Instance").find((r) => !inputsOf(r).replicateSourceDb)!;
        assert.strictEqual(inputsOf(writer).tags["boxoffice:backup"], "daily-weekly-monthly");
    });

    it("has exactly two internet-facing ALBs in ≥ 2 subnets, HTTPS listeners and redirect-only HTTP listeners", () => {
        const albs = ofType(run, "aws:lb/loadBalancer:LoadBalancer").map((r) => inputsOf(r));
        assert.strictEqual(albs.length, 2);
        for (const alb of albs) {
            assert.strictEqual(alb.internal ?? false, false);
            assert.ok(alb.subnets.length >= 2);
            assert.strictEqual(alb.dropInvalidHeaderFields, true);
            assert.strictEqual(alb.enableDeletionProtection, true);
        }
        const listeners = ofType(run, "aws:lb/listener:Listener").map((r) => inputsOf(r));
        assert.strictEqual(listeners.filter((l) => l.protocol === "HTTPS" && /TLS13/.test(l.sslPolicy)).length, 2);
        const http = listeners.filter((l) => l.protocol === "HTTP");
        assert.strictEqual(http.length, 2);
        for (const l of http)
            assert.deepStrictEqual(
                l.defaultActions.map((a: { type: string; redirect?: { protocol: string } }) => [
                    a.type,
                    a.redirect?.protocol,
                ]),
                [["redirect", "HTTPS"]],
            );
    });

    it("fails DNS over from PRIMARY to SECONDARY on two health checks, with the WAF on both ALBs", () => {
        const records = ofType(run, "aws:route53/record:Record")
            .map((r) => inputsOf(r))
            .filter((r) => r.failoverRoutingPolicies);
        assert.deepStrictEqual(records.map((r) => r.failoverRoutingPolicies[0].type).sort(), ["PRIMARY", "SECONDARY"]);
        const checks = ofType(run, "aws:route53/healthCheck:HealthCheck");
        assert.strictEqual(checks.length, 2);
        assert.deepStrictEqual(records.map((r) => r.healthCheckId).sort(), checks.map((c) => c.id).sort());
        const albArns = ofType(run, "aws:lb/loadBalancer:LoadBalancer")
            .map((r) => r.outputs.arn)
            .sort();
        assert.deepStrictEqual(
            ofType(run, "aws:wafv2/webAclAssociation:WebAclAssociation")
                .map((r) => inputsOf(r).resourceArn)
                .sort(),
            albArns,
        );
    });

    it("health model: target groups, Route 53 checks and the app's container check all ask /healthz, never a dependency check", () => {
        const tgs = ofType(run, "aws:lb/targetGroup:TargetGroup").map((r) => inputsOf(r).healthCheck.path);
        const dns = ofType(run, "aws:route53/healthCheck:HealthCheck").map((r) => inputsOf(r).resourcePath);
        assert.deepStrictEqual(
            [tgs, dns],
            [
                ["/healthz", "/healthz"],
                ["/healthz", "/healthz"],
            ],
        );
        const app = ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find((r) => r.name.endsWith("-app-task"))!;
        const [container] = JSON.parse(inputsOf(app).containerDefinitions);
        assert.match(container.healthCheck.command.join(" "), /fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'\)/);
        assert.doesNotMatch(JSON.stringify(planDocument(run)), /readyz/, "nothing in the platform checks /readyz");
    });

    it("keeps /admin and /metrics off the internet: every listener answers them 404 before forwarding, the WAF blocks them first", () => {
        const listeners = ofType(run, "aws:lb/listener:Listener");
        const rules = ofType(run, "aws:lb/listenerRule:ListenerRule").map((r) => inputsOf(r));
        for (const l of listeners) {
            const own = rules.filter((r) => r.listenerArn === l.outputs.arn);
            assert.deepStrictEqual(
                own.flatMap((r) => r.conditions[0].pathPattern.values).sort(),
                ["/admin", "/admin/*", "/metrics", "/metrics/*"],
                l.name,
            );
            assert.ok(
                own.every(
                    (r) => r.actions[0].type === "fixed-response" && r.actions[0].fixedResponse.statusCode === "404",
                ),
            );
        }
        const [first] = inputsOf(ofType(run, "aws:wafv2/webAcl:WebAcl")[0]).rules;
        assert.deepStrictEqual(
            [first.name, first.action, first.statement.regexMatchStatement.regexString],
            ["private-paths", { block: {} }, "^(/admin|/metrics)(/.*)?$"],
        );
    });
});
