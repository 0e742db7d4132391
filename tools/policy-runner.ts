/**
 * The offline policy runner: evaluates the boxoffice policy pack against a program run recorded by the
 * offline engine, the way `pulumi preview --policy-pack policies --policy-pack-config <file>` would.
 *
 * Faithfulness is the point. Rather than calling the rules' checks directly, the runner feeds analyzer
 * protobuf requests to `@pulumi/policy`'s own engine-facing handlers (`makeAnalyzeRpcFun`,
 * `makeAnalyzeStackRpcFun`, and the `configure` handler that receives the policy config), so type
 * filtering, `getConfig`, `notApplicable`, the unknown-value proxy, the "can't run during preview"
 * downgrade and enforcement levels all behave as in the engine. Constructing `PolicyPack` is not an
 * option: it starts a gRPC server, keeps the process alive, and a second one exits the process.
 *
 * What the CLI does before the handlers run is mirrored here: the policy config file is parsed the same
 * way (a level string or an object with `enforcementLevel` plus properties), schema defaults are filled
 * in, `all` applies to every policy, per-policy entries override it, and the result is validated against
 * each policy's `configSchema`. Differences from a real preview (documented in policies/README.md): no
 * provider Check step, so no provider defaults or autonames appear in the props.
 */
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");
import * as pulumi from "@pulumi/pulumi";
import type { EnforcementLevel, Policies, PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { ProgramRun, Registration } from "./offline/engine";
import { PACK_NAME, policies as allPolicies } from "../policies/rules";

// The generated protobuf modules have no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");

export const REPO_ROOT = path.resolve(__dirname, "..");
export const POLICY_CONFIG_DIR = path.join(REPO_ROOT, "policies", "config");

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    urn: string;
    message: string;
}

export interface PolicyReport {
    /** Every policy that ran (not disabled by the config). */
    policies: string[];
    violations: Violation[];
}

/** The policy pack config file format the Pulumi CLI accepts for `--policy-pack-config`. */
export type PackConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

interface ResolvedPolicyConfig {
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
function parsePackConfig(config: PackConfigFile): Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }> {
    const out = new Map<string, { level?: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const [key, value] of Object.entries(config)) {
        if (typeof value === "string") {
            if (!LEVELS.includes(value)) throw new Error(`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`);
            out.set(key, { level: value, properties: {} });
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value;
            if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel)) {
                throw new Error(`parsing enforcement level for "${key}": "${String(enforcementLevel)}" is not a valid enforcement level`);
            }
            out.set(key, { level: enforcementLevel, properties });
        } else {
            throw new Error(`parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    return out;
}

export function reconcilePackConfig(
    policies: Policies,
    config: PackConfigFile,
    packLevel: EnforcementLevel = "advisory",
): Record<string, ResolvedPolicyConfig> {
    const result: Record<string, ResolvedPolicyConfig> = {};
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [k, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[k] = schema.default;
        }
        result[p.name] = { enforcementLevel: p.enforcementLevel ?? packLevel, properties };
    }
    const given = parsePackConfig(config);
    const all = given.get("all");
    if (all?.level) for (const r of Object.values(result)) r.enforcementLevel = all.level;
    const errors: string[] = [];
    for (const [name, entry] of given) {
        if (name === "all") continue;
        const target = result[name];
        if (!target) {
            errors.push(`${name}: no such policy in pack ${PACK_NAME}`);
            continue;
        }
        if (entry.level) target.enforcementLevel = entry.level;
        Object.assign(target.properties, entry.properties);
    }
    for (const p of policies) {
        if (!p.configSchema) continue;
        for (const e of validateAgainstSchema(p.configSchema, result[p.name].properties)) errors.push(`${p.name}: ${e}`);
    }
    if (errors.length) throw new Error(`policy pack configuration is invalid:\n  ${errors.join("\n  ")}`);
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
    if (types.length && !types.some((t) => isOfType(t, value))) return [`${where}: Invalid type. Expected: ${types.join(" or ")}`];
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        errors.push(`${where}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    }
    if (typeof value === "number") {
        if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${where}: Must be greater than or equal to ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${where}: Must be less than or equal to ${schema.maximum}`);
        if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) errors.push(`${where}: Must be greater than ${schema.exclusiveMinimum}`);
        if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) errors.push(`${where}: Must be less than ${schema.exclusiveMaximum}`);
    }
    if (typeof value === "string") {
        if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${where}: String length must be greater than or equal to ${schema.minLength}`);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) errors.push(`${where}: Does not match pattern '${schema.pattern}'`);
    }
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${where}: Array must have at least ${schema.minItems} items`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${where}: Array must have at most ${schema.maxItems} items`);
        if (schema.items !== undefined && !Array.isArray(schema.items)) {
            value.forEach((item, i) => errors.push(...validateValue(schema.items as PolicyConfigJSONSchema, item, `${at}.${i}`)));
        }
    }
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const obj = value as Record<string, unknown>;
        for (const req of schema.required ?? []) if (!(req in obj)) errors.push(`${where}: ${req} is required`);
        for (const [k, v] of Object.entries(obj)) {
            const sub = schema.properties?.[k];
            if (sub !== undefined) errors.push(...validateValue(sub, v, at ? `${at}.${k}` : k));
            else if (schema.additionalProperties !== undefined) errors.push(...validateValue(schema.additionalProperties, v, at ? `${at}.${k}` : k));
        }
    }
    return errors;
}

