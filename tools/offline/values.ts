/**
 * Turns the SDK's wire values (secret wrappers, resource references, unknowns) into plain JSON for the plan
 * and for tests. Secrets become the string "[secret]" unless a test explicitly asks to see them.
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { ProgramRun, Registration } from "./engine";

export const SECRET_MARK = "[secret]";
export const UNKNOWN_MARK = "[unknown]";

export function plainValue(value: unknown, opts: { revealSecrets?: boolean } = {}): unknown {
    if (value === rpc.unknownValue) return UNKNOWN_MARK;
    if (Array.isArray(value)) return value.map((v) => plainValue(v, opts));
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const sig = obj[rpc.specialSigKey];
        if (sig === rpc.specialSecretSig) return opts.revealSecrets ? plainValue(obj.value, opts) : SECRET_MARK;
        if (sig === rpc.specialResourceSig)
            return obj.id !== undefined && obj.id !== "" ? plainValue(obj.id, opts) : obj.urn;
        if (sig !== undefined) return plainValue(obj.value, opts);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = plainValue(v, opts);
        return out;
    }
    return value;
}

/** Plain inputs of a registration (secrets hidden unless asked). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertion accessor over arbitrary provider schemas, read by ~340 test call sites as known shapes
export function inputsOf(r: Registration, opts: { revealSecrets?: boolean } = {}): Record<string, any> {
    return plainValue(r.inputs, opts) as ReturnType<typeof inputsOf>;
}

/** Plain outputs (state) of a registration. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertion accessor over arbitrary provider schemas, read by ~340 test call sites as known shapes
export function outputsOf(r: Registration, opts: { revealSecrets?: boolean } = {}): Record<string, any> {
    return plainValue(r.outputs, opts) as ReturnType<typeof inputsOf>;
}

/** Every registration of an exact type token, in registration order. */
export function ofType(run: ProgramRun, type: string): Registration[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one registration with this type and logical name; throws naming what exists when absent. */
export function byName(run: ProgramRun, type: string, name: string): Registration {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found)
        throw new Error(
            `no ${type} named ${name}; have: ${
                ofType(run, type)
                    .map((r) => r.name)
                    .join(", ") || "none"
            }`,
        );
    return found;
}

/** The registration whose physical id (as the mock assigned it) is `id`. */
export function byId(run: ProgramRun, id: string): Registration | undefined {
    return run.resources.find((r) => r.id === id);
}

/** Resolves an Output for a test or the plan; call after the run finished (all RPCs are done by then). */
export function promiseOf<T>(output: import("@pulumi/pulumi").Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}
