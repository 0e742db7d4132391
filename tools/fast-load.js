/**
 * Start-up accelerators for the offline commands (`npm run plan`, `npm run policy`), installed by
 * tools/ts-run.js before anything else loads. All four are transparent: same modules, same code, same results.
 *
 * 1. A V8 code cache. Node 20 has no built-in compile cache (`module.enableCompileCache` arrived in 22.1),
 *    and compiling the SDKs' ~800 CommonJS files was a third of a plan's module loading. Each file is
 *    compiled through `vm.Script` with the code V8 produced for the same source on an earlier run; a file
 *    whose source changed, or whose cache V8 rejects (other Node version or flags), compiles normally and
 *    its fresh cache is stored when the process exits. The cache lives in node_modules/.cache/boxoffice-v8,
 *    one file per Node version and V8 flag set, keyed by each file's path and a hash of its source.
 *
 * 2. Closure serialization on demand. `@pulumi/pulumi/runtime/index.js` eagerly requires the closure
 *    serializer and `computeCodePaths`, which pull in TypeScript (9 MB), @npmcli/arborist, sigstore and
 *    ~600 more files: more than half of a bare `require("@pulumi/pulumi")`. They only serve programs that
 *    serialize JavaScript functions (`aws.lambda.CallbackFunction`, `pulumi.runtime.serializeFunction`),
 *    so the runtime index gets forwarders that load the real modules on their first call.
 *
 * 3. Remembered module resolutions inside node_modules. Resolving ~800 requests walks folders and reads
 *    package.json files (a tenth of module loading). Requests made by files inside this repository's
 *    node_modules resolve the same way until the next `npm install`/`npm ci`, which rewrites
 *    node_modules/.package-lock.json: the remembered answers are keyed by that file's mtime and size, and
 *    one whose file has disappeared is resolved again. Requests from our own sources or a program are never
 *    remembered.
 *
 * 4. AWS service namespaces on demand. `@pulumi/aws/index.js` requires all of its ~240 service namespaces
 *    (each an index of lazy getters plus resource-module registrations), a quarter of the files a plan
 *    loads; a stack uses a score of them. Each namespace the index requires is handed a stand-in that
 *    loads the real namespace on its first use, and a look-up of a resource module for deserializing a
 *    resource reference ("aws:s3/bucket:Bucket") loads its namespace first, so references still come back
 *    as resources. A program that reaches a class only through a deep import (`@pulumi/aws/s3/bucket`)
 *    and relies on that namespace's mixins (`onObjectCreated`, say) without ever naming `aws.s3` is the one
 *    case that differs; BOXOFFICE_EAGER_AWS=1 loads every namespace as the SDK does.
 *
 * BOXOFFICE_NO_FAST_LOAD=1 turns all four off (for comparison, or to rule them out when debugging).
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const Module = require("module");

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "boxoffice-v8");
/** Entries not used by a run are dropped once the cache grows past this. */
const MAX_CACHE_BYTES = 96 * 1024 * 1024;

function installCodeCache() {
    const flavour = crypto
        .createHash("sha256")
        .update(`${process.version}\0${process.arch}\0${process.execArgv.join(" ")}`)
        .digest("hex")
        .slice(0, 16);
    const file = path.join(CACHE_DIR, `${flavour}.bin`);
    /** `${filename}\0${source hash}` → code cache (a file may be compiled with two sources, e.g. a patched copy) */
    const entries = loadCache(file);
    const used = new Set();
    const fresh = [];
    const dynamicImport = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;

    Module.prototype._compile = function (content, filename) {
        const hash = crypto.createHash("sha1").update(content).digest("base64");
        const key = `${filename}\0${hash}`;
        const cachedData = entries.get(key);
        const script = new vm.Script(Module.wrap(content), {
            filename,
            cachedData,
            ...(dynamicImport ? { importModuleDynamically: dynamicImport } : {}),
        });
        if (cachedData && !script.cachedDataRejected) used.add(key);
        else fresh.push({ key, script });
        const fn = script.runInThisContext({ displayErrors: true });
        return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
    };

    process.once("exit", () => {
        if (fresh.length === 0) return;
        try {
            // Produced after the run, so the cache also holds the functions compiled lazily while it ran.
            for (const { key, script } of fresh) {
                entries.set(key, script.createCachedData());
                used.add(key);
            }
            saveCache(file, entries, used);
        } catch {
            // A cache that cannot be written only costs the next run its speed-up.
        }
    });
}

/** The `require` a CommonJS module receives, as Node builds it. */
function makeRequire(mod) {
    const require = (id) => mod.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    return require;
}

/** Cache file: a JSON index line, then the concatenated code caches. */
function loadCache(file) {
    const entries = new Map();
    let buf;
    try {
        buf = fs.readFileSync(file);
    } catch {
        return entries;
    }
    try {
        const newline = buf.indexOf(10);
        const index = JSON.parse(buf.subarray(0, newline).toString("utf8"));
        let offset = newline + 1;
        for (const [key, length] of index) {
            entries.set(key, buf.subarray(offset, offset + length));
            offset += length;
        }
    } catch {
        entries.clear(); // a damaged cache is ignored and rewritten
    }
    return entries;
}

