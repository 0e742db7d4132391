import * as assert from "assert";
import { PairedLoadBalancers, PairedLoadBalancersArgs } from "../../../components/edge/paired-load-balancers";
import { ServiceSecurityGroups } from "../../../components/edge/service-security-groups";
import { WebFirewall } from "../../../components/edge/web-firewall";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, promiseOf } from "../../../tools/offline/values";

type Run = Awaited<ReturnType<typeof runProgram>>;
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const ACL = "aws:wafv2/webAcl:WebAcl";
const SUBNETS = ["subnet-a", "subnet-b"];
const raw: PairedLoadBalancersArgs = {
    vpcId: "vpc-1",
    vpcCidr: "10.40.0.0/16",
    publicSubnetIds: SUBNETS,
    allowPlainHttp: true,
};
const shape = (run: Run) => run.resources.map((r) => [r.type, r.name, JSON.stringify(inputsOf(r))]);
const orderRule = (run: Run) =>
    inputsOf(ofType(run, ACL)[0]).rules.find((r: { name: string }) => r.name === "order-rate");

describe("edge escape hatches", () => {
    it("PairedLoadBalancers: a network (ours or ids) places the ALBs as the raw ids do", async () => {
        const viaIds = await runProgram(() => {
            new PairedLoadBalancers("lb", raw);
        });
        const viaNetwork = await runProgram(() => {
            new PairedLoadBalancers("lb", {
                network: {
                    vpcId: "vpc-1",
                    vpcCidr: "10.40.0.0/16",
                    availabilityZones: ["a", "b"],
                    publicSubnetIds: SUBNETS,
                },
                allowPlainHttp: true,
            });
        });
        assert.deepStrictEqual(shape(viaNetwork), shape(viaIds));
        await assert.rejects(
            runProgram(() => {
                new PairedLoadBalancers("lb", {
                    network: { vpcId: "vpc-1", availabilityZones: [], publicSubnetIds: SUBNETS },
                    allowPlainHttp: true,
                });
            }),
            {
                message:
                    'PairedLoadBalancers "lb": network.vpcCidr = undefined: is required: the ALBs send traffic only into the VPC',
            },
        );
    });

    it("PairedLoadBalancers: transforms of both ALBs, every listener and the WAF it builds", async () => {
        const listeners: string[] = [];
        let lb!: PairedLoadBalancers;
        const run = await runProgram(() => {
            lb = new PairedLoadBalancers("lb", {
                ...raw,
                transform: {
                    loadBalancer: { idleTimeout: 120 },
                    listener: (args, _opts, name) => {
                        listeners.push(name);
                        args.tags = { ...(args.tags as object), reviewed: "yes" };
                    },
                    webFirewall: { webAcl: { description: "edge ACL" } },
                },
            });
        });
        assert.deepStrictEqual(
            ofType(run, ALB).map((r) => inputsOf(r).idleTimeout),
            [120, 120],
        );
        assert.deepStrictEqual(listeners, ["lb-http1", "lb-http2"]);
        assert.ok(ofType(run, "aws:lb/listener:Listener").every((r) => inputsOf(r).tags.reviewed === "yes"));
        assert.strictEqual(inputsOf(ofType(run, ACL)[0]).description, "edge ACL");
        assert.deepStrictEqual(
            await Promise.all(lb.resources.loadBalancers.map((a) => promiseOf(a.urn))),
            ofType(run, ALB).map((r) => r.urn),
        );
    });

    it("WebFirewall: the strictly limited path is an argument (the ticket service's order path by default)", async () => {
        const ours = await runProgram(() => {
            new WebFirewall("waf", { loadBalancerArns: ["arn:alb"] });
        });
        const statements = (run: Run) =>
            orderRule(run).statement.rateBasedStatement.scopeDownStatement.andStatement.statements;
        assert.deepStrictEqual(
            [statements(ours)[0].byteMatchStatement.searchString, statements(ours)[1].regexMatchStatement.regexString],
            ["POST", "^/events/[^/]+/orders/?$"],
        );
        const theirs = await runProgram(() => {
            new WebFirewall("waf", {
                loadBalancerArns: ["arn:alb"],
                orderMethod: "PUT",
                orderPathRegex: "^/checkout$",
            });
        });
        assert.deepStrictEqual(
            [
                statements(theirs)[0].byteMatchStatement.searchString,
                statements(theirs)[1].regexMatchStatement.regexString,
            ],
            ["PUT", "^/checkout$"],
        );
        assert.throws(() => new WebFirewall("waf", { loadBalancerArns: ["arn:alb"], orderPathRegex: "/checkout" }), {
            message:
                'WebFirewall "waf": orderPathRegex = "/checkout": must be anchored with ^ (WAF matches anywhere in the path otherwise)',
        });
        const assoc = await runProgram(() => {
            new WebFirewall("waf", {
                loadBalancerArns: ["arn:alb"],
                transform: { association: (a) => [{ ...a, resourceArn: "arn:other" }, {}] },
            });
        });
        assert.strictEqual(
            inputsOf(byName(assoc, "aws:wafv2/webAclAssociation:WebAclAssociation", "waf-assoc-1")).resourceArn,
            "arn:other",
        );
    });

    it("ServiceSecurityGroups: a network as vpcId + vpcCidr do, and a transform of every egress rule", async () => {
        const args = { loadBalancerSecurityGroupId: "sg-alb" };
        const viaIds = await runProgram(() => {
            new ServiceSecurityGroups("svc", { ...args, vpcId: "vpc-1", vpcCidr: "10.40.0.0/16" });
        });
        const viaNetwork = await runProgram(() => {
            new ServiceSecurityGroups("svc", {
                ...args,
                network: { vpcId: "vpc-1", vpcCidr: "10.40.0.0/16", availabilityZones: [] },
            });
        });
        assert.deepStrictEqual(shape(viaNetwork), shape(viaIds));
        const narrowed = await runProgram(() => {
            new ServiceSecurityGroups("svc", {
                ...args,
                vpcId: "vpc-1",
                vpcCidr: "10.40.0.0/16",
                transform: {
                    egressRule: (a) => {
                        a.description = `${a.description} (reviewed)`;
                    },
                },
            });
        });
        const egress = ofType(narrowed, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map(
            (r) => inputsOf(r).description as string,
        );
        assert.strictEqual(egress.length, 8);
        assert.ok(
            egress.every((d) => d.endsWith(" (reviewed)")),
            egress.join("; "),
        );
    });
});
