/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: every
 * value as a string (objects and lists as JSON), secure values marked secret. Offline nobody can decrypt a
 * `secure:` value, so it becomes a placeholder that is still a Pulumi secret, and so never printed. A file that
 * is not valid YAML, is empty or has no `config:` mapping is a config error naming the file (exit 2).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigError } from "../../stacks/config/load";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** What a `secure:` config value turns into offline; it only ever travels as a secret. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-for-a-secure-value";

export interface StackFiles {
    project: string;
    config: Record<string, string>;
    secretKeys: string[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Settings a stack file may hold at its top level (Pulumi stack settings file reference); config goes under `config:`. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];

/** One problem with a project or stack file, named the way a reader finds it: `<file>: <what is wrong>`. */
function fileProblem(file: string, problem: string): ConfigError {
    return new ConfigError([`${path.basename(file)}: ${problem}`]);
}

function readYaml(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) throw new Error(`${path.basename(file)} not found in ${path.dirname(file)}`);
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"), { filename: path.basename(file) });
    } catch (e) {
        const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
        const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : "";
        throw fileProblem(file, `is not valid YAML: ${err.reason ?? err.message}${where}`);
    }
    if (doc === undefined || doc === null) throw fileProblem(file, "is empty");
    if (typeof doc !== "object" || Array.isArray(doc))
        throw fileProblem(
            file,
            `must be a mapping of settings, not ${Array.isArray(doc) ? "a list" : `the ${typeof doc} ${JSON.stringify(doc)}`}`,
        );
    return doc as Record<string, unknown>;
}

/** The stack file's own shape: known top-level settings, and `config` a mapping with the AWS region in it. */
function checkStackFile(file: string, doc: Record<string, unknown>): void {
    const unknown = Object.keys(doc).filter((k) => !STACK_FILE_KEYS.includes(k));
    if (unknown.length > 0) {
        throw fileProblem(
            file,
            `unknown top-level key${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")}: a stack file holds ${STACK_FILE_KEYS.join(", ")}, and stack config goes under config:`,
        );
    }
    if (doc.config === undefined || doc.config === null)
        throw fileProblem(file, "has no config: section; it needs at least aws:region and boxoffice:environment");
    if (!isPlainObject(doc.config))
        throw fileProblem(
            file,
            `config: must be a mapping of keys to values, not ${Array.isArray(doc.config) ? "a list" : JSON.stringify(doc.config)}`,
        );
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

export function loadStackFiles(
    stack: string,
    projectDir = REPO_ROOT,
    overrides: Record<string, unknown> = {},
): StackFiles {
    const projectDoc = readYaml(path.join(projectDir, "Pulumi.yaml"));
    const project = String(projectDoc.name ?? "");
    if (!project) throw new Error(`Pulumi.yaml in ${projectDir} has no name`);
    const raw: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries((projectDoc.config ?? {}) as Record<string, unknown>)) {
        const value = isPlainObject(spec) ? (spec.value ?? spec.default) : spec;
        if (value !== undefined) raw[qualify(key, project)] = value;
    }
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const stackDoc = readYaml(stackFile);
    checkStackFile(stackFile, stackDoc);
    // checkStackFile proved `config` a mapping.
    for (const [key, value] of Object.entries(stackDoc.config as Record<string, unknown>))
        raw[qualify(key, project)] = value;
    for (const [key, value] of Object.entries(overrides)) {
        const full = qualify(key, project);
        if (value === null) delete raw[full];
        else raw[full] = mergeConfig(raw[full], value);
    }
    if (raw["aws:region"] === undefined || raw["aws:region"] === "") {
        throw fileProblem(
            stackFile,
            "config: aws:region is not set; the program deploys to the region of the default AWS provider, e.g. aws:region: eu-west-1",
        );
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
