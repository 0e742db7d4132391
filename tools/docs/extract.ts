/**
 * Reads the public surface of `components/index.ts` with the TypeScript compiler API: every exported
 * ComponentResource class with its Args, outputs, raw children and transforms, and the other exported names.
 *
 * Only the files under components/ are loaded (`noResolve`), so the run does not parse the tens of megabytes of
 * provider declarations: types are shown as written in the source (`pulumi.Output<string>`), which is also what a
 * reader of the code sees.
 */
import * as path from "path";
import * as ts from "typescript";

/** One documented member: an Args field, an output, a raw child or a transform. */
export interface MemberDoc {
    name: string;
    /** The type as written in the source, whitespace collapsed. */
    type: string;
    optional: boolean;
    description: string;
    /** The `@default` text, when there is one. */
    default?: string;
}

export interface ComponentDoc {
    name: string;
    /** The Pulumi type token passed to `super`, e.g. `boxoffice:data:Database`. */
    typeToken: string;
    /** Source file, relative to the repository root. */
    file: string;
    description: string;
    examples: string[];
    argsName: string;
    args: MemberDoc[];
    outputs: MemberDoc[];
    resources: MemberDoc[];
    transforms: MemberDoc[];
}

/** Any other exported name: helpers, constants, contracts and the types they use. */
export interface ExportDoc {
    name: string;
    kind: string;
    file: string;
    /** Its JSDoc description (the index shows the first sentence). */
    summary: string;
}

export interface Surface {
    components: ComponentDoc[];
    others: ExportDoc[];
    /** Each names the component and the member: the generator refuses to write docs while any remain. */
    problems: string[];
}

export function readSurface(root: string): Surface {
    const files = ts.sys.readDirectory(path.join(root, "components"), [".ts"]).sort();
    const program = ts.createProgram(files, {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        strict: true,
        noEmit: true,
        noResolve: true,
        types: [],
    });
    const checker = program.getTypeChecker();
    const index = program.getSourceFile(path.join(root, "components", "index.ts"));
    const moduleSymbol = index && checker.getSymbolAtLocation(index);
    if (!moduleSymbol) throw new Error("components/index.ts not found or not a module");
    const reader = new SurfaceReader(checker, root);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) reader.add(exported);
    return reader.result();
}

class SurfaceReader {
    private readonly components: ComponentDoc[] = [];
    private readonly others: ExportDoc[] = [];
    private readonly problems: string[] = [];
    /** Interfaces a component page already documents (its Args, Resources and Transform types). */
    private readonly covered = new Set<string>();

    constructor(
        private readonly checker: ts.TypeChecker,
        private readonly root: string,
    ) {}

