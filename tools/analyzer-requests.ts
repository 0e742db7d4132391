/**
 * From the registrations the offline engine recorded to the analyzer requests the Pulumi engine sends a
 * policy pack during a preview: one `AnalyzeRequest` per resource (its inputs as they crossed the wire, with
 * resource references replaced by ids/URNs, options and provider) and one `AnalyzeStackRequest` with every
 * resource's outputs, parent and dependencies. Built once per run and shared by every pack.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { ProgramRun, Registration } from "./offline/engine";
import type {
    AnalyzerProviderResource,
    AnalyzerResource,
    AnalyzerResourceOptions,
} from "@pulumi/pulumi/proto/analyzer_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";

// The generated protobuf modules have no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jspb = require("google-protobuf");

const SIG = rpc.specialSigKey;
const SECRET_SIG = rpc.specialSecretSig;
const RESOURCE_SIG = rpc.specialResourceSig;
const OUTPUT_SIG = rpc.specialOutputValueSig;
const UNKNOWN = rpc.unknownValue;

/**
 * Turns SDK values into what the engine hands analyzers: resource references become the id (custom
 * resources) or URN (components), output values their plain (or secret, or unknown) value; secrets,
 * unknowns, assets and archives keep their wire form for the policy deserializer; undefined disappears.
 * Only Resource and Output objects need awaiting; they are resolved first, the rest converts synchronously
 * (props are mostly plain data, and a promise per value was a measurable part of an evaluation).
 */
async function toAnalyzerValue(value: unknown): Promise<unknown> {
    const pending = new Set<object>();
    collectAsync(value, pending);
    const resolved = new Map<object, unknown>();
    for (const v of pending) {
        if (pulumi.Resource.isInstance(v)) {
            const res = v as pulumi.Resource & { id?: pulumi.Output<string> };
            const id = pulumi.CustomResource.isInstance(v) && res.id ? res.id : res.urn;
            resolved.set(v, (await outputValue(id)) ?? UNKNOWN);
        } else {
            resolved.set(v, await toAnalyzerValue(await outputValue(v as pulumi.Output<unknown>)));
        }
    }
    return convert(value, resolved);
}

function collectAsync(value: unknown, into: Set<object>): void {
    if (value === null || typeof value !== "object") return;
    if (pulumi.Resource.isInstance(value) || pulumi.Output.isInstance(value)) into.add(value as object);
    else for (const v of Array.isArray(value) ? value : Object.values(value)) collectAsync(v, into);
}

