/**
 * Markdown for the API reference: one page per component and an index. Plain text in, plain text out; the
 * CLI passes each page through Prettier so the committed files are exactly what `prettier --check` expects.
 */
import type { ComponentDoc, ExportDoc, MemberDoc, Surface } from "./extract";
import { parseExpression } from "./literal";

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
        "| component | type token | summary |",
        "| --- | --- | --- |",
        ...surface.components.map(
            (c) => `| [${c.name}](${pageName(c.name)}) | \`${c.typeToken}\` | ${cell(firstParagraph(c.description))} |`,
        ),
        "",
        "## Other exports",
        "",
        "Helpers, contracts and the types the components use, from `components/index.ts`.",
        "",
        "| name | kind | source | summary |",
        "| --- | --- | --- | --- |",
        ...surface.others.map((o) => otherRow(o)),
    ];
    return `${lines.join("\n")}\n`;
}

function otherRow(o: ExportDoc): string {
    return `| \`${o.name}\` | ${o.kind} | [${o.file}](../../${o.file}) | ${cell(o.summary)} |`;
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
    lines.push(`## Arguments: \`${c.argsName}\``, "", "`new " + `${c.name}(name: string, args: ${c.argsName}, opts?: pulumi.ComponentResourceOptions)\``, "");
    for (const m of c.args) lines.push(...renderArg(m));
    lines.push("## Outputs", "", "Public readonly properties of the component.", "");
    for (const m of c.outputs) lines.push(...renderOutput(m));
    if (c.resources.length > 0) {
        lines.push("## Raw children: `resources`", "", "The underlying resources, for what the arguments do not cover.", "");
        lines.push(...c.resources.map((m) => listItem(m)), "");
    }
    if (c.transforms.length > 0) {
        lines.push("## Transforms: `transform`", "", "Adjust one child's AWS arguments before it is created (see `Transform`).", "");
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

/** A default that reads as code (`"16"`, `undefined`, `{}`) is shown as code; prose stays prose. */
function defaultText(text: string): string {
    return parseExpression(text) !== undefined && !text.includes("`") ? `\`${text}\`` : text;
}

function firstParagraph(text: string): string {
    return text.split(/\n\s*\n/)[0];
}

/** Text for a table cell: one line, pipes escaped. */
function cell(text: string): string {
    return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}