function saveCache(file, entries, used) {
    let total = 0;
    for (const data of entries.values()) total += data.length;
    const keep = [...entries].filter(([key]) => total <= MAX_CACHE_BYTES || used.has(key));
    const index = keep.map(([key, data]) => [key, data.length]);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(index)}\n`), ...keep.map(([, data]) => data)]));
    fs.renameSync(tmp, file); // atomic: concurrent runs never read half a file
}

/** Requests of `@pulumi/pulumi/runtime/index.js` answered with forwarders, and the names it reads. */
const ON_DEMAND = {
    "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
    "./closure/codePaths": ["computeCodePaths"],
};

const PULUMI_RUNTIME_INDEX = `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}index.js`;

function installOnDemandClosures() {
    const load = Module._load;
    Module._load = function (request, parent, _isMain) {
        const from = parent && parent.filename;
        if (from) {
            const names = ON_DEMAND[request];
            if (names && from.endsWith(PULUMI_RUNTIME_INDEX)) {
                const forwarders = {};
                for (const name of names)
                    forwarders[name] = (...args) => load.call(Module, request, parent, false)[name](...args);
                return forwarders;
            }
        }
        return load.apply(this, arguments);
    };
}

function installResolutionCache() {
    const nodeModules = path.join(ROOT, "node_modules") + path.sep;
    let stamp;
    try {
        const st = fs.statSync(path.join(ROOT, "node_modules", ".package-lock.json"));
        stamp = `${process.version}:${st.mtimeMs}:${st.size}`;
    } catch {
        return; // no npm-managed node_modules: nothing stable to key on
    }
    const file = path.join(CACHE_DIR, "resolutions.json");
    let known = {};
    try {
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        if (doc.stamp === stamp) known = doc.resolved;
    } catch {
        // none yet
    }
    let added = 0;
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, parent, isMain, options) {
        const from = parent && parent.filename;
        if (options || !from || !from.startsWith(nodeModules)) return resolve.apply(this, arguments);
        const key = `${path.dirname(from)}\0${request}`;
        const hit = known[key];
        if (hit !== undefined && (Module.isBuiltin(hit) || fs.existsSync(hit))) return hit;
        const result = resolve.apply(this, arguments);
        known[key] = result;
        added++;
        return result;
    };
    process.once("exit", () => {
        if (added === 0) return;
        try {
            fs.mkdirSync(CACHE_DIR, { recursive: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, JSON.stringify({ stamp, resolved: known }));
            fs.renameSync(tmp, file);
        } catch {
            // only costs the next run its speed-up
        }
    });
}

/** `@pulumi/aws/index.js` requests that stay eager: used while the index itself runs. */
const AWS_EAGER = new Set(["./utilities", "./provider", "./tags", "./utils"]);
const AWS_INDEX = `${path.sep}@pulumi${path.sep}aws${path.sep}index.js`;

function installOnDemandAwsNamespaces() {
    const load = Module._load;
    /** service name ("s3") → the loaders of that namespace, one per copy of @pulumi/aws (a program may bring its own) */
    const loaders = new Map();
    let watching = false;
    Module._load = function (request, parent, _isMain) {
        const from = parent && parent.filename;
        if (from && from.endsWith(AWS_INDEX) && /^\.\/[a-z0-9]+$/.test(request) && !AWS_EAGER.has(request)) {
            let real;
            const namespace = () => real || (real = load.call(Module, request, parent, false));
            const name = request.slice(2);
            loaders.set(name, [...(loaders.get(name) || []), namespace]);
            if (!watching) watching = watchResourceModules(parent, loaders);
            return onDemand(namespace);
        }
        return load.apply(this, arguments);
    };
}

/**
 * A stand-in for a namespace module: it says it is an ES module, so the index's `__importStar` keeps it as
 * is, and any other look at it loads the real namespace and answers from it.
 */
function onDemand(namespace) {
    return new Proxy(
        {},
        {
            get: (_, key) => (key === "__esModule" ? true : namespace()[key]),
            set: (_, key, value) => Reflect.set(namespace(), key, value),
            has: (_, key) => key in namespace(),
            ownKeys: () => Reflect.ownKeys(namespace()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(namespace(), key);
                // The stand-in's own target has no such property, so the proxy may only report it configurable.
                return d && { ...d, configurable: true };
            },
            defineProperty: (_, key, d) => Reflect.defineProperty(namespace(), key, d),
            deleteProperty: (_, key) => Reflect.deleteProperty(namespace(), key),
            getPrototypeOf: () => Reflect.getPrototypeOf(namespace()),
        },
    );
}

/**
 * A namespace's index registers its resource classes for deserializing resource references
 * ("aws:s3/bucket:Bucket" → aws.s3.Bucket). A look-up for a namespace not loaded yet loads it first, so a
 * reference to a resource the program never named through `aws.<ns>` still comes back as that resource.
 */
function watchResourceModules(parent, loaders) {
    // One registry for every copy of the SDK: it lives in the runtime's global store.
    const state = Module._load("@pulumi/pulumi/runtime/state", parent, false);
    const modules = state.getResourceModules();
    const get = modules.get;
    modules.get = function (key) {
        const m = /^aws:([a-z0-9]+)\//.exec(key);
        if (m && !Map.prototype.has.call(this, key)) for (const namespace of loaders.get(m[1]) || []) namespace();
        return get.call(this, key);
    };
    return true;
}

if (!process.env.BOXOFFICE_NO_FAST_LOAD) {
    installCodeCache();
    installOnDemandClosures();
    installResolutionCache();
    if (!process.env.BOXOFFICE_EAGER_AWS) installOnDemandAwsNamespaces();
}
