/**
 * ElastiCache node types a new cluster can be created with and that support both Multi-AZ automatic failover
 * and in-transit encryption: the current-generation general-purpose, burstable and memory-optimized families
 * listed in the ElastiCache API reference (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CacheNode.html).
 * Left out on purpose: previous generations (T1, M1, M2, M3, C1, R3: no new clusters; T1 cannot fail over, M1/M2
 * have no in-transit encryption, https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html),
 * and R6gd (data tiering needs a flag this platform does not set). A further family goes here with its documented
 * sizes. Regional availability still varies; `pulumi up` reports a type a region does not offer.
 */

const GRAVITON_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const BURSTABLE_SIZES = ["micro", "small", "medium"];

/** Family → sizes, as `cache.<family>.<size>`. */
export const CACHE_NODE_FAMILIES: Readonly<Record<string, readonly string[]>> = {
    m7g: GRAVITON_SIZES,
    m6g: GRAVITON_SIZES,
    m5: ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
    m4: ["large", "xlarge", "2xlarge", "4xlarge", "10xlarge"],
    r7g: GRAVITON_SIZES,
    r6g: GRAVITON_SIZES,
    r5: ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
    r4: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"],
    t4g: BURSTABLE_SIZES,
    t3: BURSTABLE_SIZES,
    t2: BURSTABLE_SIZES,
};

/** Every accepted node type, e.g. `cache.r7g.large`. */
export const CACHE_NODE_TYPES: readonly string[] = Object.entries(CACHE_NODE_FAMILIES).flatMap(([family, sizes]) =>
    sizes.map((size) => `cache.${family}.${size}`),
);

/** Why `nodeType` is refused, or undefined when it is one of `CACHE_NODE_TYPES`. */
export function cacheNodeTypeProblem(nodeType: string): string | undefined {
    if (CACHE_NODE_TYPES.includes(nodeType)) return undefined;
    const family = /^cache\.([a-z0-9]+)\./.exec(nodeType)?.[1];
    const sizes = family ? CACHE_NODE_FAMILIES[family] : undefined;
    if (sizes) return `must be one of the ${family} sizes ${sizes.join(", ")} (ElastiCache node types)`;
    return `must be a current ElastiCache node type with failover and in-transit encryption: cache.<family>.<size>, family one of ${Object.keys(CACHE_NODE_FAMILIES).join(", ")}, e.g. cache.r7g.large`;
}
