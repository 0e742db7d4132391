/**
 * The offline engine: runs a Pulumi program (ours, or any Node.js program) under Pulumi's mock runtime and records every
 * registration the way the Pulumi engine would see it (inputs on the wire, parent, dependencies, options).
 * One place, used by `npm run plan`, `npm run policy` and every test.
 *
 * Why a recording monitor and not only `setMocks`: the stock mock monitor hands `newResource` the inputs but
 * drops the parent, the dependencies and the options that stack policies and the plan tree need, and it
 * ignores `additionalSecretOutputs`, which would leak generated secrets (Redis AUTH token) into the plan.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import type { RegisterResourceOutputsRequest, RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { BoxofficeMocks, MockContext } from "./mocks";
import { programOf, readProject } from "./project";
import { REPO_ROOT, loadStackFiles } from "./stack-files";

// The generated protobuf modules have no typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require("google-protobuf/google/protobuf/struct_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const resproto = require("@pulumi/pulumi/proto/resource_pb");
/** Runtime internals the public typings do not declare; both exist in the pinned @pulumi/pulumi 3.248. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean): void;
    waitForRPCs(): Promise<void>;
};
/** The part of the SDK's per-run store we touch: the capability flags and the leak tracker's set. */
interface RuntimeStore {
    leakCandidates: Set<Promise<unknown>>;
    supportsSecrets: boolean;
    supportsResourceReferences: boolean;
    supportsOutputValues: boolean;
    supportsDeletedWith: boolean;
    supportsAliasSpecs: boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): RuntimeStore };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
    debugPromiseLeaks: boolean;
};

/** The gRPC-style callback the SDK hands the monitor: an error, or the response message. */
type MonitorCallback = (err: unknown, resp: unknown) => void;

export interface Registration {
    urn: string;
    /** Physical id the mock assigned (custom resources only). */
    id?: string;
    type: string;
    name: string;
    custom: boolean;
    remote: boolean;
    /** Parent URN; the root `pulumi:pulumi:Stack` has none. */
    parent?: string;
    /** Explicit provider reference (`urn::id`); undefined means the default provider. */
    provider?: string;
    /** Inputs as the SDK deserializes them: secrets and resource references keep their wrappers. */
    inputs: Record<string, unknown>;
    /** Inputs exactly as they crossed the wire (protobuf Struct as JSON). */
    serializedInputs: Record<string, unknown>;
    /** What the mock returned (inputs plus computed outputs), deserialized. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read provider outputs by name (e.g. `outputs.imageUri` as a string); narrowing belongs with those tests
    outputs: Record<string, any>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        deleteBeforeReplace: boolean;
        ignoreChanges: string[];
        additionalSecretOutputs: string[];
    };
}

export interface ProgramRun {
    project: string;
    stack: string;
    /** Config as the program saw it (values as strings, the Pulumi wire form). */
    config: Record<string, string>;
    secretConfigKeys: string[];
    resources: Registration[];
    stackOutputs: Record<string, unknown>;
}

