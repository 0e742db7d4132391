/**
 * Escape hatches shared by every component: a `transform` per child resource adjusts any AWS argument of that
 * child without the component mirroring every field, and without forking it.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Adjusts the arguments (and options) of one child resource just before it is created.
 *
 * - An object: its fields replace the component's fields of the same name. The merge is shallow: `{ tags }`
 *   replaces all the child's tags, `{ parameters }` the whole list.
 * - A function: receives copies of the arguments and options and the child's logical name; change them in
 *   place, or return new `[args, opts]`.
 *
 * Keep `opts.parent`: a child moved out of its component gets a new URN, which Pulumi treats as a new resource.
 * A transform runs after the component's own checks, so it can also undo a safe default: what it sets is the
 * caller's decision, visible in review and in the plan.
 *
 * @example { writer: { storageThroughput: 500 } }
 * @example { writer: (args) => { args.tags = { ...args.tags, team: "payments" }; } }
 */
export type Transform<T, O = pulumi.CustomResourceOptions> =
    Partial<T> | ((args: T, opts: O, name: string) => void | [T, O]);

/** Applies a transform to a child's arguments and options; an absent transform returns them unchanged. */
export function applyTransform<T extends object, O extends object>(
    transform: Transform<T, O> | undefined,
    name: string,
    args: T,
    opts: O,
): [T, O] {
    if (transform === undefined) return [args, opts];
    if (typeof transform === "function") {
        // Copies, so a transform that edits in place never reaches objects the component shares between children.
        const a = { ...args };
        const o = { ...opts };
        return transform(a, o, name) ?? [a, o];
    }
    return [{ ...args, ...transform }, opts];
}

/** Creates a child resource through its transform: `child(aws.kms.Key, "db-key", args, opts, transform?.key)`. */
export function child<T extends object, R>(
    ctor: new (name: string, args: T, opts?: pulumi.CustomResourceOptions) => R,
    name: string,
    args: T,
    opts: pulumi.CustomResourceOptions,
    transform?: Transform<T>,
): R {
    const [a, o] = applyTransform(transform, name, args, opts);
    return new ctor(name, a, o);
}
