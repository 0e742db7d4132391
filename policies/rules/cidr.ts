/**
 * CIDR arithmetic for no-public-ingress. Comparing strings with "0.0.0.0/0" misses the same door written
 * differently ("0.0.0.0/1" + "128.0.0.0/1", "::/1"), so ranges are parsed into numbers and judged by size
 * and by whether they lie in private address space.
 */

export interface Cidr {
    family: 4 | 6;
    /** First address of the range (host bits cleared, as AWS stores it). */
    base: bigint;
    prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseV4(address: string): bigint | undefined {
    const parts = address.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(address: string): bigint | undefined {
    let text = address.toLowerCase();
    // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
    const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const tail = parseV4(v4[2]);
        if (tail === undefined) return undefined;
        text = `${v4[1]}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses an IPv4 or IPv6 CIDR ("10.0.0.0/8", "fd00::/8"); undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
    const m = /^\s*([^/\s]+)\/(\d{1,3})\s*$/.exec(text);
    if (!m) return undefined;
    const family: 4 | 6 = m[1].includes(":") ? 6 : 4;
    const address = family === 4 ? parseV4(m[1]) : parseV6(m[1]);
    const prefix = Number(m[2]);
    if (address === undefined || prefix > BITS[family]) return undefined;
    const hostBits = BigInt(BITS[family] - prefix);
    return { family, base: (address >> hostBits) << hostBits, prefix };
}

/** Whether `inner` lies entirely within `outer` (same family, no shorter prefix, same leading bits). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
    if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
    const hostBits = BigInt(BITS[outer.family] - outer.prefix);
    return inner.base >> hostBits === outer.base >> hostBits;
}

/** RFC 1918 (IPv4) and RFC 4193 unique local (IPv6) space: not routable from the internet. */
export const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"].map((c) =>
    parseCidr(c)!,
);

/**
 * The longest prefix still treated as "the internet": an IPv4 /8 is 16.7 M addresses, an IPv6 /16 a
 * sixteenth of all global unicast space. Nobody needs ranges that wide except to open a door to everyone.
 */
export const WORLD_PREFIX = { 4: 8, 6: 16 } as const;

/**
 * Why a source CIDR admits the internet, or undefined when it does not: a range at least as wide as
 * WORLD_PREFIX outside private space, or a string that is not a CIDR at all (AWS would reject it, so a
 * rule cannot vouch for it: it is treated as open rather than silently passed).
 */
export function worldOpen(text: string): string | undefined {
    const cidr = parseCidr(text);
    if (!cidr) return `${JSON.stringify(text)} (not a CIDR; treated as open)`;
    if (cidr.prefix > WORLD_PREFIX[cidr.family]) return undefined;
    if (PRIVATE_RANGES.some((p) => cidrWithin(cidr, p))) return undefined;
    return text.trim();
}
