/**
 * The reference as it should be and the pages on disk that differ from it; `cli.ts` writes or checks them.
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { readSurface } from "./extract";
import { REFERENCE_DIR, renderReference } from "./render";

export const ROOT = path.resolve(__dirname, "../..");

export interface Generated {
    pages: Map<string, string>;
    problems: string[];
}

/** The reference as it should be, each page formatted by Prettier with the repository's settings. */
export async function generate(root: string = ROOT): Promise<Generated> {
    const surface = readSurface(root);
    if (surface.problems.length > 0) return { pages: new Map(), problems: surface.problems };
    const pages = new Map<string, string>();
    for (const [file, text] of renderReference(surface)) {
        const filepath = path.join(root, file);
        const options = (await prettier.resolveConfig(filepath)) ?? {};
        pages.set(file, await prettier.format(text, { ...options, filepath }));
    }
    return { pages, problems: [] };
}

/** Pages that differ from the generated ones, or exist but would not be generated (removed components). */
export function stalePages(root: string, pages: Map<string, string>): string[] {
    const stale = [...pages].filter(([file, text]) => readOrUndefined(path.join(root, file)) !== text).map(([f]) => f);
    const dir = path.join(root, REFERENCE_DIR);
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `${REFERENCE_DIR}/${f}`) : [];
    return [...stale, ...present.filter((f) => !pages.has(f))].sort();
}

function readOrUndefined(file: string): string | undefined {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

export function write(root: string, pages: Map<string, string>): void {
    fs.mkdirSync(path.join(root, REFERENCE_DIR), { recursive: true });
    for (const file of stalePages(root, pages)) {
        const text = pages.get(file);
        if (text === undefined) fs.rmSync(path.join(root, file));
        else fs.writeFileSync(path.join(root, file), text);
        console.log(`${text === undefined ? "removed" : "wrote"} ${file}`);
    }
}
