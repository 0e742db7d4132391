/**
 * `npm run docs` writes docs/reference/ from the TypeScript sources; `npm run docs -- --check` writes nothing
 * and exits 1 naming every page that differs from what would be generated (CI runs it through `npm test`).
 * Either way it exits 1, naming component and member, while a public Args field or output has no description
 * or an optional Args field has no `@default`: undocumented surface never reaches the reference.
 */
import { generate, ROOT, stalePages, write } from "./generate";

async function main(argv: string[]): Promise<number> {
    const unknown = argv.filter((a) => a !== "--check");
    if (unknown.length > 0) {
        console.error(`docs: unknown argument ${unknown[0]} (usage: npm run docs [-- --check])`);
        return 2;
    }
    const { pages, problems } = await generate();
    if (problems.length > 0) {
        console.error(`docs: the public surface is not fully documented:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        return 1;
    }
    if (!argv.includes("--check")) {
        write(ROOT, pages);
        return 0;
    }
    const stale = stalePages(ROOT, pages);
    if (stale.length === 0) return 0;
    console.error(
        `docs: out of date (run npm run docs and commit the result):\n${stale.map((f) => `  ${f}`).join("\n")}`,
    );
    return 1;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(1);
    },
);
