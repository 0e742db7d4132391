import * as assert from "assert";
import { Network } from "../../../components/network/network";
import { runProgram } from "../../../tools/offline/engine";
import { byName, inputsOf, ofType, promiseOf } from "../../../tools/offline/values";

const SUBNET = "aws:ec2/subnet:Subnet";
const NAT = "aws:ec2/natGateway:NatGateway";

describe("Network", () => {
    it("spans three AZs with public, private and isolated subnets and a NAT gateway per AZ by default", async () => {
        let net!: Network;
        const run = await runProgram(() => {
            net = new Network("edge", { cidr: "10.40.0.0/16" });
        });
        const subnets = ofType(run, SUBNET).map((r) => inputsOf(r));
        for (const tier of ["public", "private", "isolated"]) {
            const azs = subnets
                .filter((s) => s.tags["boxoffice:subnet-tier"] === tier)
                .map((s) => s.availabilityZone)
                .sort();
            assert.deepStrictEqual(azs, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], tier);
        }
        assert.ok(subnets.every((s) => s.mapPublicIpOnLaunch === false && s.tags["boxoffice:tier"] === "network"));
        const nats = ofType(run, NAT);
        assert.strictEqual(nats.length, 3);
        const publicIds = await Promise.all(net.publicSubnetIds.map(promiseOf));
        assert.deepStrictEqual(nats.map((n) => inputsOf(n).subnetId).sort(), [...publicIds].sort());
        // Each private route table sends its AZ's egress through that AZ's NAT gateway.
        const natIds = nats.map((n) => n.id);
        for (let i = 1; i <= 3; i++) {
            const rt = inputsOf(byName(run, "aws:ec2/routeTable:RouteTable", `edge-private-rt-${i}`));
            assert.strictEqual(rt.routes[0].natGatewayId, byName(run, NAT, `edge-nat-${i}`).id);
            assert.ok(natIds.includes(rt.routes[0].natGatewayId));
        }
        assert.deepStrictEqual(await Promise.all(net.availabilityZones.map(promiseOf)), [
            "eu-west-1a",
            "eu-west-1b",
            "eu-west-1c",
        ]);
    });

    it("keeps isolated subnets without any route to the internet", async () => {
        const run = await runProgram(() => new Network("edge", { cidr: "10.40.0.0/16", availabilityZones: 2 }));
        assert.deepStrictEqual(
            inputsOf(byName(run, "aws:ec2/routeTable:RouteTable", "edge-isolated-rt")).routes,
            undefined,
        );
        assert.strictEqual(ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").length, 6);
    });

    it("shares one NAT gateway when asked (staging)", async () => {
        const run = await runProgram(
            () => new Network("stg", { cidr: "10.50.0.0/16", availabilityZones: 2, natGateways: "single" }),
        );
        assert.strictEqual(ofType(run, NAT).length, 1);
        const natId = byName(run, NAT, "stg-nat-1").id;
        for (const i of [1, 2])
            assert.strictEqual(
                inputsOf(byName(run, "aws:ec2/routeTable:RouteTable", `stg-private-rt-${i}`)).routes[0].natGatewayId,
                natId,
            );
    });

    it("logs all traffic and empties the default security group", async () => {
        const run = await runProgram(() => new Network("edge", { cidr: "10.40.0.0/16", flowLogRetentionDays: 30 }));
        const flow = inputsOf(byName(run, "aws:ec2/flowLog:FlowLog", "edge-flow-log"));
        assert.strictEqual(flow.trafficType, "ALL");
        assert.strictEqual(
            inputsOf(byName(run, "aws:cloudwatch/logGroup:LogGroup", "edge-flow-logs")).retentionInDays,
            30,
        );
        const sg = inputsOf(byName(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "edge-default-sg"));
        assert.strictEqual(sg.ingress, undefined);
        assert.strictEqual(sg.egress, undefined);
    });

    it("derives every child name from the component name", async () => {
        const run = await runProgram(() => new Network("blue", { cidr: "10.40.0.0/16" }));
        const children = run.resources.filter((r) => r.parent?.endsWith("::blue"));
        assert.ok(children.length > 30);
        for (const r of children) assert.match(r.name, /^blue-/);
    });

    it("refuses bad arguments before creating anything, naming argument, value and rule", async () => {
        const cases: [object, string][] = [
            [
                { cidr: "10.40.0.0/16", availabilityZones: 1 },
                'Network "n": availabilityZones = 1: must be 2..6 (at least 2 for failover; 6 is the most subnets per tier this layout plans)',
            ],
            [
                { cidr: "10.40.0.0/16", availabilityZones: 2.5 },
                'Network "n": availabilityZones = 2.5: must be a whole number 2..6 (at least 2 for failover; 6 is the most subnets per tier this layout plans)',
            ],
            [
                { cidr: "10.40.0.0/26" },
                'Network "n": cidr = "10.40.0.0/26": prefix must be /16../22 (VPC limit /16; every tier\'s subnets stay ≥ /28)',
            ],
            [
                { cidr: "10.40.0.1/16" },
                'Network "n": cidr = "10.40.0.1/16": must be IPv4 CIDR notation with no host bits set, e.g. 10.40.0.0/16',
            ],
            [
                { cidr: "10.40.0.0/16", natGateways: "none" },
                'Network "n": natGateways = "none": must be one of one-per-az, single',
            ],
            [
                { cidr: "10.40.0.0/16", flowLogRetentionDays: 100 },
                'Network "n": flowLogRetentionDays = 100: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (CloudWatch Logs retention values)',
            ],
            [
                { cidr: "8.8.0.0/16" },
                'Network "n": cidr = "8.8.0.0/16": must lie inside an RFC 1918 private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): a VPC on public addresses cannot reach their owners and clashes with peering and VPNs',
            ],
        ];
        for (const [args, message] of cases) {
            const run = await runProgram(() => assert.throws(() => new Network("n", args as never), { message }));
            assert.deepStrictEqual(
                run.resources.map((r) => r.type),
                ["pulumi:pulumi:Stack"],
                "something was registered",
            );
        }
    });

    it("fails clearly when the region has fewer AZs than asked for", async () => {
        await assert.rejects(
            runProgram(() => new Network("n", { cidr: "10.40.0.0/16", availabilityZones: 4 })),
            /availabilityZones = 4: the region has only 3/,
        );
    });
});
