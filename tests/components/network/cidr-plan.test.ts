import * as assert from "assert";
import { parseCidr, planSubnets } from "../../../components/network/cidr-plan";

describe("CIDR plan", () => {
    it("cuts a /16 into /19 private and /22 public and isolated subnets per AZ, without overlap", () => {
        const plan = planSubnets("10.40.0.0/16", 3);
        assert.deepStrictEqual(plan, {
            private: ["10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"],
            public: ["10.40.192.0/22", "10.40.196.0/22", "10.40.200.0/22"],
            isolated: ["10.40.224.0/22", "10.40.228.0/22", "10.40.232.0/22"],
        });
        const six = planSubnets("10.0.0.0/16", 6);
        const ranges = [...six.private, ...six.public, ...six.isolated]
            .map((c) => {
                const p = parseCidr(c)!;
                return [p.base, p.base + 2 ** (32 - p.prefix)] as const;
            })
            .sort((a, b) => a[0] - b[0]);
        ranges.slice(1).forEach((r, i) => assert.ok(r[0] >= ranges[i][1], "subnets overlap"));
    });

    it("keeps the smallest VPC it allows at /28 subnets, AWS's minimum", () => {
        assert.deepStrictEqual(planSubnets("10.1.4.0/22", 2).public, ["10.1.7.0/28", "10.1.7.16/28"]);
    });

    it("refuses CIDRs with host bits, bad syntax or an unsupported prefix", () => {
        assert.strictEqual(parseCidr("10.40.0.1/16"), undefined);
        assert.strictEqual(parseCidr("10.400.0.0/16"), undefined);
        assert.throws(() => planSubnets("10.0.0.0/24", 2), /need an IPv4 CIDR \/16..\/22/);
        assert.throws(() => planSubnets("10.0.0.0/16", 7), /need 1..6/);
    });
});

describe("isPrivateCidr", () => {
    it("accepts only CIDRs wholly inside an RFC 1918 range", async () => {
        const { isPrivateCidr } = await import("../../../components/network/cidr-plan");
        for (const ok of [
            "10.0.0.0/8",
            "10.40.0.0/16",
            "172.16.0.0/12",
            "172.31.255.0/24",
            "192.168.0.0/16",
            "192.168.4.0/22",
        ])
            assert.ok(isPrivateCidr(ok), ok);
        for (const bad of [
            "8.8.0.0/16",
            "172.32.0.0/16",
            "172.0.0.0/8",
            "192.169.0.0/16",
            "100.64.0.0/16",
            "10.0.0.0/7",
            "not a cidr",
        ])
            assert.ok(!isPrivateCidr(bad), bad);
    });
});
