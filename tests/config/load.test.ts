import * as assert from "assert";
import { parsePlatformConfig } from "../../stacks/config/load";
import { NOW, problemsOf, prod, stackRaw, withSection } from "./config-fixture";

describe("stack config", () => {
    it("parses the shipped prod stack with the documented defaults", () => {
        const c = parsePlatformConfig(prod(), "eu-west-1", NOW);
        assert.deepStrictEqual(c.network, {
            cidr: "10.40.0.0/16",
            availabilityZones: 3,
            natGateways: "one-per-az",
            flowLogRetentionDays: 365,
        });
        assert.strictEqual(c.database.multiAz, true);
        assert.strictEqual(c.database.readReplicas, 1);
        assert.strictEqual(c.database.backupRetentionDays, 7);
        assert.strictEqual(c.database.deletionProtection, true);
        assert.strictEqual(c.redis.replicas, 2);
        assert.strictEqual(c.memcached.nodes, 3);
        assert.deepStrictEqual(
            [c.backup.dailyRetentionDays, c.backup.weeklyRetentionDays, c.backup.monthlyRetentionDays],
            [3, 21, 180],
        );
        assert.strictEqual(c.backup.copyToRegion, "eu-central-1");
        assert.strictEqual(c.backup.vaultLockMode, "compliance");
    });

    it("parses the shipped staging stack: smaller, single NAT, still Multi-AZ", () => {
        const c = parsePlatformConfig(stackRaw("staging"), "eu-west-1", NOW);
        assert.strictEqual(c.environment, "staging");
        assert.strictEqual(c.network.availabilityZones, 2);
        assert.strictEqual(c.network.natGateways, "single");
        assert.strictEqual(c.database.multiAz, true);
        assert.match(c.database.instanceClass, /^db\.t4g\./);
        assert.ok(c.redis.replicas >= 1);
    });

    it("applies per-environment defaults to keys a stack file leaves out", () => {
        const prodMin = parsePlatformConfig(
            { environment: "prod", loadBalancers: { domain: "tickets.example.org", hostedZoneId: "Z123" } },
            "eu-west-1",
        );
        const stagingMin = parsePlatformConfig({ environment: "staging" }, "eu-west-1");
        assert.strictEqual(prodMin.network.natGateways, "one-per-az");
        assert.strictEqual(prodMin.network.availabilityZones, 3);
        assert.strictEqual(stagingMin.network.availabilityZones, 2);
        assert.strictEqual(stagingMin.database.multiAz, true);
    });

    it("names key, value and rule, as in the documented example", () => {
        assert.deepStrictEqual(problemsOf(withSection("database", { backupRetentionDays: 40 })), [
            "boxoffice:database.backupRetentionDays = 40: must be 0..35 (RDS limit)",
        ]);
    });

    it("lists every problem at once in one error", () => {
        const raw = withSection("network", { cidr: "10.40.0.0/33", availabilityZones: 7 });
        raw.redis = { ...(raw.redis as object), replicas: 0, nodeType: "r7g.large" };
        const problems = problemsOf(raw);
        assert.deepStrictEqual(problems.map((p) => p.split(" = ")[0]).sort(), [
            "boxoffice:network.availabilityZones",
            "boxoffice:network.cidr",
            "boxoffice:redis.nodeType",
            "boxoffice:redis.replicas",
        ]);
        assert.ok(
            problems.includes(
                "boxoffice:network.availabilityZones = 7: must be 2..6 (at least 2 for failover; 6 is the most subnets per tier this layout plans)",
            ),
        );
        assert.ok(
            problems.includes(
                'boxoffice:network.cidr = "10.40.0.0/33": must be IPv4 CIDR notation with no host bits set, e.g. 10.40.0.0/16',
            ),
        );
    });

    it("refuses unknown keys with a did-you-mean, top-level and nested", () => {
        const raw = prod();
        raw.databse = { multiAz: true };
        raw.redis = { ...(raw.redis as object), replica: 2 };
        const problems = problemsOf(raw);
        assert.ok(
            problems.some((p) =>
                p.startsWith('boxoffice:databse = {"multiAz":true}: unknown key (did you mean boxoffice:database?)'),
            ),
            problems.join("\n"),
        );
        assert.ok(
            problems.includes("boxoffice:redis.replica = 2: unknown key (did you mean replicas?)"),
            problems.join("\n"),
        );
    });

    it("checks shapes and AWS limits", () => {
        const cases: [string, Record<string, unknown>, string][] = [
            [
                "database",
                { instanceClass: "r6g.large" },
                'boxoffice:database.instanceClass = "r6g.large": must be an RDS instance class like db.r6g.large',
            ],
            [
                "database",
                { readReplicas: 16 },
                "boxoffice:database.readReplicas = 16: must be 0..15 (RDS PostgreSQL allows up to 15 read replicas per source)",
            ],
            [
                "database",
                { backupWindow: "02:00-02:10" },
                'boxoffice:database.backupWindow = "02:00-02:10": must last at least 30 minutes (RDS limit)',
            ],
            [
                "memcached",
                { nodeType: "db.r7g.large" },
                'boxoffice:memcached.nodeType = "db.r7g.large": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
            ],
            [
                "backup",
                { copyToRegion: "eu-middle-9" },
                'boxoffice:backup.copyToRegion = "eu-middle-9": must be an AWS region name, e.g. eu-central-1',
            ],
            [
                "network",
                { natGateways: "none" },
                'boxoffice:network.natGateways = "none": must be one of one-per-az, single',
            ],
            [
                "network",
                { cidr: "10.40.0.0/24" },
                'boxoffice:network.cidr = "10.40.0.0/24": prefix must be /16../22 (VPC limit /16; every tier\'s subnets stay ≥ /28)',
            ],
            [
                "network",
                { availabilityZones: "3" },
                'boxoffice:network.availabilityZones = "3": must be a whole number 2..6 (at least 2 for failover; 6 is the most subnets per tier this layout plans)',
            ],
            [
                "redis",
                { nodeType: "cache.t1.micro" },
                'boxoffice:redis.nodeType = "cache.t1.micro": must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large',
            ],
            [
                "app",
                { cpu: 300 },
                "boxoffice:app.cpu = 300: must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units)",
            ],
            [
                "loadBalancers",
                { queueJoinRateLimitPer5Min: 5 },
                "boxoffice:loadBalancers.queueJoinRateLimitPer5Min = 5: must be 10..2000000000 (WAF rate-based rule limit per 5-minute window)",
            ],
            [
                "loadBalancers",
                { queueJoinRateLimitPer5Min: "100" },
                'boxoffice:loadBalancers.queueJoinRateLimitPer5Min = "100": must be a whole number 10..2000000000 (WAF rate-based rule limit per 5-minute window)',
            ],
        ];
        for (const [section, patch, expected] of cases)
            assert.deepStrictEqual(problemsOf(withSection(section, patch)), [expected]);
    });

    it("checks cross-field rules", () => {
        const cases: [string, Record<string, unknown>, string][] = [
            [
                "backup",
                { weeklyRetentionDays: 3 },
                "boxoffice:backup.weeklyRetentionDays = 3: must be greater than dailyRetentionDays (3)",
            ],
            [
                "backup",
                { monthlyRetentionDays: 20 },
                "boxoffice:backup.monthlyRetentionDays = 20: must be greater than weeklyRetentionDays (21)",
            ],
            [
                "backup",
                { copyToRegion: "eu-west-1" },
                'boxoffice:backup.copyToRegion = "eu-west-1": must differ from aws:region (eu-west-1); a copy in the same region does not survive a regional outage',
            ],
            [
                "backup",
                { monthlyColdStorageAfterDays: 100 },
                "boxoffice:backup.monthlyRetentionDays = 180: must be at least monthlyColdStorageAfterDays + 90 = 190 (AWS Backup cold-storage minimum)",
            ],
            [
                "memcached",
                { nodes: 2 },
                "boxoffice:memcached.nodes = 2: must be at least network.availabilityZones (3) so every AZ holds a node",
            ],
            [
                "database",
                { maxAllocatedStorageGb: 105 },
                "boxoffice:database.maxAllocatedStorageGb = 105: must be at least 10% above allocatedStorageGb 100 (RDS storage autoscaling rule)",
            ],
            [
                "database",
                { backupRetentionDays: 0 },
                "boxoffice:database.backupRetentionDays = 0: must be at least 1 when readReplicas > 0 (RDS needs automated backups on a replica source)",
            ],
            [
                "database",
                { backupWindow: "04:00-04:30" },
                'boxoffice:database.backupWindow = "04:00-04:30": must not overlap maintenanceWindow sun:04:00-sun:05:00 (RDS rule)',
            ],
            [
                "database",
                { maintenanceWindow: "mon:06:30-mon:07:00" },
                'boxoffice:database.maintenanceWindow = "mon:06:30-mon:07:00": with backupWindow 02:00-03:00: the AWS Backup rule(s) daily cron(0 7 * * ? *), monthly cron(0 7 1 * ? *) may start (within its 60-minute start window) during the maintenance window mon:06:30-mon:07:00, the hour before it (when AWS Backup does not start RDS backups) or the hour after it (maintenance may overrun); the rules start between 07:00 and 08:00 UTC: keep the maintenance window out of 06:00-09:00 and the backup window out of 07:00-08:00',
            ],
            ["app", { minTasks: 31 }, "boxoffice:app.minTasks = 31: must not exceed maxTasks (30)"],
            ["app", { memory: 512 }, "boxoffice:app.memory = 512: is not a valid Fargate memory size for cpu 512"],
            [
                "loadBalancers",
                { queueJoinRateLimitPer5Min: 3001 },
                "boxoffice:loadBalancers.queueJoinRateLimitPer5Min = 3001: must not exceed browseRateLimitPer5Min (3000): the queue join is the stricter one",
            ],
        ];
        for (const [section, patch, expected] of cases)
            assert.deepStrictEqual(problemsOf(withSection(section, patch)), [expected]);
    });

    it("refuses what AWS or common sense refuses: invented node types, public VPC ranges, more AZs than the region has", () => {
        const family =
            "must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of m7g, m6g, m5, m4, r7g, r6g, r5, r4, t4g, t3, t2, e.g. cache.r7g.large";
        const cases: [string, Record<string, unknown>, string, string?][] = [
            ["redis", { nodeType: "cache.zz9.huge" }, `boxoffice:redis.nodeType = "cache.zz9.huge": ${family}`],
            [
                "redis",
                { nodeType: "cache.r7g.mega" },
                'boxoffice:redis.nodeType = "cache.r7g.mega": must be one of the r7g sizes large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge (ElastiCache node types)',
            ],
            [
                "memcached",
                { nodeType: "cache.m2.xlarge" },
                `boxoffice:memcached.nodeType = "cache.m2.xlarge": ${family}`,
            ],
            [
                "network",
                { cidr: "8.8.0.0/16" },
                'boxoffice:network.cidr = "8.8.0.0/16": must lie inside an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): a VPC on public addresses cannot reach their owners and clashes with peering and VPNs',
            ],
            [
                "network",
                { cidr: "172.32.0.0/16" },
                'boxoffice:network.cidr = "172.32.0.0/16": must lie inside an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): a VPC on public addresses cannot reach their owners and clashes with peering and VPNs',
            ],
        ];
        for (const [section, patch, expected] of cases)
            assert.deepStrictEqual(problemsOf(withSection(section, patch)), [expected]);
        for (const ok of ["cache.t4g.micro", "cache.m5.24xlarge", "cache.r6g.16xlarge"])
            assert.deepStrictEqual(
                parsePlatformConfig(withSection("redis", { nodeType: ok }), "eu-west-1", NOW).redis.nodeType,
                ok,
            );
        for (const ok of ["10.0.0.0/16", "172.31.0.0/16", "192.168.0.0/16"])
            assert.strictEqual(
                parsePlatformConfig(withSection("network", { cidr: ok }), "eu-west-1", NOW).network.cidr,
                ok,
            );

        const six = withSection("network", { availabilityZones: 6 });
        six.memcached = { ...(six.memcached as object), nodes: 6 };
        assert.deepStrictEqual(problemsOf(six), [
            "boxoffice:network.availabilityZones = 6: must not exceed the 3 Availability Zones of eu-west-1 (AWS Regions and Availability Zones)",
        ]);
        assert.strictEqual(
            parsePlatformConfig(six, "us-east-1", NOW).network.availabilityZones,
            6,
            "us-east-1 has six",
        );
    });

    it("requires a known environment and a real region", () => {
        assert.deepStrictEqual(problemsOf({ environment: "dev" }), [
            'boxoffice:environment = "dev": must be one of prod, staging',
        ]);
        assert.deepStrictEqual(problemsOf({ environment: "staging" }, "eu-west-9"), [
            'aws:region = "eu-west-9": must be an AWS region name, e.g. eu-west-1',
        ]);
    });

    it("requires HTTPS in prod: a domain and zone, or a certificate", () => {
        assert.deepStrictEqual(problemsOf({ environment: "prod" }), [
            "boxoffice:loadBalancers.domain = null: prod needs domain + hostedZoneId (or certificateArn) so the ALBs serve HTTPS; plain HTTP is a staging-only opt-out",
        ]);
        assert.deepStrictEqual(problemsOf(withSection("loadBalancers", { hostedZoneId: null })), [
            "boxoffice:loadBalancers.hostedZoneId = null: domain and hostedZoneId must be set together (DNS failover needs both)",
        ]);
    });
});
