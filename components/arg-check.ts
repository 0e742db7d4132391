/**
 * Argument checks shared by every component: plain arguments are validated before any child resource
 * exists, and one error names the component, the argument, the value and the rule.
 */
export class ComponentArgError extends Error {
    constructor(component: string, name: string, arg: string, value: unknown, rule: string) {
        super(`${component} "${name}": ${arg} = ${JSON.stringify(value)}: ${rule}`);
        this.name = "ComponentArgError";
    }
}

/** Returns a checker bound to one component instance. */
export function argChecker(component: string, name: string) {
    const fail = (arg: string, value: unknown, rule: string): never => {
        throw new ComponentArgError(component, name, arg, value, rule);
    };
    return {
        fail,
        intRange(arg: string, value: number, min: number, max: number, why: string): void {
            // The same words as the contracts' `field.int`: the kind of value first, then the range.
            if (!Number.isInteger(value)) fail(arg, value, `must be a whole number ${min}..${max} (${why})`);
            if (value < min || value > max) fail(arg, value, `must be ${min}..${max} (${why})`);
        },
        that(ok: boolean, arg: string, value: unknown, rule: string): void {
            if (!ok) fail(arg, value, rule);
        },
    };
}
