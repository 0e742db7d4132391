/**
 * `npm run build:packages` refuses a publish manifest that disagrees with the compiled code (the full build and
 * pack run in `npm run test:packages`; this checks the refusals on a hand-made package).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { manifestProblems } from "../../tools/packages/build";
import { PACKAGES, publishManifest } from "../../tools/packages/manifest";

const zodVersion: string = JSON.parse(fs.readFileSync(require.resolve("zod/package.json"), "utf8")).version;

describe("build:packages manifest problems", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifest-"));
        fs.writeFileSync(
            path.join(dir, "index.js"),
            `require("@pulumi/aws"); require("zod"); require("@boxoffice/tags"); require("path");\n`,
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts the real components manifest against what its code imports", () => {
        const def = PACKAGES.find((p) => p.folder === "components")!;
        const source = JSON.parse(
            fs.readFileSync(path.join(__dirname, "..", "..", "components", "package.json"), "utf8"),
        );
        const manifest = publishManifest(def, source);
        fs.writeFileSync(
            path.join(dir, "all.js"),
            Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
                .map((n) => `require("${n}");`)
                .join("\n"),
        );
        try {
            assert.deepEqual(manifestProblems(def, manifest, dir), []);
        } finally {
            fs.rmSync(path.join(dir, "all.js"));
        }
    });

    it("names every undeclared import, unused dependency, untested range and sibling version mismatch", () => {
        const def = { name: "@boxoffice/components", folder: "components", assets: [] };
        const manifest = publishManifest(def, {
            name: "@boxoffice/components",
            version: "0.1.0",
            dependencies: { zod: "^3.0.0", "@boxoffice/tags": "9.9.9", "left-pad": "1.3.0" },
        });
        assert.deepEqual(manifestProblems(def, manifest, dir).sort(), [
            "@boxoffice/components: declares left-pad but never imports it",
            "@boxoffice/components: declares left-pad, which is not installed here",
            `@boxoffice/components: declares zod@^3.0.0, but the tested version is ${zodVersion}`,
            "@boxoffice/components: depends on @boxoffice/tags@9.9.9, but the @boxoffice/tags built with it is 0.1.0",
            "@boxoffice/components: imports @pulumi/aws (index.js) but does not declare it",
        ]);
    });

    it("a source folder refuses npm publish (its entry point is TypeScript); the built manifest carries no scripts", function () {
        this.timeout(60_000);
        for (const def of PACKAGES) {
            const folder = path.join(__dirname, "..", "..", def.folder);
            const run = spawnSync("npm", ["publish", "--dry-run"], { cwd: folder, encoding: "utf8" });
            assert.notEqual(run.status, 0, `npm publish in ${def.folder}/ was not refused`);
            assert.match(run.stderr, new RegExp(`npm publish dist/packages/${def.folder}`));
            const source = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8"));
            assert.equal("scripts" in publishManifest(def, source), false, `${def.name}: publish manifest has scripts`);
        }
    });
});
