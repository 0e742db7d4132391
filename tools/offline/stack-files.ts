/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: every
 * value as a string (objects and lists as JSON), secure values marked secret. Offline nobody can decrypt a
 * `secure:` value, so it becomes a placeholder that is still a Pulumi secret, and so never printed.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** What a `secure:` config value turns into offline; it only ever travels as a secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-for-a-secure-value";

export interface StackFiles {
    project: string;
    config: Record<string, string>;
    secretKeys: string[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function readYaml(file: string): Record<string, any> {
    if (!fs.existsSync(file)) throw new Error(`${path.basename(file)} not found in ${path.dirname(file)}`);
    const doc = yaml.load(fs.readFileSync(file, "utf8"));
    return doc && typeof doc === "object" ? (doc as Record<string, any>) : {};
}

/** Replaces `{secure: ...}` anywhere in a value; reports whether it found one. */
function stripSecure(value: Json): { value: Json; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(stripSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value && typeof value === "object") {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure") return { value: OFFLINE_SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: { [key: string]: Json } = {};
        for (const key of keys) {
            const inner = stripSecure(value[key]);
            out[key] = inner.value;
            secret = secret || inner.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge for config overrides: objects merge, anything else replaces, `null` removes the key. */
export function mergeConfig(base: unknown, override: unknown): unknown {
    if (!isPlainObject(base) || !isPlainObject(override)) return override;
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        if (value === null) delete out[key];
        else out[key] = mergeConfig(base[key], value);
    }
    return out;
}

/** Pulumi's config namespace rule: a bare key in a stack file belongs to the project. */
function qualify(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

export function loadStackFiles(stack: string, projectDir = REPO_ROOT, overrides: Record<string, unknown> = {}): StackFiles {
    const projectDoc = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const project = String(projectDoc.name ?? "");
    if (!project) throw new Error(`Pulumi.yaml in ${projectDir} has no name`);
    const raw: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries<any>(projectDoc.config ?? {})) {
        const value = isPlainObject(spec) ? (spec.value ?? spec.default) : spec;
        if (value !== undefined) raw[qualify(key, project)] = value;
    }
    const stackDoc = readYaml(path.join(projectDir, `Pulumi.${stack}.yaml`));
    for (const [key, value] of Object.entries(stackDoc.config ?? {})) raw[qualify(key, project)] = value;
    for (const [key, value] of Object.entries(overrides)) {
        const full = qualify(key, project);
        if (value === null) delete raw[full];
        else raw[full] = mergeConfig(raw[full], value);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
        const { value: plain, secret } = stripSecure(value as Json);
        config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (secret) secretKeys.push(key);
    }
    return { project, config, secretKeys };
}
