/**
 * A content digest of a Docker build: every file Docker would send as the build context (the `.dockerignore`
 * of the context applied the way Docker applies it), the Dockerfile, the platform, build arguments and target.
 * Pure file reading and hashing, so it is deterministic and unit-tested on its own.
 *
 * Why: `awsx.ecr.Image` without `imageTag` tags the image `<sha1(context path + dockerfile path + stack)>-container`
 * (pulumi-awsx `awsx/ecr/image.ts`, `createUniqueImageName`): the same tag for every build of the same stack. An
 * IMMUTABLE repository refuses the second push of a changed image under it. A tag derived from the content
 * changes exactly when what goes into the image changes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface BuildInputs {
    /** Build context directory (relative paths resolve against the current directory, like Docker's). */
    context: string;
    /** Dockerfile path, relative to the current directory. */
    dockerfile: string;
    platform: string;
    buildArgs?: Record<string, string>;
    target?: string;
}

interface IgnoreRule {
    regex: RegExp;
    exception: boolean;
}

/** One `.dockerignore` pattern as a regex over slash-separated context paths (Go filepath.Match plus `**`). */
function patternRegex(pattern: string): RegExp {
    let re = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*" && pattern[i + 1] === "*") {
            // `**/` matches zero or more directories; a trailing `**` matches everything below.
            if (pattern[i + 2] === "/") {
                re += "(?:.*/)?";
                i += 2;
            } else {
                re += ".*";
                i += 1;
            }
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else if (c === "\\" && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
        else re += /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
    }
    return new RegExp(`^${re}$`);
}

/** The rules of `<context>/.dockerignore`, in order; later rules win, `!` rules re-include. */
export function readIgnoreRules(contextDir: string): IgnoreRule[] {
    const file = path.join(contextDir, ".dockerignore");
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => {
            const exception = l.startsWith("!");
            const cleaned = path.posix
                .normalize((exception ? l.slice(1) : l).trim())
                .replace(/^\/+/, "")
                .replace(/\/+$/, "");
            return { regex: patternRegex(cleaned), exception };
        });
}

/**
 * Whether Docker leaves `rel` out of the context: the last rule that matches the path or one of its parent
 * directories decides (moby/patternmatcher, MatchesOrParentMatches).
 */
export function isIgnored(rel: string, rules: IgnoreRule[]): boolean {
    const parts = rel.split("/");
    const prefixes = parts.map((_p, i) => parts.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) {
        if (prefixes.some((p) => rule.regex.test(p))) ignored = !rule.exception;
    }
    return ignored;
}

/** Context files Docker would send, as sorted slash-separated paths relative to the context. */
export function contextFiles(contextDir: string): string[] {
    const rules = readIgnoreRules(contextDir);
    // A directory can be skipped whole only when no `!` rule could bring something below it back.
    const canPrune = !rules.some((r) => r.exception);
    const out: string[] = [];
    const walk = (dir: string, relDir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
            const ignored = isIgnored(rel, rules);
            if (entry.isDirectory()) {
                if (!(ignored && canPrune)) walk(path.join(dir, entry.name), rel);
            } else if (!ignored) {
                out.push(rel);
            }
        }
    };
    walk(path.resolve(contextDir), "");
    return out.sort();
}

/** sha256 (hex) over the context's files (path, executable bit, content), the Dockerfile and the build settings. */
export function buildDigest(inputs: BuildInputs): string {
    const hash = createHash("sha256");
    const field = (...parts: string[]) => hash.update(`${parts.join("\0")}\n`);
    field("platform", inputs.platform);
    field("target", inputs.target ?? "");
    for (const [k, v] of Object.entries(inputs.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)))
        field("arg", k, v);
    // The Dockerfile counts even where .dockerignore leaves it out of the context: Docker always reads it.
    field("dockerfile", inputs.dockerfile.split(path.sep).join("/"));
    hash.update(fs.readFileSync(inputs.dockerfile));
    for (const rel of contextFiles(inputs.context)) {
        const full = path.join(inputs.context, rel);
        const stat = fs.lstatSync(full);
        if (stat.isSymbolicLink()) {
            field("link", rel, fs.readlinkSync(full));
        } else {
            field("file", rel, stat.mode & 0o111 ? "x" : "-", String(stat.size));
            hash.update(fs.readFileSync(full));
        }
    }
    return hash.digest("hex");
}

/** An ECR tag for the build: `src-` and the first 24 hex digits (96 bits) of its digest. */
export function contentTag(inputs: BuildInputs): string {
    return `src-${buildDigest(inputs).slice(0, 24)}`;
}
