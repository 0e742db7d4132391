/**
 * The policy pack config file (`--policy-pack-config`), read, reconciled and validated the way the Pulumi CLI
 * does it before the analyzer sees it (pkg/resource/analyzer/config.go): a level string or an object with
 * `enforcementLevel` plus properties per policy, `all` for every policy, schema defaults filled in.
 */
import * as fs from "fs";
import type { EnforcementLevel, Policies, PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { PACK_NAME } from "../policies/rules/pack-name";

/** The environments our pack has config files for: policies/config/<environment>.json. */
export const ENVIRONMENTS = ["prod", "staging"] as const;

/** The policy pack config file format the Pulumi CLI accepts for `--policy-pack-config`. */
export type PackConfigFile = Record<
    string,
    EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface ResolvedPolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

// ------------------------------------------------------------------------------------------------------
// Policy config: parse, reconcile and validate as the CLI does (pkg/resource/analyzer/config.go).
// ------------------------------------------------------------------------------------------------------

export function readPackConfigFile(file: string): PackConfigFile {
    const text = fs.readFileSync(file, "utf8");
    if (text.trim() === "") return {};
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(`${file}: a policy pack config must be a JSON object`);
    }
    return parsed as PackConfigFile;
}

/** Splits each entry into level and properties, rejecting what the CLI rejects. */
function parsePackConfig(
    config: PackConfigFile,
): Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }> {
    const out = new Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const [key, value] of Object.entries(config)) {
        if (typeof value === "string") {
            if (!LEVELS.includes(value))
                throw new Error(`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`);
            out.set(key, { level: value, properties: {} });
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value;
            if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel)) {
                throw new Error(
                    `parsing enforcement level for "${key}": "${String(enforcementLevel)}" is not a valid enforcement level`,
                );
            }
            out.set(key, { level: enforcementLevel, properties });
        } else {
            throw new Error(
                `parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
            );
        }
    }
    return out;
}

/**
 * The config each policy of a pack runs with, as the CLI computes it: the policy's own level (else the
 * pack's), schema defaults, then the pack's initial config (its constructor's third argument), then the
 * config file; in each of the two, `all` first and per-policy entries over it.
 */
export function reconcilePackConfig(
    policies: Policies,
    config: PackConfigFile,
    packLevel: EnforcementLevel = "advisory",
    pack: { name?: string; initialConfig?: PackConfigFile } = {},
): Record<string, ResolvedPolicyConfig> {
    const result: Record<string, ResolvedPolicyConfig> = {};
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[k] = schema.default;
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel ?? packLevel, properties };
    }
    const errors: string[] = [];
    for (const layer of [pack.initialConfig ?? {}, config]) {
        const given = parsePackConfig(layer);
        const all = given.get("all");
        if (all?.level) for (const r of Object.values(result)) r.enforcementLevel = all.level;
        for (const [name, entry] of given) {
            if (name === "all") continue;
            const target = result[name];
            if (!target) {
                errors.push(`${name}: no such policy in pack ${pack.name ?? PACK_NAME}`);
                continue;
            }
            if (entry.level) target.enforcementLevel = entry.level;
            Object.assign(target.properties, entry.properties);
        }
    }
    for (const p of policies) {
        if (!p.configSchema) continue;
        for (const e of validateAgainstSchema(p.configSchema, result[p.name].properties))
            errors.push(`${p.name}: ${e}`);
    }
    if (errors.length)
        throw new Error(`policy pack ${pack.name ?? PACK_NAME} configuration is invalid:\n  ${errors.join("\n  ")}`);
    return result;
}

/** The JSON-schema subset policy config schemas use here (the CLI validates with gojsonschema). */
export function validateAgainstSchema(schema: PolicyConfigSchema, value: Record<string, unknown>): string[] {
    return validateValue({ type: "object", properties: schema.properties, required: schema.required }, value, "");
}

function validateValue(schema: PolicyConfigJSONSchema | boolean, value: unknown, at: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${at || "(root)"}: no value is allowed here`];
    const where = at || "(root)";
    const errors: string[] = [];
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length && !types.some((t) => isOfType(t, value)))
        return [`${where}: Invalid type. Expected: ${types.join(" or ")}`];
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        errors.push(`${where}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum)
            errors.push(`${where}: Must be greater than or equal to ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum)
            errors.push(`${where}: Must be less than or equal to ${schema.maximum}`);
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
            errors.push(`${where}: Must be greater than ${schema.exclusiveMinimum}`);
        if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
            errors.push(`${where}: Must be less than ${schema.exclusiveMaximum}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength)
            errors.push(`${where}: String length must be greater than or equal to ${schema.minLength}`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
            errors.push(`${where}: Does not match pattern '${schema.pattern}'`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems)
            errors.push(`${where}: Array must have at least ${schema.minItems} items`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems)
            errors.push(`${where}: Array must have at most ${schema.maxItems} items`);
        if (schema.items !== undefined && !Array.isArray(schema.items)) {
            value.forEach((item, i) =>
                errors.push(...validateValue(schema.items as PolicyConfigJSONSchema, item, `${at}.${i}`)),
            );
        }
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const obj = value as Record<string, unknown>;
        for (const req of schema.required ?? []) if (!(req in obj)) errors.push(`${where}: ${req} is required`);
        for (const [k, v] of Object.entries(obj)) {
            const sub = schema.properties?.[k];
            if (sub !== undefined) errors.push(...validateValue(sub, v, at ? `${at}.${k}` : k));
            else if (schema.additionalProperties !== undefined)
                errors.push(...validateValue(schema.additionalProperties, v, at ? `${at}.${k}` : k));
        }
    }
    return errors;
}

function isOfType(type: string, value: unknown): boolean {
    switch (type) {
        case "integer":
            return typeof value === "number" && Number.isInteger(value);
        case "number":
            return typeof value === "number";
        case "array":
            return Array.isArray(value);
        case "object":
            return !!value && typeof value === "object" && !Array.isArray(value);
        case "null":
            return value === null;
        default:
            return typeof value === type;
    }
}

// ------------------------------------------------------------------------------------------------------
// The engine-facing handlers of @pulumi/policy.
// ------------------------------------------------------------------------------------------------------
