/**
 * Pure CIDR arithmetic for the network layout. The VPC is cut into eight equal blocks: six hold one large
 * private (application) subnet per AZ, so up to six AZs fit without renumbering when AZs are added later;
 * the seventh is cut into eight public subnets and the eighth into eight isolated (data) subnets. A /16 gives
 * /19 private, /22 public and /22 isolated subnets; a /22 still gives /28s, the smallest subnet AWS allows.
 */
export const MAX_AZS = 6;

export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    // EC2 rejects a CIDR with host bits set, so we do too rather than silently rounding it.
    if ((base & ~mask) >>> 0 !== 0) return undefined;
    return { base, prefix };
}

/** The private IPv4 ranges of RFC 1918 (https://www.rfc-editor.org/rfc/rfc1918#section-3). */
export const RFC1918_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * Whether a CIDR lies wholly inside one RFC 1918 range. AWS accepts publicly routable VPC ranges too, but a VPC
 * on someone else's addresses cannot reach them (its routes win) and clashes with peering and VPNs.
 */
export function isPrivateCidr(cidr: string): boolean {
    const c = parseCidr(cidr);
    if (!c) return false;
    return RFC1918_RANGES.some((range) => {
        const r = parseCidr(range)!;
        const mask = (0xffffffff << (32 - r.prefix)) >>> 0;
        return c.prefix >= r.prefix && (c.base & mask) >>> 0 === r.base;
    });
}

/** The VPC prefixes this layout plans: a /16 is the largest VPC; below /22 a tier's subnets would be smaller than /28. */
export const VPC_PREFIXES = { min: 16, max: 22 } as const;

/** Why `cidr` cannot be a VPC of this layout, or undefined when it can. */
export function vpcCidrProblem(cidr: string): string | undefined {
    const c = parseCidr(cidr);
    if (!c) return "must be IPv4 CIDR notation with no host bits set, e.g. 10.40.0.0/16";
    if (c.prefix < VPC_PREFIXES.min || c.prefix > VPC_PREFIXES.max)
        return "prefix must be /16../22 (VPC limit /16; every tier's subnets stay ≥ /28)";
    return isPrivateCidr(cidr)
        ? undefined
        : `must lie inside an RFC 1918 private range (${RFC1918_RANGES.join(", ")}): a VPC on public addresses cannot reach their owners and clashes with peering and VPNs`;
}

export function formatCidr(base: number, prefix: number): string {
    return `${[24, 16, 8, 0].map((shift) => (base >>> shift) & 255).join(".")}/${prefix}`;
}

export interface SubnetPlan {
    public: string[];
    private: string[];
    isolated: string[];
}

/** The subnets for `azCount` AZs in `vpcCidr` (prefix /16../22). Throws on anything else. */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const vpc = parseCidr(vpcCidr);
    if (!vpc || vpc.prefix < 16 || vpc.prefix > 22)
        throw new Error(`cannot plan subnets for ${vpcCidr}: need an IPv4 CIDR /16../22`);
    if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_AZS)
        throw new Error(`cannot plan subnets for ${azCount} AZs: need 1..${MAX_AZS}`);
    const block = 2 ** (32 - vpc.prefix - 3);
    const small = block / 8;
    const at = (offset: number, size: number) => formatCidr(vpc.base + offset, 32 - Math.log2(size));
    const azs = Array.from({ length: azCount }, (_v, i) => i);
    return {
        private: azs.map((i) => at(i * block, block)),
        public: azs.map((i) => at(6 * block + i * small, small)),
        isolated: azs.map((i) => at(7 * block + i * small, small)),
    };
}
