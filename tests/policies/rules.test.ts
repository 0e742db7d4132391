/**
 * Every rule: the compliant baseline passes, and each kind of violation, made by one mutation of the
 * baseline, is reported by that rule as mandatory under the prod policy config. Everything is evaluated
 * through the runner, i.e. `@pulumi/policy`'s analyzer handlers with the unknown-value proxy, type
 * filtering and config, not by calling the checks with plain objects.
 */
import * as assert from "assert";
import { policies } from "../../policies/rules";
import { Fixture, TYPES, baseline, evaluate, mutated, secret, without } from "./fixture";

type Case = [policy: string, what: string, fixture: () => Fixture, expect?: RegExp];

/** The baseline plus one ingress rule named "extra" on a security group of it. */
const withIngress = (group: string, rule: Record<string, unknown>): Fixture => {
    const f = baseline();
    f.push({ type: TYPES.ingress, name: "extra", props: { securityGroupId: group, ...rule }, deps: { securityGroupId: [group] } });
    return f;
};

const cases: Case[] = [
    // RDS
    ["rds-multi-az", "writer not Multi-AZ", () => mutated("db", (p) => { p.multiAz = false; })],
    ["rds-backup-retention", "retention 1 day", () => mutated("db", (p) => { p.backupRetentionPeriod = 1; }), /1 day\(s\); at least 7/],
    ["rds-backup-retention", "retention unset", () => mutated("db", (p) => { delete p.backupRetentionPeriod; }), /not set/],
    ["rds-storage-encrypted", "writer unencrypted", () => mutated("db", (p) => { p.storageEncrypted = false; }), /storageEncrypted/],
    ["rds-storage-encrypted", "writer without CMK", () => mutated("db", (p) => { delete p.kmsKeyId; }), /kmsKeyId/],
    ["rds-storage-encrypted", "replica unencrypted", () => mutated("db-replica", (p) => { p.storageEncrypted = false; }), /read replica/],
    ["rds-deletion-protection", "deletion protection off", () => mutated("db", (p) => { p.deletionProtection = false; })],
    ["rds-final-snapshot", "skip final snapshot", () => mutated("db", (p) => { p.skipFinalSnapshot = true; }), /skipFinalSnapshot/],
    ["rds-final-snapshot", "no final snapshot name", () => mutated("db", (p) => { delete p.finalSnapshotIdentifier; }), /finalSnapshotIdentifier/],
    ["rds-not-public", "public writer", () => mutated("db", (p) => { p.publiclyAccessible = true; })],
    ["rds-not-public", "public replica", () => mutated("db-replica", (p) => { p.publiclyAccessible = true; })],
    ["rds-force-tls", "parameter group without force_ssl", () => mutated("pg", (p) => { p.parameters = [{ name: "log_min_duration_statement", value: "500" }]; }), /rds.force_ssl/],
    ["rds-force-tls", "force_ssl = 0", () => mutated("pg", (p) => { p.parameters[0].value = "0"; }), /does not set rds.force_ssl = 1/],
    ["rds-force-tls", "default parameter group", () => mutated("db", (p, s) => { p.parameterGroupName = "default.postgres16"; delete s.deps!.parameterGroupName; }), /not a parameter group of this stack/],
    ["rds-force-tls", "replica on the default group", () => mutated("db-replica", (p, s) => { p.parameterGroupName = "default.postgres16"; delete s.deps!.parameterGroupName; }), /read replica/],
    ["rds-performance-insights", "PI off", () => mutated("db", (p) => { p.performanceInsightsEnabled = false; })],
    ["rds-enhanced-monitoring", "monitoring off", () => mutated("db", (p) => { p.monitoringInterval = 0; }), /is off/],
    ["rds-enhanced-monitoring", "no monitoring role", () => mutated("db", (p) => { delete p.monitoringRoleArn; }), /monitoringRoleArn/],
    ["rds-log-exports", "no postgresql log export", () => mutated("db", (p) => { p.enabledCloudwatchLogsExports = ["upgrade"]; }), /lacks postgresql/],
    ["rds-minor-version-upgrade", "minor upgrades off", () => mutated("db", (p) => { p.autoMinorVersionUpgrade = false; })],
    ["rds-master-password-generated", "neither managed nor given", () => mutated("db", (p) => { p.manageMasterUserPassword = false; }), /neither/],
    ["rds-master-password-generated", "a typed (secret) password", () => mutated("db", (p) => { delete p.manageMasterUserPassword; p.password = secret("hunter2hunter2"); }), /typed into the program/],
    ["rds-master-password-generated", "a password derived from another resource (`${bucket.id}x`)", () => mutated("db", (p, spec, all) => {
        delete p.manageMasterUserPassword;
        p.password = secret("logs-bucket-0123x");
        spec.deps = { ...spec.deps, password: ["logs"] };
        all.push({ type: "aws:s3/bucket:Bucket", name: "logs", props: { bucket: "logs-bucket-0123" } });
    }), /db: `password` depends only on logs \(aws:s3\/bucket:Bucket\).*expected a dependency on one of random:index\/randomPassword:RandomPassword/],
    ["rds-proxy-tls", "proxy without TLS", () => mutated("proxy", (p) => { p.requireTls = false; }), /requireTls/],
    ["rds-proxy-tls", "proxy in one subnet", () => mutated("proxy", (p) => { p.vpcSubnetIds = ["subnet-iso-a"]; }), /fewer than two/],
    // ElastiCache
    ["redis-high-availability", "no automatic failover", () => mutated("redis", (p) => { p.automaticFailoverEnabled = false; }), /automaticFailoverEnabled/],
    ["redis-high-availability", "not Multi-AZ", () => mutated("redis", (p) => { p.multiAzEnabled = false; }), /multiAzEnabled/],
    ["redis-high-availability", "one node", () => mutated("redis", (p) => { p.numCacheClusters = 1; }), /1 node per shard/],
    ["redis-high-availability", "cluster mode without replicas", () => mutated("redis", (p) => { delete p.numCacheClusters; p.numNodeGroups = 3; p.replicasPerNodeGroup = 0; }), /replicasPerNodeGroup/],
    ["redis-high-availability", "both nodes in one AZ", () => mutated("redis", (p) => { p.preferredCacheClusterAzs = ["eu-west-1a", "eu-west-1a"]; }), /every node in eu-west-1a/],
    ["redis-encryption", "no at-rest encryption", () => mutated("redis", (p) => { p.atRestEncryptionEnabled = false; }), /atRestEncryptionEnabled/],
    ["redis-encryption", "no in-transit encryption", () => mutated("redis", (p) => { p.transitEncryptionEnabled = false; }), /transitEncryptionEnabled/],
    ["redis-encryption", "TLS only preferred", () => mutated("redis", (p) => { p.transitEncryptionMode = "preferred"; }), /preferred/],
    ["redis-auth", "no AUTH", () => mutated("redis", (p) => { delete p.authToken; })],
    ["redis-snapshot-retention", "no snapshots", () => mutated("redis", (p) => { p.snapshotRetentionLimit = 0; })],
    ["memcached-cross-az", "single-AZ mode", () => mutated("memcached", (p) => { p.azMode = "single-az"; }), /azMode/],
    ["memcached-cross-az", "one node", () => mutated("memcached", (p) => { p.numCacheNodes = 1; }), /numCacheNodes` is 1; at least 2/],
    ["memcached-cross-az", "fewer nodes than subnet-group AZs", () => { const f = baseline(); f.push({ type: TYPES.subnet, name: "iso-c", props: { availabilityZone: "eu-west-1c", tags: { "boxoffice:tier": "network" } } }); const g = f.find((s) => s.name === "cache-subnets")!; g.deps!.subnetIds.push("iso-c"); return f; }, /at least 3/],
    ["memcached-cross-az", "preferred AZs all the same", () => mutated("memcached", (p) => { p.preferredAvailabilityZones = ["eu-west-1a", "eu-west-1a"]; }), /covers only 1/],
    ["redis-no-standalone-node", "standalone Redis node", () => { const f = baseline(); f.push({ type: TYPES.cc, name: "lonely", props: { engine: "redis", nodeType: "cache.t4g.small", numCacheNodes: 1, tags: { "boxoffice:tier": "cache" } } }); return f; }],
    // Load balancers
    ["alb-listener-tls", "old TLS policy", () => mutated("https", (p) => { p.sslPolicy = "ELBSecurityPolicy-2016-08"; }), /not one of/],
    ["alb-listener-tls", "no TLS policy", () => mutated("https", (p) => { delete p.sslPolicy; }), /not set/],
    ["alb-listener-tls", "no certificate", () => mutated("https", (p) => { delete p.certificateArn; }), /certificateArn/],
    ["alb-http-redirects-only", "HTTP forwards", () => mutated("http", (p) => { p.defaultActions = [{ type: "forward", targetGroupArn: "tg" }]; }), /forward/],
    ["alb-http-redirects-only", "redirect to HTTP", () => mutated("http", (p) => { p.defaultActions[0].redirect.protocol = "HTTP"; })],
    ["alb-http-redirects-only", "no default action", () => mutated("http", (p) => { p.defaultActions = []; }), /no default action/],
    ["alb-drop-invalid-headers", "invalid headers passed", () => mutated("alb", (p) => { p.dropInvalidHeaderFields = false; })],
    ["alb-access-logs", "access logs off", () => mutated("alb", (p) => { p.accessLogs.enabled = false; })],
    ["alb-deletion-protection", "deletion protection off", () => mutated("alb", (p) => { delete p.enableDeletionProtection; })],
    ["alb-waf-associated", "no WAF association", () => without("waf"), /no aws.wafv2.WebAclAssociation/],
    // ECS
    ["ecs-service-min-tasks", "one task", () => mutated("app", (p) => { p.desiredCount = 1; }), /is 1; at least 2/],
    ["ecs-circuit-breaker-rollback", "no circuit breaker", () => mutated("app", (p) => { delete p.deploymentCircuitBreaker; }), /enable/],
    ["ecs-circuit-breaker-rollback", "no rollback", () => mutated("worker", (p) => { p.deploymentCircuitBreaker.rollback = false; }), /rollback/],
    ["ecs-minimum-healthy-percent", "50 % healthy", () => mutated("app", (p) => { p.deploymentMinimumHealthyPercent = 50; })],
    ["ecs-no-public-ip", "public IP", () => mutated("app", (p) => { p.networkConfiguration.assignPublicIp = true; })],
    ["ecs-non-root-user", "user unset", () => mutated("app-td", (p) => { const c = JSON.parse(p.containerDefinitions); delete c[0].user; p.containerDefinitions = JSON.stringify(c); }), /unset/],
    ["ecs-non-root-user", "user 0:0", () => mutated("app-td", (p) => { const c = JSON.parse(p.containerDefinitions); c[0].user = "0:0"; p.containerDefinitions = JSON.stringify(c); }), /"0:0"/],
    ["ecs-non-root-user", "unparseable definitions", () => mutated("app-td", (p) => { p.containerDefinitions = "[{"; }), /not valid JSON/],
    ["ecs-read-only-root-filesystem", "writable root", () => mutated("worker-td", (p) => { const c = JSON.parse(p.containerDefinitions); c[0].readonlyRootFilesystem = false; p.containerDefinitions = JSON.stringify(c); })],
    ["ecs-container-logging", "no log driver", () => mutated("app-td", (p) => { const c = JSON.parse(p.containerDefinitions); delete c[0].logConfiguration; p.containerDefinitions = JSON.stringify(c); })],
    ["ecs-container-insights", "insights off", () => mutated("cluster", (p) => { p.settings = [{ name: "containerInsights", value: "disabled" }]; })],
    ["ecs-autoscaling-min-capacity", "min capacity 1", () => mutated("app-scaling", (p) => { p.minCapacity = 1; }), /minCapacity/],
    ["ecs-autoscaling-min-capacity", "max capacity 1", () => mutated("app-scaling", (p) => { p.minCapacity = 2; p.maxCapacity = 1; }), /maxCapacity/],
    ["ecs-scheduled-scaling-floor", "night schedule drops to one task", () => mutated("after-sale", (p) => { p.scalableTargetAction.minCapacity = 1; }), /minCapacity` to 1/],
    ["ecs-scheduled-scaling-floor", "schedule caps at one task", () => mutated("after-sale", (p) => { p.scalableTargetAction = { maxCapacity: 1 }; }), /maxCapacity` to 1/],
    // Backup
    ["backup-plan-schedules", "no weekly rule", () => mutated("plan", (p) => { p.rules.splice(1, 1); }), /no weekly/],
    ["backup-plan-schedules", "no monthly rule (rate-based daily only)", () => mutated("plan", (p) => { p.rules = [{ ...p.rules[0], schedule: "rate(1 day)" }, p.rules[1]]; }), /no monthly/],
    ["backup-plan-schedules", "rule named weekly runs on weekdays", () => mutated("plan", (p) => { p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)"; }), /rule weekly has schedule "cron\(0 5 \? \* MON-FRI \*\)", which is not a recognised/],
    ["backup-plan-schedules", "rule named weekly runs on weekdays: no weekly rule left", () => mutated("plan", (p) => { p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)"; }), /no weekly rule/],
    ["backup-plan-schedules", "rule named weekly without schedule (AWS runs it daily)", () => mutated("plan", (p) => { delete p.rules[1].schedule; }), /no weekly rule/],
    ["backup-plan-schedules", "first Sunday of the month is not weekly", () => mutated("plan", (p) => { p.rules[1].schedule = "cron(0 4 ? * SUN#1 *)"; }), /no weekly rule/],
    ["backup-plan-retention", "rule named weekly runs on weekdays", () => mutated("plan", (p) => { p.rules[1].schedule = "cron(0 5 ? * MON-FRI *)"; }), /rule weekly has schedule .* not a recognised .* retention cannot be held/],
    ["backup-plan-retention", "daily below floor", () => mutated("plan", (p) => { p.rules[0].lifecycle.deleteAfter = 1; }), /daily rule daily keeps 1/],
    ["backup-plan-retention", "weekly not longer than daily", () => mutated("plan", (p) => { p.rules[0].lifecycle.deleteAfter = 40; }), /weekly retention \(35 d\) is not longer/],
    ["backup-plan-retention", "cold storage too short", () => mutated("plan", (p) => { p.rules[2].lifecycle = { coldStorageAfter: 30, deleteAfter: 100 }; }), /coldStorageAfter 30 \+ 90/],
    ["backup-cross-region-copy", "no copy", () => mutated("plan", (p) => { delete p.rules[0].copyActions; }), /no copy action/],
    ["backup-cross-region-copy", "copy in the same region", () => mutated("plan", (p) => { p.rules[1].copyActions[0].destinationVaultArn = "arn:aws:backup:eu-west-1:123456789012:backup-vault:other"; }), /only within eu-west-1/],
    ["backup-continuous-retention", "PITR 1 day", () => mutated("plan", (p) => { p.rules[3].lifecycle.deleteAfter = 1; }), /keeps 1 day/],
    ["backup-continuous-retention", "PITR beyond 35 days", () => mutated("plan", (p) => { p.rules[3].lifecycle.deleteAfter = 60; }), /at most 35/],
    ["backup-vault-kms", "vault without CMK", () => mutated("main", (p) => { delete p.kmsKeyArn; })],
    ["backup-vault-lock", "vault not locked", () => without("dr-lock"), /dr: no aws.backup.VaultLockConfiguration/],
    ["backup-vault-lock", "governance mode", () => mutated("main-lock", (p) => { delete p.changeableForDays; }), /governance/],
    ["backup-coverage", "database untagged", () => mutated("db", (p) => { delete p.tags["boxoffice:backup"]; }), /missing/],
    ["backup-coverage", "no selection", () => without("selection"), /no aws.backup.Selection/],
    ["backup-coverage", "selection on another tag value", () => mutated("selection", (p) => { p.selectionTags[0].value = "weekly"; }), /no aws.backup.Selection/],
    // Network
    ["nat-gateway-per-az", "single NAT", () => without("nat-b"), /no NAT gateway in eu-west-1b/],
    ["no-public-ingress", "SSH open to the world", () => { const f = baseline(); f.push({ type: TYPES.ingress, name: "ssh", props: { securityGroupId: "sg-app", cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }, deps: { securityGroupId: ["sg-app"] } }); return f; }, /ssh: tcp 22-22/],
    ["no-public-ingress", "ALB open on 8080", () => mutated("alb-in-443", (p) => { p.fromPort = 8080; p.toPort = 8080; }), /tcp 8080-8080/],
    ["no-public-ingress", "IPv6 all traffic", () => mutated("alb-in-80", (p) => { delete p.cidrIpv4; p.cidrIpv6 = "::/0"; p.ipProtocol = "-1"; delete p.fromPort; delete p.toPort; }), /all traffic/],
    ["no-public-ingress", "inline ingress on an untagged group", () => mutated("sg-app", (p) => { delete p.tags; p.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]; }), /no tier tag/],
    ["no-public-ingress", "security-group rule ingress", () => { const f = baseline(); f.push({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "pg-open", props: { type: "ingress", securityGroupId: "sg-app", cidrBlocks: ["0.0.0.0/0"], fromPort: 5432, toPort: 5432, protocol: "tcp" }, deps: { securityGroupId: ["sg-app"] } }); return f; }, /pg-open/],
    ["no-public-ingress", "SSH from 0.0.0.0/1", () => withIngress("sg-app", { cidrIpv4: "0.0.0.0/1", fromPort: 22, toPort: 22, ipProtocol: "tcp" }), /extra: tcp 22-22 from the internet \(0\.0\.0\.0\/1\)/],
    ["no-public-ingress", "SSH from 128.0.0.0/1", () => withIngress("sg-app", { cidrIpv4: "128.0.0.0/1", fromPort: 22, toPort: 22, ipProtocol: "tcp" }), /extra: tcp 22-22 from the internet \(128\.0\.0\.0\/1\)/],
    ["no-public-ingress", "all traffic from ::/1", () => withIngress("sg-app", { cidrIpv6: "::/1", ipProtocol: "-1" }), /extra: all traffic from the internet \(::\/1\)/],
    ["no-public-ingress", "a public /8 (8.0.0.0/8)", () => withIngress("sg-app", { cidrIpv4: "8.0.0.0/8", fromPort: 5432, toPort: 5432, ipProtocol: "tcp" }), /\(8\.0\.0\.0\/8\)/],
    ["no-public-ingress", "10.0.0.0/7 reaches past private space", () => withIngress("sg-app", { cidrIpv4: "10.0.0.0/7", fromPort: 5432, toPort: 5432, ipProtocol: "tcp" }), /\(10\.0\.0\.0\/7\)/],
    ["no-public-ingress", "a source that is not a CIDR", () => withIngress("sg-app", { cidrIpv4: "0.0.0.0", fromPort: 22, toPort: 22, ipProtocol: "tcp" }), /"0\.0\.0\.0" \(not a CIDR; treated as open\)/],
    ["no-public-ingress", "split halves in a security-group rule", () => { const f = baseline(); f.push({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "pg-halves", props: { type: "ingress", securityGroupId: "sg-app", cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"], fromPort: 5432, toPort: 5432, protocol: "tcp" }, deps: { securityGroupId: ["sg-app"] } }); return f; }, /pg-halves: tcp 5432-5432 from the internet \(0\.0\.0\.0\/1, 128\.0\.0\.0\/1\)/],
    ["no-public-ingress", "inline ingress from ::/1 on the ALB group", () => mutated("sg-alb", (p) => { p.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/1"] }]; }), /sg-alb ingress\[0\]: tcp 22-22 from the internet \(::\/1\)/],
    ["kms-key-rotation", "no rotation", () => mutated("key", (p) => { p.enableKeyRotation = false; })],
    ["tier-tagged", "database without tier", () => mutated("db", (p) => { delete p.tags["boxoffice:tier"]; }), /missing/],
    ["tier-tagged", "service with a wrong tier", () => mutated("worker", (p) => { p.tags["boxoffice:tier"] = "database"; }), /expected app or worker/],
    // Stack-level
    ["no-single-point-of-failure", "cache tier missing", () => without("redis", "memcached"), /tier cache: no resource/],
    ["no-single-point-of-failure", "app with one task", () => mutated("app", (p) => { p.desiredCount = 1; }), /desiredCount is 1/],
    ["no-single-point-of-failure", "ALB in one AZ", () => mutated("alb", (p, s) => { p.subnets = ["subnet-pub-a"]; s.deps!.subnets = ["pub-a"]; }), /tier load-balancer: alb .* 1 AZ/],
    ["no-single-point-of-failure", "database not Multi-AZ", () => mutated("db", (p) => { p.multiAz = false; }), /multiAz is false/],
    ["no-single-point-of-failure", "Redis without failover", () => mutated("redis", (p) => { p.automaticFailoverEnabled = false; }), /automatic failover/],
    ["no-single-point-of-failure", "single NAT", () => without("nat-b"), /tier network spans eu-west-1a only/],
    ["no-single-point-of-failure", "subnets unknown", () => mutated("worker", (p, s) => { p.networkConfiguration.subnets = ["subnet-elsewhere"]; s.deps!.networkConfiguration = []; }), /cannot tell its AZs/],
    ["az-consistency", "app in an AZ the ALB does not serve", () => { const f = baseline(); f.push({ type: TYPES.subnet, name: "priv-c", props: { availabilityZone: "eu-west-1c", tags: { "boxoffice:tier": "network" } } }); f.find((s) => s.name === "app")!.deps!.networkConfiguration.push("priv-c"); return f; }, /eu-west-1c, where no load balancer/],
    ["az-consistency", "worker in an AZ without NAT", () => without("nat-b"), /worker: tasks in eu-west-1b have no NAT gateway/],
    ["rto-budget", "database without Multi-AZ", () => mutated("db", (p) => { p.multiAz = false; }), /database db: recovery unbounded/],
    ["rto-budget", "slow DNS failover", () => mutated("hc", (p) => { p.requestInterval = 30; p.failureThreshold = 10; }), /30 s × 10 failures \+ 60 s alias propagation \(assumption\) = 360 s/],
    ["rto-budget", "long TTL", () => mutated("primary", (p) => { delete p.aliases; p.ttl = 300; p.records = ["198.51.100.1"]; }), /TTL 300 s = 330 s/],
    ["rto-budget", "Redis without failover", () => mutated("redis", (p) => { p.automaticFailoverEnabled = false; }), /cache redis: recovery unbounded/],
    ["rto-budget", "one-instance Aurora is not credited a 30 s failover", () => without("aurora-b"), /database cluster aurora: recovery 600 s .*no reader to promote/],
    ["no-single-point-of-failure", "one-instance Aurora", () => without("aurora-b"), /aurora .*1 cluster instance/],
    // Aurora and RDS clusters
    ["aurora-multi-az", "one cluster instance", () => without("aurora-b"), /aurora: 1 cluster instance\(s\); at least 2/],
    ["aurora-multi-az", "instances not pinned to an AZ", () => mutated("aurora-b", (p) => { delete p.availabilityZone; }), /aurora-b set no availabilityZone/],
    ["aurora-multi-az", "both instances in one AZ", () => mutated("aurora-b", (p) => { p.availabilityZone = "eu-west-1a"; }), /all in eu-west-1a/],
    ["rds-storage-encrypted", "unencrypted Aurora cluster", () => mutated("aurora", (p) => { p.storageEncrypted = false; }), /storageEncrypted/],
    ["rds-deletion-protection", "Aurora without deletion protection", () => mutated("aurora", (p) => { p.deletionProtection = false; })],
    ["rds-final-snapshot", "Aurora skips its final snapshot", () => mutated("aurora", (p) => { p.skipFinalSnapshot = true; }), /skipFinalSnapshot/],
    ["rds-backup-retention", "Aurora keeps 1 day", () => mutated("aurora", (p) => { p.backupRetentionPeriod = 1; }), /1 day\(s\)/],
    ["rds-not-public", "public Aurora instance", () => mutated("aurora-a", (p) => { p.publiclyAccessible = true; })],
    ["rds-replica-az-spread", "two replicas pinned to one AZ", () => { const f = mutated("db-replica", (p) => { p.availabilityZone = "eu-west-1a"; }); const r = structuredClone(f.find((x) => x.name === "db-replica")!); r.name = "db-replica-2"; r.props.identifier = "db-replica-2"; f.push(r); return f; }, /db-replica and db-replica-2 replicate the same source in eu-west-1a/],
    // The aws:alb/* module name and classic ELBs
    ["alb-drop-invalid-headers", "aws.alb.LoadBalancer passes invalid headers", () => mutated("alb2", (p) => { p.dropInvalidHeaderFields = false; })],
    ["alb-http-redirects-only", "aws.alb.Listener forwards plain HTTP", () => mutated("http2", (p) => { p.defaultActions = [{ type: "forward", targetGroupArn: "tg" }]; })],
    ["alb-waf-associated", "aws.alb.LoadBalancer without WAF", () => without("waf2"), /alb2: no aws.wafv2/],
    ["elb-classic-hardened", "classic ELB in one subnet", () => mutated("classic", (p) => { p.subnets = ["subnet-pub-a"]; }), /1 subnet/],
    ["elb-classic-hardened", "classic ELB speaks plain HTTP", () => mutated("classic", (p) => { p.listeners.push({ lbPort: 80, lbProtocol: "http", instancePort: 8080, instanceProtocol: "http" }); }), /port 80 speaks plain HTTP/],
    ["elb-classic-hardened", "classic ELB TLS without certificate", () => mutated("classic", (p) => { delete p.listeners[0].sslCertificateId; }), /no `sslCertificateId`/],
    ["elb-classic-hardened", "classic ELB without access logs or cross-zone", () => mutated("classic", (p) => { delete p.accessLogs; p.crossZoneLoadBalancing = false; }), /crossZoneLoadBalancing/],
    // The paired entry point
    ["paired-entry-point", "one load balancer", () => without("alb2", "https2", "http2", "waf2", "secondary", "hc2", "classic"), /1 internet-facing load balancer/],
    ["paired-entry-point", "no SECONDARY record", () => without("secondary"), /no SECONDARY record/],
    ["paired-entry-point", "SECONDARY without a health check", () => mutated("secondary", (p) => { delete p.healthCheckId; p.aliases[0].evaluateTargetHealth = false; }), /secondary has no health check/],
    ["paired-entry-point", "both records reach the same load balancer", () => mutated("secondary", (p, s) => { p.aliases[0].name = "alb.example"; s.deps!.aliases = ["alb"]; }), /reach the same load balancer/],
    ["paired-entry-point", "no failover records", () => without("primary", "secondary"), /no Route 53 failover records/],
    // EC2 and Auto Scaling
    ["ec2-instance-redundancy", "a single app instance", () => without("app-vm-b"), /tier app \(app-vm-a\): 1 instance\(s\)/],
    ["ec2-instance-redundancy", "both instances in one AZ", () => mutated("app-vm-b", (p, s) => { p.subnetId = "subnet-priv-a"; s.deps!.subnetId = ["priv-a"]; }), /in eu-west-1a; at least 2 AZs/],
    ["ec2-instance-redundancy", "an untagged instance", () => { const f = baseline(); f.push({ type: TYPES.instance, name: "bastion", props: { ami: "ami-1", instanceType: "t4g.micro", subnetId: "subnet-pub-a" }, deps: { subnetId: ["pub-a"] } }); return f; }, /untagged instance bastion/],
    ["autoscaling-group-ha", "minSize 1", () => mutated("asg", (p) => { p.minSize = 1; p.desiredCapacity = 1; }), /`minSize` is 1/],
    ["autoscaling-group-ha", "one AZ", () => mutated("asg", (p, s) => { p.vpcZoneIdentifiers = ["subnet-priv-a"]; s.deps!.vpcZoneIdentifiers = ["priv-a"]; }), /runs in eu-west-1a/],
    ["autoscaling-group-ha", "subnets of unknown AZ", () => mutated("asg", (p, s) => { p.vpcZoneIdentifiers = ["subnet-x", "subnet-y"]; s.deps!.vpcZoneIdentifiers = []; }), /cannot tell the AZs/],
    ["tier-tagged", "Auto Scaling group without a tier", () => mutated("asg", (p) => { p.tags = []; }), /missing/],
    // S3 and DynamoDB
    ["s3-no-public-acl", "public-read bucket", () => mutated("logs", (p) => { p.acl = "public-read"; }), /public-read/],
    ["s3-no-public-acl", "BucketAclV2 grant to AllUsers", () => { const f = baseline(); f.push({ type: TYPES.bucketAcl, name: "logs-acl", props: { bucket: "logs", accessControlPolicy: { owner: { id: "o" }, grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }] } } }); return f; }, /AllUsers/],
    ["s3-no-public-policy", "Allow Principal * without condition", () => mutated("logs-policy", (p) => { const d = JSON.parse(p.policy); d.Statement.push({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/*" }); p.policy = JSON.stringify(d); }), /"Open" allows "s3:GetObject" to Principal "\*"/],
    ["s3-public-access-block", "no public-access block", () => without("logs-pab"), /logs: no aws.s3.BucketPublicAccessBlock/],
    ["s3-public-access-block", "block with restrictPublicBuckets off", () => mutated("logs-pab", (p) => { p.restrictPublicBuckets = false; }), /leaves restrictPublicBuckets off/],
    ["s3-tls-only", "policy without the TLS deny", () => mutated("logs-policy", (p) => { const d = JSON.parse(p.policy); d.Statement.pop(); p.policy = JSON.stringify(d); }), /does not deny s3:\*/],
    ["s3-tls-only", "no bucket policy", () => without("logs-policy"), /no bucket policy/],
    ["dynamodb-pitr", "PITR off", () => mutated("orders", (p) => { p.pointInTimeRecovery = { enabled: false }; }), /pointInTimeRecovery/],
    ["dynamodb-pitr", "global-table replica without PITR", () => mutated("orders", (p) => { p.replicas = [{ regionName: "eu-central-1" }]; }), /replica in eu-central-1/],
    ["backup-coverage", "DynamoDB table not selected", () => mutated("orders", (p) => { delete p.tags["boxoffice:backup"]; }), /orders: tag boxoffice:backup is missing/],
    // RPO budget
    ["rpo-budget", "single-AZ database: 5 minutes of writes on an AZ failure", () => mutated("db", (p) => { p.multiAz = false; }), /database db: an AZ failure loses up to 300 s of acknowledged writes, over the 0 s RPO SLO/],
    ["rpo-budget", "no cross-region copy", () => mutated("plan", (p) => { for (const r of p.rules) delete r.copyActions; }), /losing the region loses all its acknowledged writes/],
    ["rpo-budget", "only a weekly cross-region copy", () => mutated("plan", (p) => { delete p.rules[0].copyActions; }), /every 168 h/],
];

describe("policy rules (baseline + one mutation per violation, prod config)", () => {
    it("the baseline platform passes every rule with no finding at all", async () => {
        const report = await evaluate(baseline());
        assert.deepStrictEqual(report.violations, []);
        assert.deepStrictEqual(report.policies, policies.map((p) => p.name));
    });

    it("has at least 25 rules, each with a name, one-sentence description, severity and remediation steps", () => {
        assert.ok(policies.length >= 25, `only ${policies.length} rules`);
        assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length, "rule names are unique");
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, p.name);
            assert.match(p.description, /^[A-Z].*\.$/, `${p.name}: description is one sentence`);
            assert.ok(!/\.\s+[A-Z]/.test(p.description), `${p.name}: description is one sentence`);
            assert.ok(p.severity, `${p.name}: severity`);
            assert.match(p.remediationSteps ?? "", /^1\. /, `${p.name}: numbered remediation steps`);
        }
    });

    it("every rule has at least one violating mutation below", () => {
        const covered = new Set(cases.map((c) => c[0]));
        const uncovered = policies.map((p) => p.name).filter((n) => !covered.has(n) && n !== "rds-iam-authentication");
        assert.deepStrictEqual(uncovered, []);
    });

    for (const [policy, what, fixture, expect] of cases) {
        it(`${policy}: ${what}`, async () => {
            const report = await evaluate(fixture());
            const hits = report.violations.filter((v) => v.policy === policy);
            assert.ok(hits.length > 0, `${policy} not reported; got ${JSON.stringify(report.violations.map((v) => v.policy))}`);
            for (const h of hits) assert.strictEqual(h.level, "mandatory", `${policy} level`);
            if (expect) assert.ok(hits.some((h) => expect.test(h.message)), `no ${policy} message matches ${expect}: ${hits.map((h) => h.message).join(" | ")}`);
        });
    }

    it("rds-master-password-generated: a password generated by a resource passes (replicas forbid RDS-managed secrets)", async () => {
        const fixture = mutated("db", (p, spec, all) => {
            delete p.manageMasterUserPassword;
            p.password = secret("generated-40-characters-of-random-text!!");
            spec.deps = { ...spec.deps, password: ["db-password"] };
            all.push({ type: "random:index/randomPassword:RandomPassword", name: "db-password", props: { length: 40, special: true, overrideSpecial: "!#$%&*()-_=+[]{}<>:?" } });
        });
        const report = await evaluate(fixture);
        assert.deepStrictEqual(report.violations, []);
    });

    for (const type of ["random:index/randomString:RandomString", "aws:secretsmanager/secretVersion:SecretVersion"]) {
        it(`rds-master-password-generated: a password from a ${type.split(":").pop()} passes`, async () => {
            const fixture = mutated("db", (p, spec, all) => {
                delete p.manageMasterUserPassword;
                p.password = secret("generated-40-characters-of-random-text!!");
                spec.deps = { ...spec.deps, password: ["db-password"] };
                all.push({ type, name: "db-password", props: {} });
            });
            const report = await evaluate(fixture);
            assert.deepStrictEqual(report.violations, []);
        });
    }

    it("no-public-ingress: private sources stay closed to the rule (10.0.0.0/8, 172.16.0.0/12, fd00::/8 from inside)", async () => {
        const f = baseline();
        for (const [n, cidr] of [["v4", "10.0.0.0/8"], ["v4b", "172.16.0.0/12"], ["v6", "fd00::/8"]]) {
            f.push({ type: TYPES.ingress, name: `vpc-${n}`, props: { securityGroupId: "sg-app", [n.startsWith("v6") ? "cidrIpv6" : "cidrIpv4"]: cidr, fromPort: 5432, toPort: 5432, ipProtocol: "tcp" }, deps: { securityGroupId: ["sg-app"] } });
        }
        const report = await evaluate(f);
        assert.deepStrictEqual(report.violations, []);
    });

    it("no-public-ingress: the load-balancer tier may still be open on 443 through split halves", async () => {
        const f = mutated("alb-in-443", (p) => { p.cidrIpv4 = "0.0.0.0/1"; });
        f.push({ type: TYPES.ingress, name: "alb-in-443-upper", props: { securityGroupId: "sg-alb", cidrIpv4: "128.0.0.0/1", fromPort: 443, toPort: 443, ipProtocol: "tcp" }, deps: { securityGroupId: ["sg-alb"] } });
        const report = await evaluate(f);
        assert.deepStrictEqual(report.violations, []);
    });

    it("rpo-budget: an asynchronous copy in another region counts for region loss, at the configured lag", async () => {
        const fixture = mutated("plan", (p) => { for (const r of p.rules) delete r.copyActions; });
        fixture.find((x) => x.name === "orders")!.props.replicas = [{ regionName: "eu-central-1", pointInTimeRecovery: true }];
        const report = await evaluate(fixture, { all: "mandatory", "rpo-budget": { regionSloSeconds: 4 } });
        const rpo = report.violations.filter((v) => v.policy === "rpo-budget").map((v) => v.message);
        assert.ok(rpo.some((m) => /^table orders: losing the region loses up to 5 s of acknowledged writes, over the 4 s RPO SLO \(asynchronous global-table replica in eu-central-1/m.test(m)), rpo.join("\n"));
        assert.ok(rpo.some((m) => /^database db: losing the region loses all its acknowledged writes/m.test(m)), rpo.join("\n"));
        const relaxed = await evaluate(fixture, { all: "mandatory", "rpo-budget": { regionSloSeconds: 86400 } });
        assert.ok(!relaxed.violations.some((v) => v.policy === "rpo-budget" && /orders/.test(v.message)));
    });

    it("rds-iam-authentication: reported, but advisory even in prod", async () => {
        const report = await evaluate(mutated("db", (p) => { p.iamDatabaseAuthenticationEnabled = false; }));
        const hits = report.violations.filter((v) => v.policy === "rds-iam-authentication");
        assert.deepStrictEqual(hits.map((h) => h.level), ["advisory"]);
    });
});