    add(exported: ts.Symbol): void {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exported) : exported;
        const decl = symbol.declarations?.[0];
        if (!decl) return;
        if (ts.isClassDeclaration(decl) && extendsComponentResource(decl)) {
            this.components.push(this.component(symbol, decl));
        } else {
            this.others.push({
                name: exported.name,
                kind: kindOf(decl),
                file: this.relative(decl),
                summary: this.doc(symbol),
            });
        }
    }

    result(): Surface {
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, "en");
        return {
            components: [...this.components].sort(byName),
            others: this.others.filter((o) => !this.covered.has(o.name)).sort(byName),
            problems: this.problems,
        };
    }

    private component(symbol: ts.Symbol, decl: ts.ClassDeclaration): ComponentDoc {
        const name = symbol.name;
        const ctor = decl.members.find(ts.isConstructorDeclaration);
        const argsParam = ctor?.parameters[1];
        if (!ctor || !argsParam?.type) throw new Error(`${name}: the constructor must be (name, args: XxxArgs, opts?)`);
        const argsName = argsParam.type.getText();
        const argsType = this.checker.getTypeFromTypeNode(argsParam.type);
        const args = this.members(argsType).map((m) => this.checkArg(name, argsName, m));
        const outputs = this.outputs(decl).map((m) => this.checkOutput(name, m));
        const resources = this.childrenOf(decl.members.find((m) => memberName(m) === "resources"));
        const transforms = this.childrenOf(argsType.getProperty("transform")?.valueDeclaration);
        this.covered.add(argsName);
        this.coverTypeOf(decl.members.find((m) => memberName(m) === "resources"));
        this.coverTypeOf(argsType.getProperty("transform")?.valueDeclaration);
        return {
            name,
            typeToken: typeTokenOf(ctor) ?? "",
            file: this.relative(decl),
            description: this.doc(symbol),
            examples: this.tags(symbol, "example"),
            argsName,
            args,
            outputs,
            resources,
            transforms,
        };
    }

    private checkArg(component: string, argsName: string, m: MemberDoc): MemberDoc {
        if (!m.description) this.problems.push(`${component}: ${argsName}.${m.name} has no description (JSDoc)`);
        if (m.optional && m.default === undefined)
            this.problems.push(`${component}: ${argsName}.${m.name} is optional but has no @default`);
        return m;
    }

    private checkOutput(component: string, m: MemberDoc): MemberDoc {
        if (!m.description) this.problems.push(`${component}: output ${m.name} has no description (JSDoc)`);
        return m;
    }

    /** Public readonly instance properties: the component's outputs. */
    private outputs(decl: ts.ClassDeclaration): MemberDoc[] {
        const found: MemberDoc[] = [];
        for (const member of decl.members) {
            if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
            const flags = ts.getCombinedModifierFlags(member);
            const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static;
            if (!(flags & ts.ModifierFlags.Readonly) || flags & hidden) continue;
            const symbol = this.checker.getSymbolAtLocation(member.name);
            if (symbol) found.push(this.memberDoc(symbol, member));
        }
        return found;
    }

    /** The members of a property's type (the `resources` output, the `transform` argument), documented or not. */
    private childrenOf(decl: ts.Declaration | undefined): MemberDoc[] {
        const typeNode =
            decl && (ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl)) ? decl.type : undefined;
        if (!typeNode) return [];
        return this.members(this.checker.getTypeFromTypeNode(typeNode));
    }

    private coverTypeOf(decl: ts.Declaration | undefined): void {
        const typeNode =
            decl && (ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl)) ? decl.type : undefined;
        if (typeNode && ts.isTypeReferenceNode(typeNode)) this.covered.add(typeNode.typeName.getText());
    }

    private members(type: ts.Type): MemberDoc[] {
        return this.checker.getPropertiesOfType(this.checker.getNonNullableType(type)).flatMap((p) => {
            const decl = p.valueDeclaration;
            return decl ? [this.memberDoc(p, decl)] : [];
        });
    }

    private memberDoc(symbol: ts.Symbol, decl: ts.Declaration): MemberDoc {
        const typeNode = ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl) ? decl.type : undefined;
        const type = typeNode ? printType(typeNode) : this.checker.typeToString(this.checker.getTypeAtLocation(decl));
        const [fallback] = this.tags(symbol, "default");
        return {
            name: symbol.name,
            type,
            optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
            description: this.doc(symbol),
            ...(fallback === undefined ? {} : { default: fallback }),
        };
    }

    private doc(symbol: ts.Symbol): string {
        return ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim();
    }

    private tags(symbol: ts.Symbol, tag: string): string[] {
        return symbol
            .getJsDocTags(this.checker)
            .filter((t) => t.name === tag)
            .map((t) => ts.displayPartsToString(t.text).trim());
    }

    private relative(decl: ts.Node): string {
        return path.relative(this.root, decl.getSourceFile().fileName).split(path.sep).join("/");
    }
}

const printer = ts.createPrinter({ removeComments: true });

/**
 * A type as the compiler prints it, on one line: the same text however the source is formatted (line breaks,
 * trailing separators and commas), so reformatting the code never makes the reference stale.
 */
function printType(node: ts.TypeNode): string {
    const text = printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());
    return text.replace(/\s+/g, " ").replace(/;\s*}/g, " }").trim();
}

function extendsComponentResource(decl: ts.ClassDeclaration): boolean {
    return (decl.heritageClauses ?? []).some((h) =>
        h.types.some((t) => /\bComponentResource$/.test(t.expression.getText())),
    );
}

function memberName(member: ts.ClassElement): string | undefined {
    return member.name && ts.isIdentifier(member.name) ? member.name.text : undefined;
}

/** The string literal given to `super(...)` as the type token. */
function typeTokenOf(ctor: ts.ConstructorDeclaration): string | undefined {
    let token: string | undefined;
    const visit = (node: ts.Node): void => {
        if (token) return;
        if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
            const [first] = node.arguments;
            if (first && ts.isStringLiteral(first)) token = first.text;
            return;
        }
        ts.forEachChild(node, visit);
    };
    visit(ctor);
    return token;
}

function kindOf(decl: ts.Declaration): string {
    if (ts.isFunctionDeclaration(decl)) return "function";
    if (ts.isClassDeclaration(decl)) return "class";
    if (ts.isInterfaceDeclaration(decl)) return "interface";
    if (ts.isTypeAliasDeclaration(decl)) return "type";
    if (ts.isVariableDeclaration(decl)) return "constant";
    return "export";
}
