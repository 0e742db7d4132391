import * as assert from "assert";
import { runStack } from "../../../tools/offline/engine";
import { planDocument } from "../../../tools/plan";
import { rehearsalEnvironment } from "../../../tools/rehearse/env-map";
import {
    ALB_HEALTH_DEFAULTS,
    matcherCodes,
    pathPatternRegex,
    PlanLike,
    settingsFromPlan,
} from "../../../tools/rehearse/plan-settings";

function task(name: string, command: string[], env: Record<string, string>, secrets: string[] = []) {
    return {
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name,
        inputs: {
            family: name,
            containerDefinitions: JSON.stringify([
                {
                    name: "c",
                    command,
                    user: "1000:1000",
                    environment: Object.entries(env).map(([n, value]) => ({ name: n, value })),
                    secrets: secrets.map((n) => ({ name: n, valueFrom: `arn:${n}` })),
                },
            ]),
        },
    };
}

function plan(overrides: Partial<PlanLike> = {}): PlanLike {
    return {
        stack: "test",
        resources: [
            {
                type: "aws:lb/targetGroup:TargetGroup",
                name: "tg-b",
                inputs: { port: 8080, tags: { "boxoffice:role": "secondary" }, healthCheck: { path: "/b" } },
            },
            {
                type: "aws:lb/targetGroup:TargetGroup",
                name: "tg-a",
                inputs: {
                    port: 8080,
                    deregistrationDelay: 15,
                    tags: { "boxoffice:role": "primary" },
                    healthCheck: {
                        path: "/healthz",
                        interval: 7,
                        timeout: 3,
                        healthyThreshold: 4,
                        unhealthyThreshold: 5,
                        matcher: "200-204",
                    },
                },
            },
            {
                type: "aws:lb/listener:Listener",
                name: "https",
                inputs: { protocol: "HTTPS", defaultActions: [{ type: "forward" }] },
            },
            {
                type: "aws:lb/listener:Listener",
                name: "http",
                inputs: { protocol: "HTTP", defaultActions: [{ type: "redirect" }] },
            },
            {
                type: "aws:lb/listenerRule:ListenerRule",
                name: "r-http",
                inputs: {
                    listenerArn: "arn:listener/http-1",
                    priority: 1,
                    actions: [
                        {
                            type: "fixed-response",
                            fixedResponse: { statusCode: "403", contentType: "text/plain", messageBody: "no" },
                        },
                    ],
                    conditions: [{ pathPattern: { values: ["/x"] } }],
                },
            },
            {
                type: "aws:lb/listenerRule:ListenerRule",
                name: "r-admin",
                inputs: {
                    listenerArn: "arn:listener/https-1",
                    priority: 2,
                    actions: [
                        {
                            type: "fixed-response",
                            fixedResponse: { statusCode: "404", contentType: "application/json", messageBody: "{}" },
                        },
                    ],
                    conditions: [{ pathPattern: { values: ["/admin", "/admin/*"] } }],
                },
            },
            {
                type: "aws:route53/healthCheck:HealthCheck",
                name: "hc-2",
                inputs: { fqdn: "alb-2", resourcePath: "/two", requestInterval: 30, failureThreshold: 2 },
            },
            {
                type: "aws:route53/healthCheck:HealthCheck",
                name: "hc-1",
                inputs: {
                    fqdn: "alb-1",
                    resourcePath: "/one",
                    requestInterval: 10,
                    failureThreshold: 3,
                    type: "HTTPS",
                },
            },
            {
                type: "aws:route53/record:Record",
                name: "r1",
                inputs: {
                    name: "tickets.example.com.",
                    failoverRoutingPolicies: [{ type: "PRIMARY" }],
                    aliases: [{ name: "alb-1", evaluateTargetHealth: true }],
                },
            },
            {
                type: "aws:route53/record:Record",
                name: "r2",
                inputs: {
                    name: "tickets.example.com",
                    failoverRoutingPolicies: [{ type: "SECONDARY" }],
                    aliases: [{ name: "alb-2" }],
                },
            },
            task("x-worker", ["node", "dist/worker.js"], { NODE_ENV: "production" }),
            task("x-app", ["node", "dist/server.js"], { NODE_ENV: "production" }, ["ADMIN_TOKEN"]),
            {
                type: "aws:ecs/service:Service",
                name: "svc",
                inputs: { taskDefinition: "arn:aws:ecs:r:1:task-definition/x-app:3", desiredCount: 4 },
            },
        ],
        ...overrides,
    };
}

