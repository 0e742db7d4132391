/**
 * The offline policy runner: evaluates policy packs (ours, and any other, see policy-packs.ts) against a
 * program run recorded by the offline engine, the way `pulumi preview --policy-pack <pack>
 * --policy-pack-config <file>` would, pack after pack. The requests come from analyzer-requests.ts.
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
import type { AnalyzeResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { AnalyzerRequests, analyzerRequests } from "./analyzer-requests";
import type { ProgramRun } from "./offline/engine";
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
type RpcFun = (call: { request: unknown }, callback: (err: unknown, resp: unknown) => void) => unknown;

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
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
        path.dirname(filename),
    );
    m._compile(`${source}\nexports.__configure = configure;\n`, filename);
    const exp = m.exports as Record<string, unknown>;
    if (typeof exp.__configure !== "function" || typeof exp.makeAnalyzeRpcFun !== "function") {
        throw new Error(
            `@pulumi/policy ${filename} no longer has the configure/analyze handlers this runner relies on`,
        );
    }
    handlers = {
        makeAnalyzeRpcFun: exp.makeAnalyzeRpcFun as AnalyzerHandlers["makeAnalyzeRpcFun"],
        makeAnalyzeStackRpcFun: exp.makeAnalyzeStackRpcFun as AnalyzerHandlers["makeAnalyzeStackRpcFun"],
        configure: exp.__configure as RpcFun,
    };
    return handlers;
}

function callRpc(fn: RpcFun, request: unknown): Promise<unknown> {
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
const PROTO_TO_LEVEL = new Map<number, EnforcementLevel>(
    Object.entries(LEVEL_TO_PROTO).map(([k, v]) => [v, k as EnforcementLevel]),
);

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
export interface PackRun {
    pack: LoadedPack;
    config?: PackConfigFile;
}

// The handlers read the policy config from module state, so evaluations must not interleave.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates the packs against recorded registrations, one pack after the other: one `Analyze` call per
 * resource (its inputs), then one `AnalyzeStack` call with every resource (its outputs, parent,
 * dependencies), as the engine does at the end of a preview.
 */
export function evaluateRegistrations(
    run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">,
    opts: EvaluateOptions = {},
): Promise<PolicyReport> {
    const next = queue.then(() => evaluateNow(run, opts));
    queue = next.catch(() => undefined);
    return next;
}

async function evaluateNow(
    run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">,
    opts: EvaluateOptions,
): Promise<PolicyReport> {
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

async function evaluateAllPacks(
    run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">,
    opts: EvaluateOptions,
): Promise<PolicyReport> {
    const ours = boxofficePack();
    const packs = opts.packs ?? [{ pack: { ...ours, policies: opts.policies ?? ours.policies }, config: opts.config }];
    const requests = await analyzerRequests(run);
    const report: PolicyReport = { policies: [], packs: [], violations: [] };
    for (const { pack, config } of packs) {
        const resolved = reconcilePackConfig(pack.policies, config ?? {}, pack.enforcementLevel, pack);
        const ran = pack.policies.filter((p) => resolved[p.name]?.enforcementLevel !== "disabled").map((p) => p.name);
        report.policies.push(...ran);
        report.packs.push({ name: pack.name, version: pack.version, source: pack.source, policies: ran.length });
        report.violations.push(...(await analyzePack(pack, resolved, requests)));
    }
    return report;
}

/** The resource types a resource policy's validations are bound to, when every one of them is typed. */
function typesOf(p: Policies[number]): string[] | undefined {
    const v = (p as { validateResource?: unknown }).validateResource;
    if (!v) return undefined;
    const types = (Array.isArray(v) ? v : [v]).map((f) => (f as { __pulumiType?: unknown })?.__pulumiType);
    return types.every((t): t is string => typeof t === "string") ? types : undefined;
}

async function analyzePack(
    pack: LoadedPack,
    resolved: Record<string, ResolvedPolicyConfig>,
    requests: AnalyzerRequests,
): Promise<Violation[]> {
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
            fn = h.makeAnalyzeRpcFun(
                pack.name,
                pack.version,
                pack.enforcementLevel,
                pack.policies.filter((p) => typesOf(p)?.includes(type) ?? true),
            );
            byType.set(type, fn);
        }
        return fn;
    };
    const analyzeStack = h.makeAnalyzeStackRpcFun(pack.name, pack.version, pack.enforcementLevel, pack.policies);
    const violations: Violation[] = [];
    const collect = (resp: unknown, fallbackUrn: string) => {
        for (const d of (resp as AnalyzeResponse).getDiagnosticsList()) {
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

export { ENVIRONMENTS } from "./policy-config";

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
export async function evaluatePolicies(
    run: ProgramRun,
    policyConfigFile?: string,
    others: PackRun[] = [],
    opts: { defaultPack?: boolean } = {},
): Promise<PolicyReport> {
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
