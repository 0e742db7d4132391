/**
 * `npm run build:packages [-- --out DIR]`: compiles the publishable workspaces (`@boxoffice/tags`,
 * `@boxoffice/components`, `@boxoffice/policies`) with tsc to CommonJS plus `.d.ts` in `DIR/<folder>/`
 * (default dist/packages/), each with its publish manifest. `npm pack dist/packages/<folder>` makes the tarball.
 *
 * In the repository the workspaces point `main` at their TypeScript sources (ts-node, the offline engine and the
 * type-check read those); a published package must carry JavaScript, types and a manifest whose dependencies are
 * exactly what the code imports. So the build refuses a package whose emitted code imports a package its manifest
 * does not declare, declares one it never imports, declares a range the tested (installed) version does not
 * satisfy, or depends on `@boxoffice/tags` at another version than the one built next to it.
 */
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as ts from "typescript";
import { PackageDefinition, PACKAGES, REPO_ROOT, publishManifest, importedPackages } from "./manifest";

export interface BuiltPackage {
    name: string;
    version: string;
    /** Folder holding the compiled package and its manifest. */
    dir: string;
}

export class BuildError extends Error {}

function compile(def: PackageDefinition, outDir: string, outRoot: string): void {
    const sourceDir = path.join(REPO_ROOT, def.folder);
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        lib: ["lib.es2022.d.ts"],
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        declaration: true,
        types: ["node"],
        rootDir: sourceDir,
        outDir,
        // A sibling package resolves to its built declarations, never to its sources: the sources sit outside
        // this package's root, and the published package imports the sibling by name anyway.
        baseUrl: REPO_ROOT,
        paths: Object.fromEntries(
            PACKAGES.filter((p) => p !== def).map((p) => [p.name, [path.join(outRoot, p.folder)]]),
        ),
    };
    const program = ts.createProgram([path.join(sourceDir, "index.ts")], options);
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
    if (diagnostics.length > 0) {
        const host = {
            getCanonicalFileName: (f: string) => f,
            getCurrentDirectory: () => REPO_ROOT,
            getNewLine: () => "\n",
        };
        throw new BuildError(`${def.name}: tsc failed\n${ts.formatDiagnostics(diagnostics, host)}`);
    }
}

/** The installed version of a dependency, as the tests ran it. */
function installedVersion(name: string): string | undefined {
    try {
        return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
        return undefined;
    }
}

/** Every way the manifest could disagree with the code, one line each. */
export function manifestProblems(
    def: PackageDefinition,
    manifest: ReturnType<typeof publishManifest>,
    outDir: string,
): string[] {
    const problems: string[] = [];
    const declared = { ...manifest.peerDependencies, ...manifest.dependencies };
    const imported = importedPackages(outDir);
    for (const [name, files] of imported) {
        if (!(name in declared)) {
            problems.push(`imports ${name} (${files.slice(0, 3).join(", ")}) but does not declare it`);
        }
    }
    for (const [name, range] of Object.entries(declared)) {
        if (!imported.has(name)) problems.push(`declares ${name} but never imports it`);
        const sibling = PACKAGES.find((p) => p.name === name);
        if (sibling) {
            const siblingManifest = path.join(REPO_ROOT, sibling.folder, "package.json");
            const version = JSON.parse(fs.readFileSync(siblingManifest, "utf8")).version;
            if (range !== version) {
                problems.push(`depends on ${name}@${range}, but the ${name} built with it is ${version}`);
            }
            continue;
        }
        const installed = installedVersion(name);
        if (!installed) problems.push(`declares ${name}, which is not installed here`);
        else if (!semver.satisfies(installed, range)) {
            problems.push(`declares ${name}@${range}, but the tested version is ${installed}`);
        }
    }
    return problems.map((p) => `${def.name}: ${p}`);
}

function copyFile(from: string, to: string): void {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
}

/** Builds every package (siblings first) into `outRoot`, replacing what was there. */
export function buildPackages(outRoot = path.join(REPO_ROOT, "dist", "packages")): BuiltPackage[] {
    const built: BuiltPackage[] = [];
    for (const def of PACKAGES) {
        const outDir = path.join(outRoot, def.folder);
        fs.rmSync(outDir, { recursive: true, force: true });
        compile(def, outDir, outRoot);
        const source = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, def.folder, "package.json"), "utf8"));
        const manifest = publishManifest(def, source);
        const problems = manifestProblems(def, manifest, outDir);
        if (problems.length > 0) throw new BuildError(problems.join("\n"));
        for (const file of def.assets) copyFile(path.join(REPO_ROOT, def.folder, file), path.join(outDir, file));
        // An empty dependency list is left out rather than published as `{}`.
        const empty = (v: unknown) => typeof v === "object" && v !== null && Object.keys(v).length === 0;
        const written = Object.fromEntries(Object.entries(manifest).filter(([, v]) => !empty(v)));
        fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(written, null, 2)}\n`);
        built.push({ name: manifest.name, version: manifest.version, dir: outDir });
    }
    return built;
}

function main(): number {
    const argv = process.argv.slice(2);
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--out" && argv[i + 1]) out = path.resolve(argv[++i]);
        else {
            process.stderr.write("usage: npm run build:packages [-- --out DIR]\n");
            return 2;
        }
    }
    try {
        for (const p of buildPackages(out)) {
            process.stdout.write(`${p.name}@${p.version} → ${path.relative(process.cwd(), p.dir) || "."}\n`);
        }
        return 0;
    } catch (err) {
        if (!(err instanceof BuildError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return 1;
    }
}

// Run as `node tools/ts-run.js tools/packages/build.ts` (argv[1] is this file), or imported by the tests.
if (process.argv[1] === __filename) process.exitCode = main();
