import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readSurface } from "../../tools/docs/extract";
import { generate, stalePages } from "../../tools/docs/generate";

const ROOT = path.resolve(__dirname, "../..");

function tempRoot(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "boxoffice-docs-"));
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
    return root;
}

const THING = `
import * as pulumi from "@pulumi/pulumi";
export interface ThingArgs {
    /** Documented and required. */
    size: number;
    /** Documented but optional without a default. */
    colour?: string;
    shape?: string;
    /** Fine. @default 3 */
    count?: number;
}
/** A thing. */
export class Thing extends pulumi.ComponentResource {
    /** Documented. */
    readonly id: string;
    readonly arn: string;
    private readonly secret = 1;
    constructor(name: string, args: ThingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("test:x:Thing", name, {}, opts);
        this.id = name; this.arn = name; void args; void this.secret;
    }
}
`;

describe("API reference (npm run docs)", () => {
    it("the committed docs/reference is current: npm run docs -- --check exits 0", function () {
        this.timeout(120_000);
        const run = spawnSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "tools/docs/cli.ts", "--check"],
            {
                cwd: ROOT,
                encoding: "utf8",
            },
        );
        assert.strictEqual(run.status, 0, `${run.stdout}\n${run.stderr}`);
    });

    it("refuses an undocumented Args field or output and an optional field without @default, naming component and member", () => {
        const root = tempRoot({
            "components/index.ts": 'export { Thing, ThingArgs } from "./thing";\n',
            "components/thing.ts": THING,
        });
        try {
            assert.deepStrictEqual(readSurface(root).problems, [
                "Thing: ThingArgs.colour is optional but has no @default",
                "Thing: ThingArgs.shape has no description (JSDoc)",
                "Thing: ThingArgs.shape is optional but has no @default",
                "Thing: output arn has no description (JSDoc)",
            ]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("documents every component the index exports, with its type token, Args fields, outputs and children", async function () {
        this.timeout(120_000);
        const { pages, problems } = await generate(ROOT);
        assert.deepStrictEqual(problems, []);
        const db = pages.get("docs/reference/database.md") ?? "";
        assert.match(db, /^# Database$/m);
        assert.match(db, /`boxoffice:data:Database`/);
        assert.match(db, /### `engineVersion`\n\nType: `string` · optional · default: `"16"`/);
        assert.match(db, /### `allowedSecurityGroupIds`\n\nType: `pulumi.Input<string>\[\]` · \*\*required\*\*/);
        assert.match(db, /### `masterSecretArn`/, "an output");
        assert.match(db, /## Raw children: `resources`[\s\S]*- `writer` \(`aws.rds.Instance`\)/);
        assert.match(db, /## Transforms: `transform`[\s\S]*- `writer\?` \(`Transform<aws.rds.InstanceArgs>`\)/);
        assert.match(db, /### `vpcId`/, "inherited placement arguments are documented too");
        assert.match(pages.get("docs/reference/README.md") ?? "", /\[Database\]\(database.md\)/);
    });

    it("--check names a changed page and a page no component generates any more", async function () {
        this.timeout(120_000);
        const { pages } = await generate(ROOT);
        const root = tempRoot(Object.fromEntries(pages));
        try {
            assert.deepStrictEqual(stalePages(root, pages), []);
            fs.appendFileSync(path.join(root, "docs/reference/network.md"), "edited by hand\n");
            fs.writeFileSync(path.join(root, "docs/reference/removed-component.md"), "# Gone\n");
            assert.deepStrictEqual(stalePages(root, pages), [
                "docs/reference/network.md",
                "docs/reference/removed-component.md",
            ]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