function convert(value: unknown, resolved: Map<object, unknown>): unknown {
    if (value === undefined || value === null || typeof value !== "object") return value;
    if (resolved.has(value)) return resolved.get(value);
    if (Array.isArray(value)) return value.map((v) => convert(v, resolved) ?? null);
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
        case RESOURCE_SIG:
            return typeof obj.id === "string" ? (obj.id === "" ? UNKNOWN : obj.id) : obj.urn;
        case OUTPUT_SIG: {
            if (!("value" in obj)) return UNKNOWN;
            const inner = convert(obj.value, resolved);
            return obj.secret ? { [SIG]: SECRET_SIG, value: inner ?? null } : inner;
        }
        case SECRET_SIG:
            return { [SIG]: SECRET_SIG, value: convert(obj.value, resolved) ?? null };
        default: {
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(obj)) {
                const converted = convert(v, resolved);
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
async function toStruct(props: Record<string, unknown>): Promise<Struct> {
    const struct = structproto.Struct.fromJavaScript((await toAnalyzerValue(props)) as Record<string, unknown>);
    const plain = struct.toJavaScript();
    struct.toJavaScript = () => plain;
    return struct;
}

/**
 * Makes a finished message answer its getters from memory. The stack handler reads every resource's
 * options, provider, parent, dependencies and property dependencies once per stack policy (some thirty
 * times per resource), and google-protobuf's accessors rebuild maps and look up wrapper fields on every
 * call. The requests are never changed once built, so each getter returns what it returned the first time;
 * lists and nested messages are the very objects google-protobuf hands out (it caches them as well), and a
 * map yields its entries as fresh pairs on every `entries()`, as jspb.Map does.
 */
function settle<M extends object>(message: M): M {
    if (settled.has(message)) return message;
    settled.add(message);
    for (const name of gettersOf(Object.getPrototypeOf(message))) {
        const getter = (message as Record<string, (this: M) => unknown>)[name];
        if (name.endsWith("Map")) {
            const map = getter.call(message) as { entries(): IterableIterator<[unknown, unknown]> };
            const entries: [unknown, unknown][] = [...map.entries()].map(([k, v]: [unknown, unknown]) => [
                k,
                settleValue(v),
            ]);
            map.entries = () => entries.map(([k, v]): [unknown, unknown] => [k, v])[Symbol.iterator]();
            Object.defineProperty(message, name, { value: () => map });
        } else {
            const value = settleValue(getter.call(message));
            Object.defineProperty(message, name, { value: () => value });
        }
    }
    return message;
}

/** A generated message class's field getters (`getX()`, and `getXMap(noLazyCreate?)`), found once per class. */
function gettersOf(proto: Record<string, unknown>): string[] {
    let names = getterNames.get(proto);
    if (!names) {
        names = Object.getOwnPropertyNames(proto).filter((name) => {
            const f = proto[name];
            return /^get[A-Z]/.test(name) && typeof f === "function" && (f.length === 0 || name.endsWith("Map"));
        });
        getterNames.set(proto, names);
    }
    return names;
}

const getterNames = new Map<object, string[]>();
const settled = new WeakSet<object>();
const settleValue = (v: unknown): unknown =>
    v instanceof jspb.Message && !(v instanceof structproto.Struct) ? settle(v as object) : v;

function resourceOptions(r: Registration): AnalyzerResourceOptions {
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

interface ProviderInfo {
    type: string;
    urn: string;
    name: string;
    props: Record<string, unknown>;
}

/**
 * The provider the engine would attach: the explicit one the resource names, else the default provider the
 * engine creates from the stack's `<package>:*` config (its URN name is `default_<version>`; the version
 * does not matter to any rule, so `default` stands in).
 */
function providerOf(
    r: Registration,
    byUrn: Map<string, Registration>,
    run: Pick<ProgramRun, "project" | "stack" | "config">,
): ProviderInfo | undefined {
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

async function providerProto(p: ProviderInfo): Promise<AnalyzerProviderResource> {
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

export interface AnalyzerRequests {
    perResource: { urn: string; type: string; request: unknown }[];
    stack: unknown;
    rootUrn: string;
}

/** The requests the engine would send every analyzer for this run (built once, shared by the packs). */
export async function analyzerRequests(
    run: Pick<ProgramRun, "project" | "stack" | "config" | "resources">,
): Promise<AnalyzerRequests> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const rootUrn = run.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const perResource: AnalyzerRequests["perResource"] = [];
    const stackResources: AnalyzerResource[] = [];
    // Hundreds of resources share a handful of providers: one message each, shared (they are never changed).
    const providers = new Map<string, Promise<AnalyzerProviderResource>>();
    const providerMessage = (p: ProviderInfo) => {
        let message = providers.get(p.urn);
        if (!message) providers.set(p.urn, (message = providerProto(p).then(settle)));
        return message;
    };
    for (const r of run.resources) {
        const provider = providerOf(r, byUrn, run);
        if (r.type !== "pulumi:pulumi:Stack" && !isProvider(r)) {
            const req = new analyzerproto.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(await toStruct(r.serializedInputs));
            req.setOptions(resourceOptions(r));
            if (provider) req.setProvider(await providerMessage(provider));
            perResource.push({ urn: r.urn, type: r.type, request: settle(req) });
        }
        const res = new analyzerproto.AnalyzerResource();
        res.setType(r.type);
        res.setUrn(r.urn);
        res.setName(r.name);
        res.setProperties(await toStruct(r.outputs));
        res.setOptions(resourceOptions(r));
        if (provider) res.setProvider(await providerMessage(provider));
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependencies);
        const deps = res.getPropertydependenciesMap();
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
            const d = new analyzerproto.AnalyzerPropertyDependencies();
            d.setUrnsList(urns);
            deps.set(key, d);
        }
        stackResources.push(settle(res));
    }
    const stack = new analyzerproto.AnalyzeStackRequest();
    stack.setResourcesList(stackResources);
    return { perResource, stack, rootUrn };
}