function isOfType(type: string, value: unknown): boolean {
    switch (type) {
        case "integer": return typeof value === "number" && Number.isInteger(value);
        case "number": return typeof value === "number";
        case "array": return Array.isArray(value);
        case "object": return !!value && typeof value === "object" && !Array.isArray(value);
        case "null": return value === null;
        default: return typeof value === type;
    }
}

// ------------------------------------------------------------------------------------------------------
// The engine-facing handlers of @pulumi/policy.
// ------------------------------------------------------------------------------------------------------

interface AnalyzerHandlers {
    makeAnalyzeRpcFun: (name: string, version: string, level: EnforcementLevel, policies: Policies) => RpcFun;
    makeAnalyzeStackRpcFun: (name: string, version: string, level: EnforcementLevel, policies: Policies) => RpcFun;
    configure: RpcFun;
}
type RpcFun = (call: { request: unknown }, callback: (err: unknown, resp: any) => void) => unknown;

let handlers: AnalyzerHandlers | undefined;

/**
 * `@pulumi/policy/server.js` exports the analyze handlers but keeps the policy config in a module variable
 * that only its `configure` RPC handler (not exported) sets. We therefore load a private copy of that very
 * file with one extra line exporting `configure`: the code that runs is the package's own, unmodified, and
 * the package's shared modules (proxy, deserialize, policy) are the same instances the rules import, so
 * `UnknownValueError` and the type helpers match. The original module is untouched, and no server starts.
 */
function analyzerHandlers(): AnalyzerHandlers {
    if (handlers) return handlers;
    const filename = require.resolve("@pulumi/policy/server.js");
    const source = fs.readFileSync(filename, "utf8");
    const m = new Module(filename, module) as Module & { _compile(src: string, file: string): void };
    m.filename = filename;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(filename));
    m._compile(`${source}\nexports.__configure = configure;\n`, filename);
    const exp = m.exports as Record<string, any>;
    if (typeof exp.__configure !== "function" || typeof exp.makeAnalyzeRpcFun !== "function") {
        throw new Error(`@pulumi/policy ${filename} no longer has the configure/analyze handlers this runner relies on`);
    }
    handlers = { makeAnalyzeRpcFun: exp.makeAnalyzeRpcFun, makeAnalyzeStackRpcFun: exp.makeAnalyzeStackRpcFun, configure: exp.__configure };
    return handlers;
}

function callRpc(fn: RpcFun, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}

const LEVEL_TO_PROTO: Record<EnforcementLevel, number> = {
    advisory: analyzerproto.EnforcementLevel.ADVISORY,
    mandatory: analyzerproto.EnforcementLevel.MANDATORY,
    remediate: analyzerproto.EnforcementLevel.REMEDIATE,
    disabled: analyzerproto.EnforcementLevel.DISABLED,
};
const PROTO_TO_LEVEL = new Map<number, EnforcementLevel>(Object.entries(LEVEL_TO_PROTO).map(([k, v]) => [v, k as EnforcementLevel]));

async function configureAnalyzer(config: Record<string, ResolvedPolicyConfig>): Promise<void> {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
        const pc = new analyzerproto.PolicyConfig();
        pc.setEnforcementlevel(LEVEL_TO_PROTO[c.enforcementLevel]);
        pc.setProperties(structproto.Struct.fromJavaScript(c.properties));
        map.set(name, pc);
    }
    await callRpc(analyzerHandlers().configure, req);
}

