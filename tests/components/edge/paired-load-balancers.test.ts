import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    PairedLoadBalancers,
    PairedLoadBalancersArgs,
    TLS_POLICY,
} from "../../../components/edge/paired-load-balancers";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, promiseOf } from "../../../tools/offline/values";
import { T, base, build } from "./paired-load-balancers-fixture";

describe("PairedLoadBalancers", () => {
    let shared: Awaited<ReturnType<typeof build>>;
    before(async () => {
        shared = await build(base());
    });

    it("builds two internet-facing ALBs across every public subnet, hardened, with access logs", async () => {
        const { run } = shared;
        const albs = ofType(run, T.alb)
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((r) => inputsOf(r));
        assert.strictEqual(albs.length, 2);
        for (const [i, alb] of albs.entries()) {
            assert.strictEqual(alb.internal, false);
            assert.deepStrictEqual(alb.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
            assert.strictEqual(alb.dropInvalidHeaderFields, true);
            assert.strictEqual(alb.enableDeletionProtection, true);
            assert.strictEqual(alb.accessLogs.enabled, true);
            assert.strictEqual(alb.accessLogs.prefix, ["primary", "secondary"][i]);
            assert.strictEqual(alb.tags["boxoffice:tier"], "load-balancer");
        }
        assert.deepStrictEqual(
            ofType(run, T.alb)
                .map((r) => r.name)
                .sort(),
            ["lb-alb1", "lb-alb2"],
        );
        assert.strictEqual(
            inputsOf(ofType(run, T.sse)[0]).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
            "AES256",
        );
        assert.deepStrictEqual(Object.values(inputsOf(ofType(run, T.pab)[0])).filter((v) => v === true).length, 4);
        assert.strictEqual(inputsOf(ofType(run, T.lifecycle)[0]).rules[0].expiration.days, 90);
        const policy = JSON.parse(inputsOf(ofType(run, T.bucketPolicy)[0]).policy);
        assert.strictEqual(policy.Statement[0].Principal.AWS, "arn:aws:iam::156460612806:root");
    });

    it("lets both the region's ELB account and the ELB log-delivery service write access logs, under this account's prefix", async () => {
        const bucketArn = shared.run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!.outputs.arn;
        const logs = `${bucketArn}/*/AWSLogs/123456789012/*`;
        const policy = JSON.parse(inputsOf(ofType(shared.run, T.bucketPolicy)[0]).policy);
        assert.deepStrictEqual(policy.Statement.slice(0, 2), [
            {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::156460612806:root" },
                Action: "s3:PutObject",
                Resource: logs,
            },
            {
                Sid: "ElbLogDeliveryService",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: logs,
            },
        ]);
        assert.strictEqual(policy.Statement[2].Sid, "TlsOnly");
    });

    it("in a region opened after August 2022 (no ELB account) asks no service account and admits the service only", async () => {
        const run = await runProgram(() => new PairedLoadBalancers("lb", base()), {
            config: { "aws:region": "eu-central-2" },
        });
        const policy = JSON.parse(inputsOf(ofType(run, T.bucketPolicy)[0]).policy);
        assert.deepStrictEqual(
            policy.Statement.map((s: { Sid: string }) => s.Sid),
            ["ElbLogDeliveryService", "TlsOnly"],
        );
        assert.deepStrictEqual(policy.Statement[0].Principal, {
            Service: "logdelivery.elasticloadbalancing.amazonaws.com",
        });
    });

    it("serves HTTPS with the modern TLS policy and only redirects plain HTTP", async () => {
        const { run, lb } = shared;
        const listeners = ofType(run, T.listener).map((r) => inputsOf(r));
        const httpsL = listeners.filter((l) => l.protocol === "HTTPS");
        const httpL = listeners.filter((l) => l.protocol === "HTTP");
        assert.strictEqual(httpsL.length, 2);
        assert.strictEqual(httpL.length, 2);
        for (const l of httpsL) {
            assert.strictEqual(l.sslPolicy, TLS_POLICY);
            assert.match(l.certificateArn, /^arn:aws:acm:eu-west-1:\d{12}:certificate\//);
            assert.strictEqual(l.defaultActions[0].type, "forward");
        }
        for (const l of httpL)
            assert.deepStrictEqual(l.defaultActions, [
                { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ]);
        assert.strictEqual(lb.listeners.length, 4);
        assert.strictEqual(lb.https, true);
        assert.strictEqual(await promiseOf(lb.publicUrl), "https://tickets.example.com");
        assert.strictEqual(ofType(run, T.cert).length, 1);
        assert.strictEqual(inputsOf(ofType(run, T.cert)[0]).validationMethod, "DNS");
    });

    it("uses a given certificate instead of issuing one", async () => {
        const arn = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";
        const { run } = await build({ ...base(), certificateArn: arn });
        assert.strictEqual(ofType(run, T.cert).length, 0);
        for (const l of ofType(run, T.listener)
            .map((r) => inputsOf(r))
            .filter((l) => l.protocol === "HTTPS"))
            assert.strictEqual(l.certificateArn, arn);
    });

    it("gives each ALB a target group for Fargate tasks, checked on /healthz (never a dependency check), with a 20 s deregistration delay", async () => {
        const { run, lb } = shared;
        const tgs = ofType(run, T.tg).map((r) => inputsOf(r));
        assert.strictEqual(tgs.length, 2);
        for (const tg of tgs) {
            assert.strictEqual(tg.targetType, "ip");
            assert.strictEqual(tg.port, 8080);
            assert.strictEqual(tg.healthCheck.path, "/healthz");
            assert.strictEqual(tg.deregistrationDelay, 20);
        }
        const arns = await Promise.all(lb.targetGroupArns.map(promiseOf));
        const forwards = ["lb-https1", "lb-https2"].map(
            (n) => inputsOf(byName(run, T.listener, n)).defaultActions[0].targetGroupArn,
        );
        assert.deepStrictEqual(forwards, arns);
    });

    it("fails over in DNS: two health checks and PRIMARY/SECONDARY alias records", async () => {
        const { run, lb } = shared;
        const hcs = ofType(run, T.hc).map((r) => inputsOf(r));
        assert.strictEqual(hcs.length, 2);
        for (const hc of hcs) {
            assert.deepStrictEqual(
                [hc.type, hc.resourcePath, hc.requestInterval, hc.failureThreshold, hc.port],
                ["HTTPS", "/healthz", 10, 3, 443],
            );
        }
        const records = [byName(run, T.record, "lb-primary-record"), byName(run, T.record, "lb-secondary-record")].map(
            (r) => inputsOf(r),
        );
        assert.deepStrictEqual(
            records.map((r) => r.failoverRoutingPolicies[0].type),
            ["PRIMARY", "SECONDARY"],
        );
        assert.deepStrictEqual(
            records.map((r) => r.setIdentifier),
            ["primary", "secondary"],
        );
        const dnsNames = await Promise.all(lb.loadBalancerDnsNames.map(promiseOf));
        assert.deepStrictEqual(
            records.map((r) => r.aliases[0].name),
            dnsNames,
        );
        assert.ok(
            records.every(
                (r) =>
                    r.aliases[0].evaluateTargetHealth === true &&
                    r.name === "tickets.example.com" &&
                    r.zoneId === "Z0EXAMPLE",
            ),
        );
        assert.deepStrictEqual(
            records.map((r) => r.healthCheckId),
            await Promise.all(lb.healthCheckIds.map(promiseOf)),
        );
    });

    it("takes the health-check interval and threshold from its args", async () => {
        const { run } = await build({ ...base(), healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 5 });
        assert.ok(
            ofType(run, T.hc).every((r) => inputsOf(r).requestInterval === 30 && inputsOf(r).failureThreshold === 5),
        );
    });

    it("opens only 80 and 443 to the world", async () => {
        const { run } = shared;
        const rules = ofType(run, T.ingress).map((r) => inputsOf(r));
        assert.strictEqual(rules.length, 4);
        assert.deepStrictEqual([...new Set(rules.map((r) => r.fromPort))].sort(), [443, 80]);
        assert.ok(rules.every((r) => r.fromPort === r.toPort && (r.cidrIpv4 === "0.0.0.0/0" || r.cidrIpv6 === "::/0")));
    });

    it("staging opt-out: without a domain or certificate, HTTP forwards and there is no DNS failover", async () => {
        const { run, lb } = await build(
            { ...base(), domain: undefined, hostedZoneId: undefined, allowPlainHttp: true, deletionProtection: false },
            "stg",
        );
        const listeners = ofType(run, T.listener).map((r) => inputsOf(r));
        assert.deepStrictEqual(
            listeners.map((l) => [l.protocol, l.defaultActions[0].type]),
            [
                ["HTTP", "forward"],
                ["HTTP", "forward"],
            ],
        );
        assert.strictEqual(ofType(run, T.hc).length + ofType(run, T.record).length + ofType(run, T.cert).length, 0);
        assert.ok(ofType(run, T.alb).every((r) => inputsOf(r).enableDeletionProtection === false));
        assert.match(await promiseOf(lb.publicUrl), /^http:\/\/stg-alb1-/);
        assert.strictEqual(ofType(run, T.assoc).length, 2);
    });

    it("refuses bad arguments with one error naming the argument", async () => {
        const cases: [Partial<PairedLoadBalancersArgs>, string, string?][] = [
            [
                { domain: undefined, hostedZoneId: undefined },
                'PairedLoadBalancers "lb": certificateArn = null: is required (or domain + hostedZoneId) unless allowPlainHttp is true; plain HTTP is a staging-only opt-out',
            ],
            [
                { publicSubnetIds: [pulumi.output("subnet-a")] },
                'PairedLoadBalancers "lb": publicSubnetIds = 1: must list at least 2 subnets (an ALB needs two AZs)',
            ],
            [
                { hostedZoneId: undefined },
                'PairedLoadBalancers "lb": domain = "tickets.example.com": needs hostedZoneId (to validate a certificate) or certificateArn',
            ],
            [{ domain: undefined }, 'PairedLoadBalancers "lb": hostedZoneId = "Z0EXAMPLE": needs domain as well'],
            [
                { healthCheckFailureThreshold: 11 },
                'PairedLoadBalancers "lb": healthCheckFailureThreshold = 11: must be 1..10 (Route 53 health-check failure threshold)',
            ],
            [
                { healthCheckIntervalSeconds: 20 as 10 },
                'PairedLoadBalancers "lb": healthCheckIntervalSeconds = 20: must be 10 or 30 (Route 53 health-check intervals)',
            ],
            [
                {},
                'PairedLoadBalancers "boxoffice-staging-x1": name = "boxoffice-staging-x1": must be at most 19 characters (ALB and target group names are limited to 32 with the suffix Pulumi adds)',
                "boxoffice-staging-x1",
            ],
            [
                { privatePaths: ["/admin/*"] },
                'PairedLoadBalancers "lb": privatePaths.0 = "/admin/*": must be a path prefix like /admin: a slash, then letters, digits, . _ ~ - and inner slashes, no trailing slash or wildcard',
            ],
            [
                { privatePaths: ["/health"] },
                'PairedLoadBalancers "lb": privatePaths = "/health": must not cover healthPath /healthz: the Route 53 checks come from the internet',
            ],
            [
                { privatePaths: Array.from({ length: 11 }, (_v, i) => `/p${i}`) },
                'PairedLoadBalancers "lb": privatePaths = ["/p0","/p1","/p2","/p3","/p4","/p5","/p6","/p7","/p8","/p9","/p10"]: must list at most 10 prefixes (one listener rule each)',
            ],
            [
                { deregistrationDelaySeconds: 4000 },
                'PairedLoadBalancers "lb": deregistrationDelaySeconds = 4000: must be 0..3600 (ELB target group deregistration delay)',
            ],
            [
                { network: { vpcId: "vpc-1", availabilityZones: [] } },
                'PairedLoadBalancers "lb": network = "set": give either network or vpcId + vpcCidr + publicSubnetIds, not both',
            ],
            [
                { orderRateLimitPer5Min: 5000, browseRateLimitPer5Min: 1000 },
                'PairedLoadBalancers "lb": orderRateLimitPer5Min = 5000: must not exceed browseRateLimitPer5Min (1000): the order path is the stricter one',
            ],
            [
                { queueJoinRateLimitPer5Min: 2000, browseRateLimitPer5Min: 1000 },
                'PairedLoadBalancers "lb": queueJoinRateLimitPer5Min = 2000: must not exceed browseRateLimitPer5Min (1000): the queue join is the stricter one',
            ],
            [
                { queueJoinRateLimitPer5Min: 0 },
                'PairedLoadBalancers "lb": queueJoinRateLimitPer5Min = 0: must be 10..2000000000 (WAF rate-based rule limit per 5-minute window)',
            ],
        ];
        for (const [over, message, name] of cases) {
            await assert.rejects(build({ ...base(), ...over }, name), (e: Error) => {
                assert.strictEqual(e.message, message);
                return true;
            });
        }
    });
});
