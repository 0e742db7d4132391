import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    BuildInputs,
    contentTag,
    contextFiles,
    isIgnored,
    readIgnoreRules,
} from "../../../components/compute/build-context";
import { ContainerImage } from "../../../components/compute/container-image";
import { runProgram } from "../../../tools/offline/engine";
import { inputsOf, ofType } from "../../../tools/offline/values";
import { REPO_ROOT } from "../../../tools/offline/stack-files";

/** A throwaway build context: an app with a Dockerfile, a .dockerignore and a few files. */
function fixture(): { dir: string; inputs: BuildInputs; write(rel: string, text: string): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-ctx-"));
    const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
    };
    write(".dockerignore", "**/node_modules\n# a comment\nREADME.md\ndocs\n");
    write("app/Dockerfile", "FROM node:22\nCOPY app/src app/src\n");
    write("app/src/server.ts", "export const port = 8080;\n");
    write("package.json", "{}\n");
    write("README.md", "read me\n");
    write("docs/guide.txt", "guide\n");
    write("app/node_modules/x/index.js", "module.exports = 1;\n");
    return {
        dir,
        write,
        inputs: { context: dir, dockerfile: path.join(dir, "app/Dockerfile"), platform: "linux/arm64" },
    };
}

describe("build context digest (image tags)", () => {
    it("sends what .dockerignore lets through, the way Docker matches (** dirs, parent directories, ! exceptions)", () => {
        const { dir, write } = fixture();
        assert.deepStrictEqual(contextFiles(dir), [
            ".dockerignore",
            "app/Dockerfile",
            "app/src/server.ts",
            "package.json",
        ]);
        write(".dockerignore", "*\n!app/src\n!package.json\n");
        assert.deepStrictEqual(contextFiles(dir), ["app/src/server.ts", "package.json"]);
        const rules = readIgnoreRules(dir);
        assert.strictEqual(isIgnored("app/src/deep/x.ts", rules), false);
        assert.strictEqual(isIgnored("app/Dockerfile", rules), true);
    });

    it("same content, same tag; a changed context file, Dockerfile or platform, a new tag; an ignored file, no change", () => {
        const { inputs, write } = fixture();
        const first = contentTag(inputs);
        assert.match(first, /^src-[0-9a-f]{24}$/);
        assert.strictEqual(contentTag(inputs), first, "deterministic");
        write("README.md", "edited\n");
        write("app/node_modules/x/index.js", "module.exports = 2;\n");
        assert.strictEqual(contentTag(inputs), first, "files Docker never receives do not change the tag");
        write("app/src/server.ts", "export const port = 8081;\n");
        const second = contentTag(inputs);
        assert.notStrictEqual(second, first, "a changed source file is a new tag");
        write("app/src/server.ts", "export const port = 8080;\n");
        assert.strictEqual(contentTag(inputs), first, "content, not time: restoring the file restores the tag");
        write("app/src/new.ts", "export {};\n");
        assert.notStrictEqual(contentTag(inputs), first, "an added file is a new tag");
        fs.rmSync(path.join(inputs.context, "app/src/new.ts"));
        write("app/Dockerfile", "FROM node:24\nCOPY app/src app/src\n");
        assert.notStrictEqual(contentTag(inputs), first, "a changed Dockerfile is a new tag");
        write("app/Dockerfile", "FROM node:22\nCOPY app/src app/src\n");
        assert.notStrictEqual(
            contentTag({ ...inputs, platform: "linux/amd64" }),
            first,
            "another platform is another image",
        );
        assert.strictEqual(contentTag(inputs), first);
    });

    it("ContainerImage pushes under the content tag (or a given one); the task definitions keep the digest URI", async () => {
        let image!: ContainerImage;
        const run = await runProgram(() => {
            image = new ContainerImage("img", { dockerfile: "app/Dockerfile" });
        });
        const built = inputsOf(ofType(run, "awsx:ecr:Image")[0]);
        const expected = contentTag({ context: ".", dockerfile: "app/Dockerfile", platform: "linux/arm64" });
        assert.deepStrictEqual([built.imageTag, image.imageTag], [expected, expected]);
        assert.match(ofType(run, "awsx:ecr:Image")[0].outputs.imageUri, /@sha256:[0-9a-f]{64}$/);
        const pinned = await runProgram(() => {
            new ContainerImage("img", { dockerfile: "app/Dockerfile", imageTag: "commit-0123abc" });
        });
        assert.strictEqual(inputsOf(ofType(pinned, "awsx:ecr:Image")[0]).imageTag, "commit-0123abc");
        await assert.rejects(
            runProgram(() => {
                new ContainerImage("img", { imageTag: "-bad tag" });
            }),
            /imageTag = "-bad tag": must be a Docker tag/,
        );
        await assert.rejects(
            runProgram(() => {
                new ContainerImage("img", { context: "no-such-dir" });
            }),
            /context = "no-such-dir": must be a directory/,
        );
    });

    it("the repository's own context leaves out everything the image build never reads", () => {
        const files = contextFiles(REPO_ROOT);
        assert.ok(
            files.includes("app/src/server.ts") &&
                files.includes("package-lock.json") &&
                files.includes("app/Dockerfile"),
        );
        const stray = files.filter(
            (f) =>
                !/^(app\/(src\/|package\.json$|tsconfig\.json$|Dockerfile$)|package(-lock)?\.json$|\.dockerignore$)/.test(
                    f,
                ),
        );
        assert.deepStrictEqual(stray, [], "files that would change the tag without changing the image");
    });
});
