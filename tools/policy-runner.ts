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
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type { ProgramRun, Registration } from "./offline/engine";
import { PackConfigFile, ResolvedPolicyConfig, readPackConfigFile, reconcilePackConfig } from "./policy-config";
import { LoadedPack, boxofficePack } from "./policy-packs";

// The generated protobuf modules have no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");

export const REPO_ROOT = path.resolve(__dirname, "..");
export const POLICY_CONFIG_DIR = path.join(REPO_ROOT, "policies", "config");

export interface Violation {
    /** The pack that reported it. */
    pack: string;
    policy: string;
    level: EnforcementLevel;
    urn: string;
    message: string;
}

export interface PolicyReport {
    /** Every policy that ran (not disabled by the config), pack after pack. */
    policies: string[];
    packs: { name: string; version: string; source: string; policies: number }[];
    violations: Violation[];
}

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

const SIG = rpc.specialSigKey;
const SECRET_SIG = rpc.specialSecretSig;
const RESOURCE_SIG = rpc.specialResourceSig;
const OUTPUT_SIG = rpc.specialOutputValueSig;
const UNKNOWN = rpc.unknownValue;

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

/**
 * The props as the protobuf Struct the handlers receive. The handlers convert the same Struct back to
 * JavaScript once per policy (every stack policy reads every resource), and google-protobuf's conversion
 * was most of an evaluation; the Struct therefore converts once and answers every later `toJavaScript()` with
 * that result. The handlers build fresh props from it and never change it, so each policy sees the same.
 */
async function toStruct(props: Record<string, unknown>): Promise<any> {
    const struct = structproto.Struct.fromJavaScript((await toAnalyzerValue(props)) as Record<string, unknown>);
    const plain = struct.toJavaScript();
    struct.toJavaScript = () => plain;
    return struct;
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
    /** Config for our pack: a parsed config file (the CLI format); default none (every policy at its own level). */
    config?: PackConfigFile;
    /** The policies of our pack to run; default all of them. */
    policies?: Policies;
    /** The packs to run, each with its config file; default ours with `config`. */
    packs?: PackRun[];
}

/** A pack and the config file it runs with (as `--policy-pack DIR --policy-pack-config FILE`). */
export interface PackRun { pack: LoadedPack; config?: PackConfigFile }

// The handlers read the policy config from module state, so evaluations must not interleave.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the packs against recorded registrations, one pack after the other: one `Analyze` call per
 * resource (its inputs), then one `AnalyzeStack` call with every resource (its outputs, parent,
 * dependencies), as the engine does at the end of a preview.
 */
export function evaluateRegistrations(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">, opts: EvaluateOptions = {}): Promise<PolicyReport> {
    const next = queue.then(() => evaluateNow(run, opts));
    queue = next.catch(() => undefined);
    return next;
}

async function evaluateNow(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">, opts: EvaluateOptions): Promise<PolicyReport> {
    // Every "not applicable" answer is an Error; their stack traces were a tenth of an evaluation and are
    // never shown (messages are kept). BOXOFFICE_STACK_TRACES=1 keeps them, as for the program run.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.BOXOFFICE_STACK_TRACES) Error.stackTraceLimit = 0;
    try {
        return await evaluateAllPacks(run, opts);
    } finally {
        Error.stackTraceLimit = traceLimit;
    }
}

async function evaluateAllPacks(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">, opts: EvaluateOptions): Promise<PolicyReport> {
    const ours = boxofficePack();
    const packs = opts.packs ?? [{ pack: { ...ours, policies: opts.policies ?? ours.policies }, config: opts.config }];
    const requests = await analyzerRequests(run);
    const report: PolicyReport = { policies: [], packs: [], violations: [] };
    for (const { pack, config } of packs) {
        const resolved = reconcilePackConfig(pack.policies, config ?? {}, pack.enforcementLevel, pack);
        const ran = pack.policies.filter((p) => resolved[p.name]?.enforcementLevel !== "disabled").map((p) => p.name);
        report.policies.push(...ran);
        report.packs.push({ name: pack.name, version: pack.version, source: pack.source, policies: ran.length });
        report.violations.push(...await analyzePack(pack, resolved, requests));
    }
    return report;
}

interface AnalyzerRequests { perResource: { urn: string; type: string; request: unknown }[]; stack: unknown; rootUrn: string }

