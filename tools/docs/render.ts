/**
 * Markdown for the API reference: one page per component and an index. Plain text in, plain text out; the
 * CLI passes each page through Prettier so the committed files are exactly what `prettier --check` expects.
 */
import type { ComponentDoc, ExportDoc, MemberDoc, Surface } from "./extract";
import { literalOf, NOT_LITERAL } from "./literal";

export const REFERENCE_DIR = "docs/reference";
const NOTICE = "Generated from the TypeScript sources by `npm run docs`; do not edit by hand.";

/** kebab-case page name of a component: `AutoscaledService` → `autoscaled-service.md`. */
export function pageName(component: string): string {
    return `${component.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}.md`;
}

/** Every page, keyed by path relative to the repository root, in a fixed order. */
export function renderReference(surface: Surface): Map<string, string> {
    const pages = new Map<string, string>();
    pages.set(`${REFERENCE_DIR}/README.md`, renderIndex(surface));
    for (const c of surface.components) pages.set(`${REFERENCE_DIR}/${pageName(c.name)}`, renderComponent(c));
    return pages;
}

function renderIndex(surface: Surface): string {
    const lines = [
        "# API reference: `components/`",
        "",
        `${NOTICE} The public surface is what \`components/index.ts\` exports; the component READMEs`,
        "(`components/<domain>/README.md`) explain the why, the HA behaviour and the cost.",
        "",
        "## Components",
        "",
        ...surface.components.map(
            (c) => `- [${c.name}](${pageName(c.name)}) (\`${c.typeToken}\`): ${summary(c.description)}`,
        ),
        "",
        "## Other exports",
        "",
        "Helpers, contracts and the types the components use, from `components/index.ts`.",
        "",
        ...surface.others.map((o) => otherItem({ ...o, summary: summary(o.summary) })),
    ];
    return `${lines.join("\n")}\n`;
}

function otherItem(o: ExportDoc): string {
    const text = o.summary ? `: ${o.summary}` : "";
    return `- \`${o.name}\` (${o.kind}, [${o.file}](../../${o.file}))${text}`;
}

function renderComponent(c: ComponentDoc): string {
    const lines = [
        `# ${c.name}`,
        "",
        `\`${c.typeToken}\` · source: [${c.file}](../../${c.file}) · ${NOTICE}`,
        "",
        c.description,
        "",
    ];
    if (c.examples.length > 0) lines.push("## Example", "", ...c.examples.flatMap((e) => ["```ts", e, "```", ""]));
    lines.push(
        `## Arguments: \`${c.argsName}\``,
        "",
        "`new " + `${c.name}(name: string, args: ${c.argsName}, opts?: pulumi.ComponentResourceOptions)\``,
        "",
    );
    for (const m of c.args) lines.push(...renderArg(m));
    lines.push("## Outputs", "", "Public readonly properties of the component.", "");
    for (const m of c.outputs) lines.push(...renderOutput(m));
    if (c.resources.length > 0) {
        lines.push(
            "## Raw children: `resources`",
            "",
            "The underlying resources, for what the arguments do not cover.",
            "",
        );
        lines.push(...c.resources.map((m) => listItem(m)), "");
    }
    if (c.transforms.length > 0) {
        lines.push(
            "## Transforms: `transform`",
            "",
            "Adjust one child's AWS arguments before it is created (see `Transform`).",
            "",
        );
        lines.push(...c.transforms.map((m) => listItem(m)), "");
    }
    return `${lines.join("\n").trimEnd()}\n`;
}

function renderArg(m: MemberDoc): string[] {
    const facts = [`Type: \`${m.type}\``, m.optional ? "optional" : "**required**"];
    if (m.default !== undefined) facts.push(`default: ${defaultText(m.default)}`);
    return [`### \`${m.name}\``, "", facts.join(" · "), "", m.description, ""];
}

function renderOutput(m: MemberDoc): string[] {
    return [`### \`${m.name}\``, "", `Type: \`${m.type}\``, "", m.description, ""];
}

function listItem(m: MemberDoc): string {
    const description = m.description ? `: ${m.description.replace(/\s+/g, " ")}` : "";
    return `- \`${m.name}${m.optional ? "?" : ""}\` (\`${m.type}\`)${description}`;
}

/** A default that is a value (`"16"`, `{}`, `undefined`) is shown as code; prose ("a key per cache") stays prose. */
function defaultText(text: string): string {
    return text === "undefined" || literalOf(text) !== NOT_LITERAL ? `\`${text}\`` : text;
}

/** The first sentence of a description, on one line, for the index. */
export function summary(text: string): string {
    const flat = text.replace(/\s+/g, " ").trim();
    const end = flat.search(/\.(\s|$)/);
    return end === -1 ? flat : flat.slice(0, end + 1);
}