// ------------------------------------------------------------------------------------------------------
// From recorded registrations to analyzer requests.
// ------------------------------------------------------------------------------------------------------

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Turns SDK values into what the engine hands analyzers: resource references become the id (custom
 * resources) or URN (components), output values their plain (or secret, or unknown) value; secrets,
 * unknowns, assets and archives keep their wire form for the policy deserializer; undefined disappears.
 */
async function toAnalyzerValue(value: unknown): Promise<unknown> {
    if (value === undefined || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map(toAnalyzerValue));
        return items.map((v) => (v === undefined ? null : v));
    }
    if (pulumi.Resource.isInstance(value)) {
        const res = value as pulumi.Resource & { id?: pulumi.Output<string> };
        if (pulumi.CustomResource.isInstance(value) && res.id) return (await outputValue(res.id)) ?? UNKNOWN;
        return (await outputValue(res.urn)) ?? UNKNOWN;
    }
    if (pulumi.Output.isInstance(value)) return toAnalyzerValue(await outputValue(value));
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
        case RESOURCE_SIG:
            return typeof obj.id === "string" ? (obj.id === "" ? UNKNOWN : obj.id) : obj.urn;
        case OUTPUT_SIG: {
            if (!("value" in obj)) return UNKNOWN;
            const inner = await toAnalyzerValue(obj.value);
            return obj.secret ? { [SIG]: SECRET_SIG, value: inner ?? null } : inner;
        }
        case SECRET_SIG:
            return { [SIG]: SECRET_SIG, value: (await toAnalyzerValue(obj.value)) ?? null };
        default: {
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(obj)) {
                const converted = await toAnalyzerValue(v);
                if (converted !== undefined) out[k] = converted;
            }
            return out;
        }
    }
}

/** Resolves an Output without registering anything; unknown (preview) values come back undefined. */
async function outputValue<X>(o: pulumi.Output<X>): Promise<X | undefined> {
    const internal = o as unknown as { promise(withUnknowns?: boolean): Promise<X>; isKnown: Promise<boolean> };
    return (await internal.isKnown) ? internal.promise() : undefined;
}

async function toStruct(props: Record<string, unknown>): Promise<any> {
    return structproto.Struct.fromJavaScript((await toAnalyzerValue(props)) as Record<string, unknown>);
}

function resourceOptions(r: Registration): any {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(r.options.protect);
    opts.setIgnorechangesList(r.options.ignoreChanges);
    opts.setDeletebeforereplace(r.options.deleteBeforeReplace);
    opts.setDeletebeforereplacedefined(r.options.deleteBeforeReplace);
    opts.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
    opts.setAliasesList([]);
    if (r.parent) opts.setParent(r.parent);
    return opts;
}

interface ProviderInfo { type: string; urn: string; name: string; props: Record<string, unknown> }

/**
 * The provider the engine would attach: the explicit one the resource names, else the default provider the
 * engine creates from the stack's `<package>:*` config (its URN name is `default_<version>`; the version
 * does not matter to any rule, so `default` stands in).
 */
function providerOf(r: Registration, byUrn: Map<string, Registration>, run: Pick<ProgramRun, "project" | "stack" | "config">): ProviderInfo | undefined {
    if (r.provider) {
        const urn = r.provider.split("::").slice(0, -1).join("::");
        const p = byUrn.get(urn);
        if (p) return { type: p.type, urn: p.urn, name: p.name, props: p.serializedInputs };
    }
    const pkg = r.type.split(":")[0];
    if (!r.custom || pkg === "pulumi") return undefined;
    const props: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(run.config)) {
        if (key.startsWith(`${pkg}:`)) props[key.slice(pkg.length + 1)] = value;
    }
    const type = `pulumi:providers:${pkg}`;
    return { type, name: "default", urn: `urn:pulumi:${run.stack}::${run.project}::${type}::default`, props };
}

async function providerProto(p: ProviderInfo): Promise<any> {
    const proto = new analyzerproto.AnalyzerProviderResource();
    proto.setType(p.type);
    proto.setUrn(p.urn);
    proto.setName(p.name);
    proto.setProperties(await toStruct(p.props));
    return proto;
}

function isProvider(r: Registration): boolean {
    return r.type.startsWith("pulumi:providers:");
}

