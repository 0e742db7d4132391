/**
 * The publishable workspaces and their publish manifests: what `npm run build:packages` writes next to the
 * compiled code, and how it finds which packages that code imports.
 */
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface PackageDefinition {
    name: string;
    /** Workspace folder (its `index.ts` is the entry point). */
    folder: string;
    /** Files shipped as they are, relative to the folder. */
    assets: string[];
}

/** In build order: a package comes after the siblings it imports. */
export const PACKAGES: PackageDefinition[] = [
    { name: "@boxoffice/tags", folder: "tags", assets: ["CHANGELOG.md"] },
    { name: "@boxoffice/components", folder: "components", assets: ["CHANGELOG.md"] },
    {
        name: "@boxoffice/policies",
        folder: "policies",
        // The Pulumi CLI runs a pack from its folder: PulumiPolicy.yaml marks it; the configs are the ones
        // `--policy-pack-config` takes for prod and staging.
        assets: ["CHANGELOG.md", "README.md", "PulumiPolicy.yaml", "config/prod.json", "config/staging.json"],
    },
];

/** The fields of a workspace's package.json that a publish manifest carries over unchanged. */
interface SourceManifest {
    name: string;
    version: string;
    description?: string;
    license?: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
}

export interface PublishManifest extends SourceManifest {
    main: string;
    types: string;
    exports: Record<string, unknown>;
    files: string[];
    engines: Record<string, string>;
    publishConfig: { access: "public" };
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
}

/** The manifest of the built package: JavaScript entry, its types, and nothing reachable but the public index. */
export function publishManifest(def: PackageDefinition, source: SourceManifest): PublishManifest {
    if (source.name !== def.name) {
        throw new Error(`${def.folder}/package.json is named ${source.name}, expected ${def.name}`);
    }
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    return {
        name: source.name,
        version: source.version,
        description: source.description,
        license: source.license,
        main: "./index.js",
        types: "./index.d.ts",
        // Only the index is public: a deep import of an internal file fails, so internals can move in a patch.
        exports: {
            ".": { types: "./index.d.ts", require: "./index.js", default: "./index.js" },
            "./package.json": "./package.json",
        },
        files: ["**/*.js", "**/*.d.ts", ...def.assets.filter((a) => a !== "CHANGELOG.md" && a !== "README.md")],
        engines: { node: root.engines.node },
        publishConfig: { access: "public" },
        dependencies: { ...source.dependencies },
        peerDependencies: { ...source.peerDependencies },
    };
}

/** `x` of `require("x")`, `import("x")`, `from "x"` and `import "x"`. */
const SPECIFIER = /(?:\brequire\(\s*|\bimport\(\s*|\bfrom\s+|^\s*import\s+)["']([^"']+)["']/gm;

function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith(".") || path.isAbsolute(specifier)) return undefined;
    if (specifier.startsWith("node:") || Module.builtinModules.includes(specifier.split("/")[0])) return undefined;
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? filesUnder(full) : [full];
    });
}

/** Packages the compiled code (JavaScript and declarations) imports, each with the files that do. */
export function importedPackages(dir: string): Map<string, string[]> {
    const found = new Map<string, string[]>();
    for (const file of filesUnder(dir).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))) {
        const text = fs.readFileSync(file, "utf8");
        for (const m of text.matchAll(SPECIFIER)) {
            const name = packageOf(m[1]);
            if (!name) continue;
            const files = found.get(name) ?? [];
            const rel = path.relative(dir, file);
            if (!files.includes(rel)) files.push(rel);
            found.set(name, files);
        }
    }
    return found;
}
