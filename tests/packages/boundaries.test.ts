/**
 * Package boundaries, checked on the sources: the stack program and the examples use the components only through
 * `@boxoffice/components` (so its public index is provably complete: the type-check fails on any name it does not
 * export), and no package reaches outside its own folder (each must build and install on its own).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { importedPackages } from "../../tools/packages/manifest";

const ROOT = path.resolve(__dirname, "..", "..");
const SPECIFIER = /(?:\brequire\(\s*|\bimport\(\s*|\bfrom\s+|^\s*import\s+)["']([^"']+)["']/gm;

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(full);
        return e.name.endsWith(".ts") ? [full] : [];
    });
}

/** `file: specifier` for every import in the folder's TypeScript sources. */
function imports(folder: string): { file: string; specifier: string }[] {
    return tsFiles(path.join(ROOT, folder)).flatMap((file) =>
        [...fs.readFileSync(file, "utf8").matchAll(SPECIFIER)].map((m) => ({
            file: path.relative(ROOT, file),
            specifier: m[1],
        })),
    );
}

const PACKAGE_FOLDERS: Record<string, string> = {
    "@boxoffice/components": "components",
    "@boxoffice/tags": "tags",
    "@boxoffice/policies": "policies",
};

/** Why an import from a program (stacks/, examples/) bypasses a package's public index, or undefined. */
function bypass(file: string, specifier: string): string | undefined {
    for (const [name, folder] of Object.entries(PACKAGE_FOLDERS)) {
        if (specifier.startsWith(`${name}/`)) return `deep import of ${name}`;
        if (specifier.startsWith(".")) {
            const target = path.relative(path.join(ROOT, folder), path.resolve(ROOT, path.dirname(file), specifier));
            if (!target.startsWith("..")) return `imports ${folder}/ by path; use ${name}`;
        }
    }
    return undefined;
}

describe("package boundaries", () => {
    it("the check itself catches path and deep imports", () => {
        assert.equal(
            bypass("stacks/data-tier.ts", "../components/data/database"),
            "imports components/ by path; use @boxoffice/components",
        );
        assert.equal(
            bypass("stacks/config/load.ts", "../../components"),
            "imports components/ by path; use @boxoffice/components",
        );
        assert.equal(bypass("examples/x/index.ts", "../../tags"), "imports tags/ by path; use @boxoffice/tags");
        assert.equal(
            bypass("stacks/program.ts", "@boxoffice/components/network/network"),
            "deep import of @boxoffice/components",
        );
        assert.equal(bypass("stacks/program.ts", "./config/load"), undefined);
        assert.equal(bypass("stacks/program.ts", "@boxoffice/components"), undefined);
    });

    for (const folder of ["stacks", "examples"]) {
        it(`${folder}/ imports the components only through @boxoffice/components`, () => {
            const found = imports(folder);
            assert.ok(
                found.some((i) => i.specifier === "@boxoffice/components"),
                `${folder}/ imports the package`,
            );
            const bad = found.map((i) => [i.file, i.specifier, bypass(i.file, i.specifier)]).filter(([, , why]) => why);
            assert.deepEqual(bad, []);
        });
    }

    it("the examples import nothing of this repository but the package", () => {
        const local = imports("examples").filter((i) => i.specifier.startsWith("."));
        assert.deepEqual(local, []);
    });

    for (const folder of Object.values(PACKAGE_FOLDERS)) {
        it(`${folder}/ never imports a file outside its own folder`, () => {
            const escapes = imports(folder).filter(
                (i) =>
                    i.specifier.startsWith(".") &&
                    path
                        .relative(path.join(ROOT, folder), path.resolve(ROOT, path.dirname(i.file), i.specifier))
                        .startsWith(".."),
            );
            assert.deepEqual(escapes, []);
        });
    }

    it("the policy pack takes the tag vocabulary from @boxoffice/tags", () => {
        assert.ok(imports("policies").some((i) => i.specifier === "@boxoffice/tags"));
    });
});

describe("build:packages manifest check", () => {
    it("finds the packages compiled code imports: scoped, subpaths, type imports; not builtins or relative files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imports-"));
        try {
            fs.mkdirSync(path.join(dir, "sub"));
            fs.writeFileSync(
                path.join(dir, "index.js"),
                `const a = require("@pulumi/aws");\nconst e = require("@pulumi/awsx/ecr");\nconst f = require("fs");\nconst p = require("node:path");\nconst x = require("./sub/x");\n`,
            );
            fs.writeFileSync(
                path.join(dir, "sub", "x.d.ts"),
                `import { z } from "zod";\nexport declare const t: import("@pulumi/pulumi").Output<string>;\n`,
            );
            fs.writeFileSync(path.join(dir, "notes.md"), `require("left-pad")`);
            const found = importedPackages(dir);
            assert.deepEqual([...found.keys()].sort(), ["@pulumi/aws", "@pulumi/awsx", "@pulumi/pulumi", "zod"]);
            assert.deepEqual(found.get("zod"), [path.join("sub", "x.d.ts")]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