/** The resource types a resource policy's validations are bound to, when every one of them is typed. */
function typesOf(p: Policies[number]): string[] | undefined {
    const v = (p as { validateResource?: unknown }).validateResource;
    if (!v) return undefined;
    const types = (Array.isArray(v) ? v : [v]).map((f) => (f as { __pulumiType?: unknown })?.__pulumiType);
    return types.every((t): t is string => typeof t === "string") ? types : undefined;
}

/** The requests the engine would send every analyzer for this run (built once, shared by the packs). */
async function analyzerRequests(run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">): Promise<AnalyzerRequests> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const rootUrn = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const perResource: AnalyzerRequests["perResource"] = [];
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
            perResource.push({ urn: r.urn, type: r.type, request: req });
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
    const stack = new analyzerproto.AnalyzeStackRequest();
    stack.setResourcesList(stackResources);
    return { perResource, stack, rootUrn };
}

async function analyzePack(pack: LoadedPack, resolved: Record<string, ResolvedPolicyConfig>, requests: AnalyzerRequests): Promise<Violation[]> {
    const h = analyzerHandlers();
    await configureAnalyzer(resolved);
    // The handler deserializes a resource's props once per validation that lacks a single type of its own (a
    // list of typed validations, say), only to find most of them not applicable. Each resource type therefore
    // gets a handler over the policies that can apply to it: those whose validations are all typed
    // (validateResourceOfType) and name other types would only have answered "not applicable", which yields
    // no diagnostic. Same diagnostics, a fraction of the work.
    const byType = new Map<string, RpcFun>();
    const analyzeFor = (type: string): RpcFun => {
        let fn = byType.get(type);
        if (!fn) {
            fn = h.makeAnalyzeRpcFun(pack.name, pack.version, pack.enforcementLevel, pack.policies.filter((p) => typesOf(p)?.includes(type) ?? true));
            byType.set(type, fn);
        }
        return fn;
    };
    const analyzeStack = h.makeAnalyzeStackRpcFun(pack.name, pack.version, pack.enforcementLevel, pack.policies);
    const violations: Violation[] = [];
    const collect = (resp: any, fallbackUrn: string) => {
        for (const d of resp.getDiagnosticsList()) {
            violations.push({
                pack: pack.name,
                policy: d.getPolicyname(),
                level: PROTO_TO_LEVEL.get(d.getEnforcementlevel()) ?? "advisory",
                urn: d.getUrn() || fallbackUrn,
                message: d.getMessage(),
            });
        }
    };
    for (const { urn, type, request } of requests.perResource) collect(await callRpc(analyzeFor(type), request), urn);
    collect(await callRpc(analyzeStack, requests.stack), requests.rootUrn);
    return violations;
}

/** Where our pack's config files live: policies/config/<environment>.json. */
export const ENVIRONMENTS = ["prod", "staging"] as const;

/**
 * The environment a run is judged as: `--enforcement` when given, else the stack's `boxoffice:environment`,
 * else prod. A program that does not declare an environment is held to prod: the safe default.
 */
export function environmentOf(run: Pick<ProgramRun, "config" | "stack">, enforcement?: string): string {
    return enforcement ?? run.config["boxoffice:environment"] ?? "prod";
}

/** The default policy config for a run: policies/config/<environment>.json. */
export function defaultPolicyConfigFile(run: Pick<ProgramRun, "config" | "stack">, enforcement?: string): string {
    return path.join(POLICY_CONFIG_DIR, `${environmentOf(run, enforcement)}.json`);
}

/**
 * The runner's entry point for `npm run policy` and the plan's `--json` output: evaluates our pack with the
 * given policy config file (default policies/config/<environment>.json), then any other packs.
 */
export async function evaluatePolicies(run: ProgramRun, policyConfigFile?: string, others: PackRun[] = [], opts: { defaultPack?: boolean } = {}): Promise<PolicyReport> {
    const packs: PackRun[] = [];
    if (opts.defaultPack !== false) {
        const file = policyConfigFile ?? defaultPolicyConfigFile(run);
        if (!fs.existsSync(file)) throw new Error(`policy config ${file} not found (pass --pack-config <file>)`);
        packs.push({ pack: boxofficePack(), config: readPackConfigFile(file) });
    }
    return evaluateRegistrations(run, { packs: [...packs, ...others] });
}

/** Whether a report blocks a deployment, as `pulumi preview`/`up` would: any mandatory violation. */
export function hasMandatoryViolations(report: PolicyReport): boolean {
    return report.violations.some((v) => v.level === "mandatory");
}
