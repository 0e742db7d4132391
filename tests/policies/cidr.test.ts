/** The CIDR arithmetic behind no-public-ingress (policies/rules/cidr.ts), as pure functions. */
import * as assert from "assert";
import { cidrWithin, parseCidr, worldOpen } from "../../policies/rules/cidr";

describe("policy CIDR helpers", () => {
    it("parses IPv4 and IPv6 CIDRs, clearing host bits", () => {
        assert.deepStrictEqual(parseCidr("10.1.2.3/8"), { family: 4, base: 10n << 24n, prefix: 8 });
        assert.deepStrictEqual(parseCidr("::/0"), { family: 6, base: 0n, prefix: 0 });
        assert.deepStrictEqual(parseCidr("FD12:3456::1/16"), { family: 6, base: 0xfd12n << 112n, prefix: 16 });
        assert.deepStrictEqual(parseCidr("::ffff:10.0.0.1/128"), {
            family: 6,
            base: (0xffffn << 32n) | (10n << 24n) | 1n,
            prefix: 128,
        });
        for (const bad of [
            "0.0.0.0",
            "256.0.0.0/8",
            "10.0.0.0/33",
            "1::2::3/64",
            "::/129",
            "1:2:3:4:5:6:7:8:9/64",
            "pl-123",
        ]) {
            assert.strictEqual(parseCidr(bad), undefined, bad);
        }
    });

    it("tells whether one range lies inside another", () => {
        const within = (a: string, b: string) => cidrWithin(parseCidr(a)!, parseCidr(b)!);
        assert.ok(within("10.40.0.0/16", "10.0.0.0/8"));
        assert.ok(!within("10.0.0.0/7", "10.0.0.0/8"));
        assert.ok(!within("11.0.0.0/16", "10.0.0.0/8"));
        assert.ok(within("fd00::/8", "fc00::/7"));
        assert.ok(!within("::/1", "fc00::/7"));
    });

    it("treats /8-or-wider IPv4 and /16-or-wider IPv6 outside private space as the internet", () => {
        for (const open of [
            "0.0.0.0/0",
            "0.0.0.0/1",
            "128.0.0.0/1",
            "8.0.0.0/8",
            "10.0.0.0/7",
            "::/0",
            "::/1",
            "2000::/3",
            "2a00::/16",
        ]) {
            assert.strictEqual(worldOpen(open), open, open);
        }
        for (const closed of [
            "10.0.0.0/8",
            "10.40.0.0/16",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "203.0.113.0/24",
            "8.0.0.0/9",
            "fc00::/7",
            "fd00::/8",
            "2a00::/17",
        ]) {
            assert.strictEqual(worldOpen(closed), undefined, closed);
        }
        assert.match(worldOpen("0.0.0.0")!, /not a CIDR; treated as open/);
    });
});
