/**
 * One contract per component: the schema of its plain arguments (the rule of each, in the words the error will
 * use), their defaults and the rules between them, in one place next to the component. The component validates
 * its arguments with it before any child exists; a stack's typed config composes the same schemas and defaults
 * (`section`, `defaultsOf`) instead of restating limits, so the two can never disagree.
 */
import { z } from "zod";
import { ComponentArgError } from "./arg-check";

/** What a rule found: the argument it blames and why. */
export interface Problem {
    field: string;
    value: unknown;
    rule: string;
}

type Shape = Record<string, z.ZodType>;
/** The validated values of a contract's fields (defaults applied). */
export type ContractValues<S extends Shape> = { [K in keyof S]: z.output<S[K]> };
/** Reports a problem with `field`; the value shown is the field's unless another (one element, say) is given. */
export type Report<S extends Shape> = (field: keyof S & string, rule: string, ...value: [unknown?]) => void;

export interface ContractSpec<S extends Shape, D extends Partial<ContractValues<S>>> {
    /** The component's class name, which every error starts with. */
    component: string;
    /** A schema per plain argument (a value that decides what exists, never a `pulumi.Input`). */
    fields: S;
    /** The documented defaults; the Args JSDoc `@default` of each is checked against these. */
    defaults: D;
    /** Rules between fields, run only when every field is valid on its own. */
    rules?: (values: ContractValues<S>, report: Report<S>) => void;
}

export class Contract<S extends Shape, D extends Partial<ContractValues<S>>> {
    readonly component: string;
    readonly fields: S;
    readonly defaults: Readonly<D>;
    private readonly rules: ContractSpec<S, D>["rules"];

    constructor(spec: ContractSpec<S, D>) {
        this.component = spec.component;
        this.fields = spec.fields;
        this.defaults = Object.freeze({ ...spec.defaults });
        this.rules = spec.rules;
    }

    /** Every problem with `args` (defaults filled in for what is undefined), fields first, in field order. */
    problems(args: object): Problem[] {
        const raw = args as Record<string, unknown>;
        const values: Record<string, unknown> = {};
        for (const key of Object.keys(this.fields)) {
            values[key] = raw[key] === undefined ? (this.defaults as Record<string, unknown>)[key] : raw[key];
        }
        const parsed = z.object(this.fields).safeParse(values);
        if (!parsed.success) {
            return parsed.error.issues.map((issue) => {
                const field = issue.path.map(String).join(".");
                return { field, value: valueAt(values, issue.path), rule: issue.message };
            });
        }
        return this.ruleProblems(parsed.data as ContractValues<S>);
    }

    /**
     * The plain arguments with defaults applied, validated. Throws one `ComponentArgError` naming the component,
     * the instance, the first argument at fault, its value and the rule.
     */
    resolve(name: string, args: object): ContractValues<S> {
        const [first] = this.problems(args);
        if (first) throw new ComponentArgError(this.component, name, first.field, first.value, first.rule);
        const raw = args as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(this.fields)) {
            out[key] = raw[key] === undefined ? (this.defaults as Record<string, unknown>)[key] : raw[key];
        }
        return z.object(this.fields).parse(out) as ContractValues<S>;
    }

    /**
     * A strict schema over some of the fields, for a stack config section: unknown keys are errors, `extra` adds (or
     * replaces) fields of the stack's own, and the contract's rules run with the defaults standing in for the fields
     * left out, each naming the field it blames. `rules: false` leaves the rules to the stack (when its own are
     * stricter and would only repeat them in other words).
     */
    section<K extends keyof S & string, E extends Shape = Record<never, never>>(
        keys: readonly K[],
        options: { extra?: E; rules?: boolean } = {},
    ) {
        const picked = Object.fromEntries(keys.map((k) => [k, this.fields[k]])) as Pick<S, K>;
        const fieldsOnly = z.object(picked);
        return z.strictObject({ ...picked, ...(options.extra ?? ({} as E)) }).superRefine((value, ctx) => {
            // Zod runs an object's refinement after a field's own (non-fatal) refinement failed; the rules assume
            // valid fields, as `problems` does, so they wait until every field is valid.
            if (options.rules === false || !fieldsOnly.safeParse(value).success) return;
            const merged = { ...this.defaults, ...(value as object) } as ContractValues<S>;
            for (const p of this.ruleProblems(merged))
                ctx.addIssue({ code: "custom", path: [p.field], message: p.rule });
        });
    }

    /** The defaults of some fields, for a stack's per-environment defaults; asking for a field without one throws. */
    defaultsOf<K extends keyof S & string>(keys: readonly K[]): { [P in K]: ContractValues<S>[P] } {
        const defaults = this.defaults as Record<string, unknown>;
        for (const k of keys) if (!(k in defaults)) throw new Error(`${this.component}: ${k} has no default`);
        return Object.fromEntries(keys.map((k) => [k, defaults[k]])) as { [P in K]: ContractValues<S>[P] };
    }

    private ruleProblems(values: ContractValues<S>): Problem[] {
        const found: Problem[] = [];
        this.rules?.(values, (field, rule, ...value) =>
            found.push({ field, value: value.length > 0 ? value[0] : values[field], rule }),
        );
        return found;
    }
}

export function defineContract<S extends Shape, D extends Partial<ContractValues<S>>>(
    spec: ContractSpec<S, D>,
): Contract<S, D> {
    return new Contract(spec);
}

/** The first problem a single field schema finds with `value`, or undefined (for nested arguments a component checks itself). */
export function fieldProblem(schema: z.ZodType, value: unknown): string | undefined {
    const parsed = schema.safeParse(value);
    return parsed.success ? undefined : parsed.error.issues[0].message;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (v, p) => (v === null || v === undefined ? undefined : (v as Record<PropertyKey, unknown>)[p]),
        root,
    );
}

/**
 * Field builders: each message states the rule as the error will print it, after `<arg> = <value>: `.
 * Range errors read "must be 0..35 (RDS limit)"; a value of the wrong kind "must be a whole number 0..35 (…)".
 */
export const field = {
    int(min: number, max: number, why: string) {
        const kind = `must be a whole number ${min}..${max} (${why})`;
        const range = `must be ${min}..${max} (${why})`;
        return z.number({ error: kind }).int(kind).min(min, range).max(max, range);
    },
    bool() {
        return z.boolean({ error: "must be true or false" });
    },
    oneOf<const T extends string>(values: readonly [T, ...T[]]) {
        return z.enum(values, { error: `must be one of ${values.join(", ")}` });
    },
    /** One of a list of numbers, e.g. the retention values an API accepts. */
    numberIn(values: readonly number[], what: string) {
        return z
            .number({ error: `must be one of ${values.join(", ")} (${what})` })
            .refine((v) => values.includes(v), `must be one of ${values.join(", ")} (${what})`);
    },
    text(re: RegExp, rule: string) {
        return z.string({ error: `must be a string: ${rule}` }).regex(re, `must be ${rule}`);
    },
    /** A string checked by a function that returns the problem, or undefined when the value is fine. */
    checked(problem: (v: string) => string | undefined, what: string) {
        return z.string({ error: `must be a string: ${what}` }).superRefine((v, ctx) => {
            const p = problem(v);
            if (p) ctx.addIssue({ code: "custom", message: p });
        });
    },
    /** A number checked by a function that returns the problem, or undefined when the value is fine. */
    checkedNumber(problem: (v: number) => string | undefined, what: string) {
        return z.number({ error: `must be a number: ${what}` }).superRefine((v, ctx) => {
            const p = problem(v);
            if (p) ctx.addIssue({ code: "custom", message: p });
        });
    },
};