export interface RunOptions {
    stack: string;
    /** Folder holding Pulumi.yaml and the stack files (any Node.js Pulumi program); defaults to the repository root. */
    projectDir?: string;
    /** Full keys (`boxoffice:database`) merged over the stack file; objects are deep-merged. */
    configOverrides?: Record<string, unknown>;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Mirrors the engine's URN rule: the parent's qualified type chain, without the root stack. */
function urnOf(parentUrn: string, type: string, name: string): string {
    let qualified = type;
    if (parentUrn) {
        const parentType = parentUrn.split("::")[2];
        if (parentType !== ROOT_STACK_TYPE) qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

function wrapSecret(value: unknown): unknown {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

class RecordingMonitor extends MockMonitor {
    readonly registrations: Registration[] = [];
    /** The first registration of each URN (what a search of `registrations` would find), for `registerResourceOutputs`. */
    private readonly byUrn = new Map<string, Registration>();

    constructor(
        private readonly boxMocks: BoxofficeMocks,
        private readonly ctx: MockContext,
    ) {
        super(boxMocks);
    }

    async registerResource(req: RegisterResourceRequest, callback: MonitorCallback): Promise<void> {
        try {
            const type: string = req.getType();
            const name: string = req.getName();
            const parent: string = req.getParent();
            const provider: string = req.getProvider();
            // Converted from protobuf once: the wire form is kept, and deserialized as rpc.deserializeProperties does.
            const serializedInputs: Record<string, unknown> = req.getObject()?.toJavaScript() ?? {};
            const inputs: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(serializedInputs))
                if (value !== undefined) inputs[key] = rpc.deserializeProperty(value);
            const result = await this.boxMocks.newResource({
                type,
                name,
                inputs,
                provider,
                custom: req.getCustom(),
                id: req.getImportid(),
            });
            const urn = urnOf(parent, type, name);
            const secretOutputs: string[] = req.getAdditionalsecretoutputsList();
            const outputState: Record<string, unknown> = { ...result.state };
            for (const key of secretOutputs) {
                if (key in outputState && !rpc.isRpcSecret(outputState[key]))
                    outputState[key] = wrapSecret(outputState[key]);
            }
            if (type.startsWith("pulumi:providers:") && typeof inputs.region === "string") {
                this.ctx.providerRegions.set(`${urn}::${result.id}`, inputs.region);
            }
            const serializedState = await rpc.serializeProperties("", outputState);
            // One Struct serves both the response and our record of the outputs.
            const stateStruct = structproto.Struct.fromJavaScript(serializedState);
            this.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((deps, key) => {
                propertyDependencies[key] = deps.getUrnsList();
            });
            const registration: Registration = {
                urn,
                id: result.id || undefined,
                type,
                name,
                custom: req.getCustom(),
                remote: req.getRemote(),
                parent: parent || undefined,
                provider: provider || undefined,
                inputs,
                serializedInputs,
                outputs: rpc.deserializeProperties(stateStruct),
                dependencies: req.getDependenciesList(),
                propertyDependencies,
                options: {
                    protect: Boolean(req.getProtect()),
                    retainOnDelete: Boolean(req.getRetainondelete()),
                    deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
                    ignoreChanges: req.getIgnorechangesList(),
                    additionalSecretOutputs: secretOutputs,
                },
            };
            this.registrations.push(registration);
            if (!this.byUrn.has(urn)) this.byUrn.set(urn, registration);
            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(result.id || "");
            response.setObject(stateStruct);
            callback(null, response);
        } catch (err) {
            callback(err, undefined);
        }
    }

    /** The SDK reports a failed invoke by its gRPC `details`; give it our message so the cause is not lost. */
    async invoke(req: unknown, callback: MonitorCallback): Promise<void> {
        return super.invoke(req, (err, resp) =>
            callback(err ? Object.assign(err, { details: err.message ?? String(err) }) : null, resp),
        );
    }

    registerResourceOutputs(req: RegisterResourceOutputsRequest, callback: MonitorCallback): void {
        const outputs = req.getOutputs();
        const record = this.byUrn.get(req.getUrn());
        if (record && outputs) record.outputs = rpc.deserializeProperties(outputs);
        super.registerResourceOutputs(req, callback);
    }
}

/**
 * The SDK's `debuggablePromise` without its debugging aids: it tags each of the run's tens of thousands of
 * promises with an id, a context and a stack trace (three property definitions and an Error each, about a
 * tenth of an offline run), which only the SDK's own leak report reads, and only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set. The leak bookkeeping and the promise chain stay exactly as the SDK
 * builds them (same `then`/`catch` hops, so everything settles in the same order); the original still
 * handles the first promise, which schedules the SDK's exit-time leak check.
 */
function leakTrackedPromise(original: <T>(p: Promise<T>, ctx: unknown) => Promise<T>) {
    let first = true;
    return function <T>(p: Promise<T>, ctx: unknown): Promise<T> {
        if (first) {
            first = false;
            return original(p, ctx);
        }
        const localStore = state.getStore();
        localStore.leakCandidates.add(p);
        return p
            .then((val) => {
                localStore.leakCandidates.delete(p);
                return val;
            })
            .catch((err) => {
                localStore.leakCandidates.delete(p);
                err.promise = p;
                throw err;
            });
    };
}

/** Runs a program function inside a root stack resource, as `pulumi up` would, and returns what it saw. */
async function runUnderMocks(
    project: string,
    stack: string,
    config: Record<string, string>,
    secretKeys: string[],
    program: () => unknown,
): Promise<ProgramRun> {
    const region = config["aws:region"];
    if (!region) throw new Error(`stack ${stack}: aws:region is not set in Pulumi.${stack}.yaml`);
    const ctx: MockContext = { region, providerRegions: new Map() };
    const monitor = new RecordingMonitor(new BoxofficeMocks(ctx), ctx);
    settings.setMockOptions(monitor, project, stack, false);
    // The same capabilities `pulumi.runtime.setMocks` announces.
    const store = state.getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    pulumi.runtime.setAllConfig(config, secretKeys);
    let stackOutputs: unknown;
    // The SDK formats a stack trace for every promise it creates (runtime/debuggable), about a fifth of an
    // offline run. Errors keep their messages without it; BOXOFFICE_STACK_TRACES=1 brings the traces back.
    const traceLimit = Error.stackTraceLimit;
    // Likewise every resource's constructor formats an unlimited stack trace to send the engine its source
    // position; the mock monitor records nothing of it (a third of a run), so the run skips it.
    const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
    const stackTrace = resourceClass.stackTrace;
    const debuggablePromise = debuggable.debuggablePromise;
    if (!process.env.BOXOFFICE_STACK_TRACES) {
        Error.stackTraceLimit = 0;
        resourceClass.stackTrace = () => [];
        if (!debuggable.debugPromiseLeaks) debuggable.debuggablePromise = leakTrackedPromise(debuggablePromise);
    }
    try {
        stackOutputs = await pulumi.runtime.runInPulumiStack(async () => program());
        await settings.waitForRPCs();
    } catch (err) {
        // A program that threw leaves its pending outputs behind on purpose; the error is the report, so the
        // runtime's exit-time "promises still active" warning would only be noise about this aborted run.
        store.leakCandidates = new Set();
        throw err;
    } finally {
        Error.stackTraceLimit = traceLimit;
        resourceClass.stackTrace = stackTrace;
        debuggable.debuggablePromise = debuggablePromise;
    }
    const root = monitor.registrations.find((r) => r.type === ROOT_STACK_TYPE);
    const outputs = (stackOutputs ?? root?.outputs ?? {}) as Record<string, unknown>;
    return {
        project,
        stack,
        config,
        secretConfigKeys: secretKeys,
        resources: monitor.registrations,
        stackOutputs: outputs,
    };
}

/**
 * Runs a Pulumi program (the boxoffice program by default) for a stack from its files (and optional
 * overrides), as the language host would (see project.ts). The program module is loaded inside the run so
 * that nothing registers before the mocks are in place.
 */
export async function runStack(opts: RunOptions): Promise<ProgramRun> {
    const project = readProject(opts.projectDir ?? REPO_ROOT);
    const files = loadStackFiles(opts.stack, project.dir, opts.configOverrides);
    return runUnderMocks(files.project, opts.stack, files.config, files.secretKeys, programOf(project));
}

/** Runs any program function (a component under test, say) with the given config. */
export async function runProgram(
    program: () => unknown,
    opts: { stack?: string; config?: Record<string, unknown> } = {},
): Promise<ProgramRun> {
    const config: Record<string, string> = { "aws:region": "eu-west-1" };
    for (const [key, value] of Object.entries(opts.config ?? {})) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return runUnderMocks("boxoffice", opts.stack ?? "test", config, [], program);
}
