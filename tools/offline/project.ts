/**
 * Any Pulumi Node.js program, loaded the way the Pulumi language host loads it: `Pulumi.yaml` names the
 * project, its runtime (nodejs; `options.typescript`, default true) and `main` (a file or folder, default
 * the project folder, resolved like `require` does: package.json `main`, then index.js / index.ts). The
 * module is required inside the run; when it exports a function, that function is called and its result
 * becomes the stack outputs, otherwise the exports are (cmd/run/run.ts of @pulumi/pulumi).
 *
 * Modules resolve from the program's own node_modules first and, for what it lacks, from this
 * repository's, so a program without node_modules still finds @pulumi/aws. ES-module programs
 * (`"type": "module"`) are not supported offline: the mock engine needs CommonJS (TypeScript compiles to it).
 */
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");
import * as yaml from "js-yaml";
import { REPO_ROOT } from "./stack-files";

export interface ProjectInfo {
    /** Absolute project folder (holds Pulumi.yaml and the stack files). */
    dir: string;
    project: string;
    /** Absolute path of the module the language host would require. */
    entry: string;
    typescript: boolean;
}

function fail(dir: string, message: string): never {
    throw new Error(`${path.join(dir, "Pulumi.yaml")}: ${message}`);
}

/** The parts of `Pulumi.yaml` the engine reads; anything else in it is ignored. */
interface ProjectDoc {
    name?: unknown;
    main?: unknown;
    runtime?: string | { name?: unknown; options?: { typescript?: unknown } };
}

/** Reads `Pulumi.yaml` and finds the program's entry module, failing with the reason when it cannot. */
export function readProject(dirArg: string): ProjectInfo {
    const dir = path.resolve(dirArg);
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new Error(`no Pulumi.yaml in ${dir}`);
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as ProjectDoc;
    const project = typeof doc.name === "string" ? doc.name : "";
    if (!project) fail(dir, "has no name");
    const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : (doc.runtime ?? {});
    if (runtime.name !== "nodejs")
        fail(dir, `runtime ${JSON.stringify(runtime.name)} is not nodejs; only Node.js programs run offline`);
    const typescript = runtime.options?.typescript !== false;
    const pkgFile = path.join(dir, "package.json");
    if (fs.existsSync(pkgFile) && JSON.parse(fs.readFileSync(pkgFile, "utf8")).type === "module") {
        fail(
            dir,
            'the program is an ES module (package.json "type": "module"); the offline engine runs CommonJS programs only',
        );
    }
    const main = path.resolve(dir, typeof doc.main === "string" ? doc.main : ".");
    const entry = resolveEntry(main, typescript);
    if (!entry)
        fail(
            dir,
            `main ${JSON.stringify(doc.main ?? ".")}: no program module at ${main}${typescript ? "" : " (runtime.options.typescript is false, so .ts files do not count)"}`,
        );
    return { dir, project, entry, typescript };
}

/** `require`'s folder rules: a file as is, else package.json `main`, else index.js, then index.ts. */
function resolveEntry(main: string, typescript: boolean): string | undefined {
    const exts = typescript ? [".js", ".ts"] : [".js"];
    const isFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
    const asFile = (p: string) =>
        isFile(p) && exts.includes(path.extname(p)) ? p : exts.map((e) => p + e).find(isFile);
    const file = asFile(main);
    if (file) return file;
    if (!fs.existsSync(main) || !fs.statSync(main).isDirectory()) return undefined;
    const pkg = path.join(main, "package.json");
    if (isFile(pkg)) {
        const pkgMain = JSON.parse(fs.readFileSync(pkg, "utf8")).main;
        if (typeof pkgMain === "string") {
            const target = path.resolve(main, pkgMain);
            const found = asFile(target) ?? exts.map((e) => path.join(target, `index${e}`)).find(isFile);
            if (found) return found;
        }
    }
    return exts.map((e) => path.join(main, `index${e}`)).find(isFile);
}

/** Folders whose modules fall back to this repository's node_modules. */
const programDirs = new Set<string>();
let fallbackInstalled = false;

/**
 * Lets modules under `dir` (a program or a policy pack) resolve what their own node_modules lack from this
 * repository's: its own packages win, ours fill the gaps.
 */
export function resolveFallbackFor(dir: string): void {
    programDirs.add(path.resolve(dir));
    installFallbackResolution();
}

function installFallbackResolution(): void {
    if (fallbackInstalled) return;
    fallbackInstalled = true;
    const M = Module as unknown as {
        _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
    };
    const original = M._resolveFilename;
    const ourParent = {
        id: REPO_ROOT,
        filename: path.join(REPO_ROOT, "package.json"),
        paths: (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(REPO_ROOT),
    };
    M._resolveFilename = function (request, parent, isMain, options) {
        try {
            return original.call(this, request, parent, isMain, options);
        } catch (err) {
            const bare = !request.startsWith(".") && !path.isAbsolute(request);
            const from = (parent as { filename?: string } | null | undefined)?.filename;
            const inProgram = from !== undefined && [...programDirs].some((d) => from.startsWith(d + path.sep));
            if ((err as { code?: string }).code !== "MODULE_NOT_FOUND" || !bare || !inProgram) throw err;
            return original.call(this, request, ourParent, isMain, options);
        }
    };
}

/**
 * The program as a function for the mock engine. Modules it loads that register resources at import time
 * are dropped from the require cache after each run, so running the same program again registers again.
 */
export function programOf(info: ProjectInfo): () => unknown {
    resolveFallbackFor(info.dir);
    if (info.typescript && !require.extensions[".ts"]) {
        throw new Error(
            `${info.entry}: TypeScript programs need a TypeScript loader (run through npm run plan/policy)`,
        );
    }
    return () => {
        const before = new Set(Object.keys(require.cache));
        let rerunnable = false;
        try {
            // A runtime path whose module cache is managed here (re-runs), which `import` cannot express.
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
            const exported = require(info.entry);
            rerunnable = typeof exported === "function";
            return rerunnable ? exported() : exported;
        } finally {
            // Registration happened at import: forget this program's own modules so the next run imports afresh.
            if (!rerunnable) {
                for (const key of Object.keys(require.cache)) {
                    if (!before.has(key) && !key.includes(`${path.sep}node_modules${path.sep}`))
                        delete require.cache[key];
                }
            }
        }
    };
}
