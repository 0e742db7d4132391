/**
 * CrossGuard packs for the offline runner: ours (policies/rules) and any other, from a folder (a pack as
 * `pulumi preview --policy-pack DIR` takes it) or an installed npm package (e.g. `@pulumi/awsguard`).
 *
 * A pack's entry module constructs `new PolicyPack(name, args, initialConfig)`, which starts a gRPC server
 * and keeps the process alive (a second one exits it). So while the pack module loads, every copy of
 * `@pulumi/policy`'s `PolicyPack` export (ours, and one nested in the pack's own node_modules) is replaced by
 * a class that only records its arguments; the pack's own code, policies and config run unchanged. A package
 * whose entry constructs nothing (AWSGuard exports `class AwsGuard extends PolicyPack`) is constructed once
 * with no arguments, i.e. with its own defaults, as its documentation's `new AwsGuard()` does.
 */
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { resolveFallbackFor } from "./offline/project";
import type { PackConfigFile } from "./policy-config";
import { PACK_NAME, policies as ourPolicies } from "../policies/rules";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface LoadedPack {
    name: string;
    version: string;
    /** The pack-wide level for policies that set none (PolicyPackArgs.enforcementLevel, default advisory). */
    enforcementLevel: EnforcementLevel;
    policies: Policies;
    /** The pack's own config (third constructor argument), under any --pack-config file. */
    initialConfig?: PackConfigFile;
    /** Where it came from, for reports. */
    source: string;
}

function versionOf(dir: string): string {
    try {
        return String(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version ?? "0.0.0").replace(
            /^v/,
            "",
        );
    } catch {
        return "0.0.0";
    }
}

/** Our pack, built from the rule modules (policies/index.ts only hands the same list to PolicyPack). */
export function boxofficePack(): LoadedPack {
    return {
        name: PACK_NAME,
        version: versionOf(path.join(REPO_ROOT, "policies")),
        enforcementLevel: "mandatory",
        policies: ourPolicies,
        source: "policies",
    };
}

interface Captured {
    name: string;
    args: { policies?: Policies; enforcementLevel?: EnforcementLevel };
    initialConfig?: PackConfigFile;
}

const POLICY_MODULE = `${path.sep}@pulumi${path.sep}policy${path.sep}policy.js`;
const loaded = new Map<string, LoadedPack[]>();

/** Loads `entry` with PolicyPack construction recorded instead of served. */
function capture(entry: string): {
    captured: Captured[];
    exported: unknown;
    PackClass: new (...a: never[]) => unknown;
} {
    const captured: Captured[] = [];
    class RecordedPolicyPack {
        constructor(name: string, args: Captured["args"], initialConfig?: PackConfigFile) {
            captured.push({ name, args: args ?? {}, initialConfig });
        }
    }
    const patched: { exports: Record<string, unknown>; original: unknown }[] = [];
    const patch = (mod: NodeJS.Module | undefined) => {
        // Only a module that has finished loading: policy.js and server.js require each other, so a copy seen
        // half-loaded would assign its real PolicyPack export over the patch afterwards.
        if (!mod?.loaded || !mod.filename?.endsWith(POLICY_MODULE) || patched.some((p) => p.exports === mod.exports))
            return;
        patched.push({ exports: mod.exports, original: mod.exports.PolicyPack });
        mod.exports.PolicyPack = RecordedPolicyPack;
    };
    for (const mod of Object.values(require.cache)) patch(mod);
    const M = Module as unknown as {
        _load(request: string, parent: NodeJS.Module | undefined, isMain: boolean): unknown;
    };
    const load = M._load;
    M._load = function (request, parent, isMain) {
        const result = load.call(this, request, parent, isMain);
        // The module a pack's `require("@pulumi/policy")` ends up loading; patch it as soon as it exists.
        for (const mod of Object.values(require.cache)) if (mod?.filename?.endsWith(POLICY_MODULE)) patch(mod);
        return result;
    };
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the pack's entry is a runtime path
        const exported = require(entry);
        return { captured, exported, PackClass: RecordedPolicyPack };
    } finally {
        M._load = load;
        for (const p of patched) p.exports.PolicyPack = p.original;
    }
}

/** The entry module of a pack folder, or of an installed package (resolved from the cwd, then from here). */
function entryOf(spec: string): { entry: string; dir: string } {
    const dir = path.resolve(spec);
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) {
        resolveFallbackFor(dir); // the entry itself may be TypeScript that imports @pulumi/policy from here
        return { entry: require.resolve(dir), dir };
    }
    let entry: string;
    try {
        entry = require.resolve(spec, { paths: [process.cwd(), REPO_ROOT] });
    } catch {
        throw new Error(`--pack ${spec}: neither a folder nor an installed npm package`);
    }
    let pkgDir = path.dirname(entry);
    while (!fs.existsSync(path.join(pkgDir, "package.json")) && path.dirname(pkgDir) !== pkgDir)
        pkgDir = path.dirname(pkgDir);
    return { entry, dir: pkgDir };
}

/** Loads the pack(s) a folder or package defines; the same spec loads once per process. */
export function loadPack(spec: string): LoadedPack[] {
    const { entry, dir } = entryOf(spec);
    resolveFallbackFor(dir);
    const cached = loaded.get(entry);
    if (cached) return cached;
    const { captured, exported, PackClass } = capture(entry);
    if (captured.length === 0) {
        // A package that only exports its pack class (AWSGuard): construct it with its defaults.
        const classes = Object.values((exported ?? {}) as Record<string, unknown>).filter(
            (v): v is new () => unknown => typeof v === "function" && v.prototype instanceof PackClass,
        );
        for (const C of classes) new C();
    }
    if (captured.length === 0)
        throw new Error(`--pack ${spec}: ${entry} constructs no PolicyPack and exports no PolicyPack class`);
    const packs = captured.map((c): LoadedPack => ({
        name: c.name,
        version: versionOf(dir),
        enforcementLevel: c.args.enforcementLevel ?? "advisory",
        policies: c.args.policies ?? [],
        initialConfig: c.initialConfig,
        source: spec,
    }));
    loaded.set(entry, packs);
    return packs;
}