describe("rehearsal: settings read from a stack's plan", () => {
    it("takes each target group's health check, primary first by its role tag, AWS defaults where unset", () => {
        const s = settingsFromPlan(plan());
        assert.deepStrictEqual(
            s.loadBalancers.map((l) => l.health.targetGroup),
            ["tg-a", "tg-b"],
        );
        assert.deepStrictEqual(
            { ...s.loadBalancers[0].health },
            {
                targetGroup: "tg-a",
                path: "/healthz",
                intervalSeconds: 7,
                timeoutSeconds: 3,
                healthyThreshold: 4,
                unhealthyThreshold: 5,
                matcher: "200-204",
                deregistrationDelaySeconds: 15,
                port: 8080,
            },
        );
        const b = s.loadBalancers[1].health;
        assert.deepStrictEqual(
            [b.intervalSeconds, b.healthyThreshold, b.unhealthyThreshold, b.deregistrationDelaySeconds],
            [
                ALB_HEALTH_DEFAULTS.intervalSeconds,
                ALB_HEALTH_DEFAULTS.healthyThreshold,
                ALB_HEALTH_DEFAULTS.unhealthyThreshold,
                ALB_HEALTH_DEFAULTS.deregistrationDelaySeconds,
            ],
        );
        assert.strictEqual(s.loadBalancers[0].protocol, "HTTPS");
    });

    it("takes the fixed-response rules of the forwarding listener only", () => {
        assert.deepStrictEqual(settingsFromPlan(plan()).loadBalancers[1].fixedResponses, [
            { priority: 2, paths: ["/admin", "/admin/*"], status: 404, contentType: "application/json", body: "{}" },
        ]);
        assert.strictEqual(pathPatternRegex("/a.b/*?"), "^/a\\.b/.*.$");
    });

    it("joins each failover record to the health check of the load balancer it aliases", () => {
        const dns = settingsFromPlan(plan()).dnsFailover!;
        assert.strictEqual(dns.recordName, "tickets.example.com");
        assert.deepStrictEqual(dns.primary, {
            role: "PRIMARY",
            resourcePath: "/one",
            requestIntervalSeconds: 10,
            failureThreshold: 3,
            type: "HTTPS",
            evaluateTargetHealth: true,
        });
        assert.deepStrictEqual(
            [dns.secondary.resourcePath, dns.secondary.requestIntervalSeconds, dns.secondary.evaluateTargetHealth],
            ["/two", 30, false],
        );
    });

    it("has no DNS failover when the stack has no failover records", () => {
        const p = plan();
        p.resources = p.resources.filter((r) => !r.type.startsWith("aws:route53"));
        assert.strictEqual(settingsFromPlan(p).dnsFailover, undefined);
    });

    it("tells the API task from the worker by command and reads the service's desired count", () => {
        const s = settingsFromPlan(plan());
        assert.deepStrictEqual(
            [s.app.family, s.app.desiredCount, s.app.secretNames, s.app.user],
            ["x-app", 4, ["ADMIN_TOKEN"], "1000:1000"],
        );
        assert.deepStrictEqual([s.worker.family, s.worker.command], ["x-worker", ["node", "dist/worker.js"]]);
    });

    it("refuses a plan without the pair of target groups, or with a disabled health check", () => {
        const p = plan();
        p.resources = p.resources.filter((r) => r.name !== "tg-b");
        assert.throws(() => settingsFromPlan(p), /1 target group\(s\)/);
        const q = plan();
        (q.resources[1].inputs.healthCheck as Record<string, unknown>).enabled = false;
        assert.throws(() => settingsFromPlan(q), /tg-a has its health check disabled/);
    });

    it("reads ALB matchers as status codes", () => {
        assert.deepStrictEqual(matcherCodes("200"), [200]);
        assert.deepStrictEqual(matcherCodes("200,204"), [200, 204]);
        assert.strictEqual(matcherCodes("200-299").length, 100);
        assert.throws(() => matcherCodes("2xx"), /invalid health check matcher/);
        assert.throws(() => matcherCodes("299-200"), /invalid matcher range/);
    });
});

describe("rehearsal: the shipped prod plan", function () {
    this.timeout(120_000);

    it("checks /healthz (never a dependency) and every variable of both task definitions has a rehearsal value", async () => {
        const s = settingsFromPlan(planDocument(await runStack({ stack: "prod" })));
        for (const lb of s.loadBalancers) assert.strictEqual(lb.health.path, "/healthz");
        assert.strictEqual(s.dnsFailover?.primary.resourcePath, "/healthz");
        for (const c of [s.app, s.worker]) {
            const readers = (c.environment.DATABASE_READ_URLS ?? c.environment.DATABASE_READ_URL ?? "")
                .split(",")
                .filter(Boolean).length;
            const nodes = (c.environment.MEMCACHED_SERVERS ?? "").split(",").filter(Boolean).length;
            const env = rehearsalEnvironment(c, {
                writerHost: "db-writer.rehearsal.test",
                readerHosts: Array.from({ length: readers }, (_, i) => `r${i}.rehearsal.test`),
                redisHost: "redis.rehearsal.test",
                memcachedServers: Array.from({ length: nodes }, (_, i) => `mc${i}.rehearsal.test:11211`),
                sesEndpoint: "http://e",
                cloudWatchEndpoint: "http://e",
                caFile: "/ca",
                dataDir: "/d",
                secrets: { DATABASE_PASSWORD: "p", REDIS_AUTH_TOKEN: "r", ADMIN_TOKEN: "a", TICKET_SIGNING_KEY: "k" },
            });
            assert.ok(new URL(env.DATABASE_URL).hostname === "db-writer.rehearsal.test", env.DATABASE_URL);
            assert.ok(
                !JSON.stringify(env).includes("amazonaws.com"),
                "an AWS endpoint was left in the rehearsal's environment",
            );
        }
    });
});
