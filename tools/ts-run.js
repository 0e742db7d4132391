#!/usr/bin/env node
/**
 * Runs a TypeScript entry point like `ts-node --transpile-only`, but keeps each file's transpiled output in
 * node_modules/.cache/boxoffice-ts keyed by a hash of its source. On a warm cache the TypeScript compiler
 * is never loaded, which roughly halves the start-up of `npm run plan` and `npm run policy`.
 * Type-checking is `npm run typecheck`'s job, as with ts-node's transpile-only mode.
 *
 * Usage: node tools/ts-run.js <entry.ts> [args...]
 */
"use strict";
require("./fast-load");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "boxoffice-ts");
let ts; // loaded only on a cache miss

function transpile(source, filename) {
    const key = crypto.createHash("sha256").update(`${process.version}\0${filename}\0${source}`).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        ts = ts || require("typescript");
        const output = ts.transpileModule(source, {
            fileName: filename,
            // The emit-relevant options of tsconfig.json; inline source maps keep stack traces on .ts lines.
            compilerOptions: {
                module: ts.ModuleKind.CommonJS,
                target: ts.ScriptTarget.ES2022,
                esModuleInterop: true,
                inlineSourceMap: true,
            },
        }).outputText;
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, output);
        fs.renameSync(tmp, cached); // atomic, so concurrent runs never read half a file
        return output;
    }
}

Module._extensions[".ts"] = function (module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
    console.error("usage: node tools/ts-run.js <entry.ts> [args...]");
    process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
