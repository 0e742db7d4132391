/**
 * The offline commands' caches (tools/ts-run.js transpile cache, tools/fast-load.js V8 code cache, module
 * resolutions, AWS namespaces on demand) can never serve stale work: a plan reflects every source edit (also
 * one that keeps the file's size and mtime, and one behind a workspace symlink to TypeScript sources), a
 * changed install (lockfile) re-resolves, and another Node version gets caches of its own.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache");

function node(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
    const r = spawnSync(process.execPath, args, {
        cwd: opts.cwd ?? ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...opts.env },
    });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout;
}

/** Rewrites a file with same-length content and restores its mtime: only a content-keyed cache notices. */
function editKeepingStat(file: string, from: string, to: string): void {
    assert.strictEqual(from.length, to.length);
    const { atime, mtime } = fs.statSync(file);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.includes(from), `${file} lacks ${from}`);
    fs.writeFileSync(file, text.replace(from, to));
    fs.utimesSync(file, atime, mtime);
}

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/**
 * A program with a local module and a workspace package: node_modules/@cachetest/shared is a symlink to
 * shared/, whose package.json `main` is a TypeScript file (the layout of an npm workspace in this repository).
 */
function tempProgram(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-cache-"));
    write(path.join(dir, "Pulumi.yaml"), "name: cachetest\nruntime: nodejs\nmain: index.ts\n");
    write(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
    write(
        path.join(dir, "index.ts"),
        [
            `import * as aws from "@pulumi/aws";`,
            `import { bucketTag } from "./naming";`,
            `import { owner } from "@cachetest/shared";`,
            `new aws.s3.BucketV2("logs", { tags: { name: bucketTag, owner } });`,
            "",
        ].join("\n"),
    );
    write(path.join(dir, "naming.ts"), `export const bucketTag = "one";\n`);
    write(
        path.join(dir, "shared", "package.json"),
        JSON.stringify({ name: "@cachetest/shared", version: "1.0.0", main: "index.ts" }),
    );
    write(path.join(dir, "shared", "index.ts"), `export const owner = "team-a";\n`);
    fs.mkdirSync(path.join(dir, "node_modules", "@cachetest"), { recursive: true });
    fs.symlinkSync(path.join("..", "..", "shared"), path.join(dir, "node_modules", "@cachetest", "shared"), "dir");
    return dir;
}

function bucketTags(dir: string, env: Record<string, string> = {}): Record<string, string> {
    const out = node(["tools/ts-run.js", "tools/plan-cli.ts", "--program", dir, "--stack", "dev", "--json"], { env });
    const bucket = JSON.parse(out).resources.find((r: { type: string }) => r.type === "aws:s3/bucketV2:BucketV2");
    return bucket.inputs.tags;
}

describe("offline caches stay correct", function () {
    this.timeout(180_000);

    it("a plan reflects edits to the program, its modules and a workspace package's TypeScript sources", () => {
        const dir = tempProgram();
        assert.deepStrictEqual(bucketTags(dir), { name: "one", owner: "team-a" });
        assert.deepStrictEqual(bucketTags(dir), { name: "one", owner: "team-a" }); // now served from the caches
        editKeepingStat(path.join(dir, "naming.ts"), `"one"`, `"two"`);
        editKeepingStat(path.join(dir, "shared", "index.ts"), `"team-a"`, `"team-b"`);
        assert.deepStrictEqual(bucketTags(dir), { name: "two", owner: "team-b" });
    });

    it("another Node version gets its own transpile and code caches, with the same plan", () => {
        const dir = tempProgram();
        const fake = path.join(dir, "fake-node-version.js");
        // Only the version string changes: the caches must key on it, whatever else stays equal.
        fs.writeFileSync(
            fake,
            `Object.defineProperty(process, "version", { value: "v20.0.0-cachetest${process.pid}" });\n`,
        );
        const before = bucketTags(dir);
        const list = (sub: string) =>
            new Set(fs.existsSync(path.join(CACHE, sub)) ? fs.readdirSync(path.join(CACHE, sub)) : []);
        const had = { ts: list("boxoffice-ts"), v8: list("boxoffice-v8") };
        assert.deepStrictEqual(bucketTags(dir, { NODE_OPTIONS: `--require=${fake}` }), before);
        const added = (sub: "ts" | "v8") =>
            [...list(`boxoffice-${sub}`)].filter((f) => !had[sub].has(f) && !f.endsWith(".tmp"));
        const addedTs = added("ts");
        const addedV8 = added("v8");
        // Leave nothing behind for a version that does not exist.
        for (const f of addedTs) fs.rmSync(path.join(CACHE, "boxoffice-ts", f), { force: true });
        for (const f of addedV8) fs.rmSync(path.join(CACHE, "boxoffice-v8", f), { force: true });
        // Every TypeScript file of the tools, the program and the policies was transpiled again...
        assert.ok(addedTs.length >= 20, `only ${addedTs.length} files transpiled anew`);
        // ...and compiled into a code cache of the other version's own.
        assert.ok(
            addedV8.some((f) => f.endsWith(".bin")),
            `no new code cache: ${addedV8.join(", ")}`,
        );
    });

    it("remembered module resolutions follow a changed install (node_modules/.package-lock.json)", () => {
        // A root of its own with a copy of fast-load.js: package a requires b; reinstalling moves b under a.
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-resolve-"));
        fs.mkdirSync(path.join(root, "tools"));
        fs.copyFileSync(path.join(ROOT, "tools", "fast-load.js"), path.join(root, "tools", "fast-load.js"));
        write(path.join(root, "node_modules", "a", "index.js"), `module.exports = require("b");\n`);
        write(path.join(root, "node_modules", "b", "index.js"), `module.exports = "b 1.0";\n`);
        write(
            path.join(root, "node_modules", ".package-lock.json"),
            `{"lockfileVersion":3,"packages":{"node_modules/b":{}}}`,
        );
        write(path.join(root, "main.js"), `console.log(require("a"));\n`);
        const run = () =>
            node(["-r", path.join(root, "tools", "fast-load.js"), path.join(root, "main.js")], { cwd: root }).trim();
        assert.strictEqual(run(), "b 1.0");
        assert.ok(fs.existsSync(path.join(root, "node_modules", ".cache", "boxoffice-v8", "resolutions.json")));
        assert.strictEqual(run(), "b 1.0");
        // The install nests b 2.0 under a; the old b stays on disk, so only the lockfile tells the difference.
        write(path.join(root, "node_modules", "a", "node_modules", "b", "index.js"), `module.exports = "b 2.0";\n`);
        write(
            path.join(root, "node_modules", ".package-lock.json"),
            `{"lockfileVersion":3,"packages":{"node_modules/a/node_modules/b":{}}}`,
        );
        assert.strictEqual(run(), "b 2.0");
    });
});
