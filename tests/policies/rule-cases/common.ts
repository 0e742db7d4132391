/** What every case module shares: the case shape and the baseline-with-one-more-ingress helper. */
import { Fixture, TYPES, baseline } from "../fixture";

/** A rule, what the mutation does, the mutated fixture, and a pattern one of the rule's messages must match. */
export type Case = [policy: string, what: string, fixture: () => Fixture, expect?: RegExp];

/** The baseline plus one ingress rule named "extra" on a security group of it. */
export const withIngress = (group: string, rule: Record<string, unknown>): Fixture => {
    const f = baseline();
    f.push({
        type: TYPES.ingress,
        name: "extra",
        props: { securityGroupId: group, ...rule },
        deps: { securityGroupId: [group] },
    });
    return f;
};