// ------------------------------------------------------------------------------------------------------
// Evaluation.
// ------------------------------------------------------------------------------------------------------

export interface EvaluateOptions {
    /** Policy config: a parsed config file (the CLI format); default none (every policy at its own level). */
    config?: PackConfigFile;
    /** The policies to run; default the whole pack. */
    policies?: Policies;
}

const PACK_VERSION: string = (() => {
    try {
        return String(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policies", "package.json"), "utf8")).version ?? "0.0.0");
    } catch {
        return "0.0.0";
    }
})();

// The handlers read the policy config from module state, so evaluations must not interleave.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the policies against recorded registrations: one `Analyze` call per resource (its inputs), then
 * one `AnalyzeStack` call with every resource (its outputs, parent, dependencies), as the engine does at the
 * end of a preview.
 */
export function evaluateRegistrations(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">, opts: EvaluateOptions = {}): Promise<PolicyReport> {
    const next = queue.then(() => evaluateNow(run, opts));
    queue = next.catch(() => undefined);
    return next;
}

async function evaluateNow(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">, opts: EvaluateOptions): Promise<PolicyReport> {
    const policies = opts.policies ?? allPolicies;
    const resolved = reconcilePackConfig(policies, opts.config ?? {});
    const h = analyzerHandlers();
    await configureAnalyzer(resolved);
    const analyze = h.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, "advisory", policies);
    const analyzeStack = h.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, "advisory", policies);

    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const rootUrn = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const violations: Violation[] = [];
    const collect = (resp: any, fallbackUrn: string) => {
        for (const d of resp.getDiagnosticsList()) {
            violations.push({
                policy: d.getPolicyname(),
                level: PROTO_TO_LEVEL.get(d.getEnforcementlevel()) ?? "advisory",
                urn: d.getUrn() || fallbackUrn,
                message: d.getMessage(),
            });
        }
    };

    const stackResources: any[] = [];
    for (const r of run.resources) {
        const provider = providerOf(r, byUrn, run);
        if (r.type !== "pulumi:pulumi:Stack" && !isProvider(r)) {
            const req = new analyzerproto.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(await toStruct(r.serializedInputs));
            req.setOptions(resourceOptions(r));
            if (provider) req.setProvider(await providerProto(provider));
            collect(await callRpc(analyze, req), r.urn);
        }
        const res = new analyzerproto.AnalyzerResource();
        res.setType(r.type);
        res.setUrn(r.urn);
        res.setName(r.name);
        res.setProperties(await toStruct(r.outputs));
        res.setOptions(resourceOptions(r));
        if (provider) res.setProvider(await providerProto(provider));
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependencies);
        const deps = res.getPropertydependenciesMap();
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
            const d = new analyzerproto.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            deps.set(key, d);
        }
        stackResources.push(res);
    }
    const stackReq = new analyzerproto.AnalyzeStackRequest();
    stackReq.setResourcesList(stackResources);
    collect(await callRpc(analyzeStack, stackReq), rootUrn);

    return {
        policies: policies.filter((p) => resolved[p.name]?.enforcementLevel !== "disabled").map((p) => p.name),
        violations,
    };
}

/** The environment of a run: `boxoffice:environment`, falling back to the stack name. */
export function environmentOf(run: Pick<ProgramRun, "config" | "stack">): string {
    return run.config["boxoffice:environment"] ?? run.stack;
}

/** The default policy config for a run: policies/config/<environment>.json. */
export function defaultPolicyConfigFile(run: Pick<ProgramRun, "config" | "stack">): string {
    return path.join(POLICY_CONFIG_DIR, `${environmentOf(run)}.json`);
}

/**
 * The runner's entry point for `npm run policy` and the plan's `--json` output: evaluates the whole pack
 * with the given policy config file (default policies/config/<environment>.json).
 */
export async function evaluatePolicies(run: ProgramRun, policyConfigFile?: string): Promise<PolicyReport> {
    const file = policyConfigFile ?? defaultPolicyConfigFile(run);
    if (!fs.existsSync(file)) throw new Error(`policy config ${file} not found (pass --config <file>)`);
    return evaluateRegistrations(run, { config: readPackConfigFile(file) });
}

/** Whether a report blocks a deployment, as `pulumi preview`/`up` would: any mandatory violation. */
export function hasMandatoryViolations(report: PolicyReport): boolean {
    return report.violations.some((v) => v.level === "mandatory");
}
