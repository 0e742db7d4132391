/**
 * Reading a JSDoc `@default` as a value: the reference shows a literal as code and prose as prose, and the
 * contract test compares a literal with the component contract's default, so the two cannot drift.
 */
import * as ts from "typescript";

/** What `literalOf` returns for text that is not a plain literal (prose such as "a new key"). */
export const NOT_LITERAL = Symbol("not a literal");

/** The value of a literal expression (string, number, boolean, null, array or object of those), else NOT_LITERAL. */
export function literalValue(node: ts.Expression): unknown {
    if (ts.isParenthesizedExpression(node)) return literalValue(node.expression);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isNumericLiteral(node)) return Number(node.text);
    if (
        ts.isPrefixUnaryExpression(node) &&
        node.operator === ts.SyntaxKind.MinusToken &&
        ts.isNumericLiteral(node.operand)
    ) {
        return -Number(node.operand.text);
    }
    if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (node.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isArrayLiteralExpression(node)) {
        const items = node.elements.map((e) => literalValue(e));
        return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
    }
    if (ts.isObjectLiteralExpression(node)) return objectLiteral(node);
    return NOT_LITERAL;
}

function objectLiteral(node: ts.ObjectLiteralExpression): unknown {
    const out: Record<string, unknown> = {};
    for (const p of node.properties) {
        if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return NOT_LITERAL;
        const v = literalValue(p.initializer);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out[p.name.text] = v;
    }
    return out;
}

/** The expression `text` parses to on its own (e.g. `"16"`, `undefined`, `{}`), or undefined for prose. */
export function parseExpression(text: string): ts.Expression | undefined {
    if (text.trim() === "") return undefined;
    const parsed = ts.createSourceFile("default.ts", `(${text});`, ts.ScriptTarget.ES2022, true);
    // parseDiagnostics is internal but stable: the only way to tell prose from code without a full program.
    const diagnostics = (parsed as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
    const [stmt] = parsed.statements;
    if (parsed.statements.length !== 1 || diagnostics.length > 0 || !ts.isExpressionStatement(stmt)) return undefined;
    return stmt.expression;
}

/** The literal value a `@default` text states, or NOT_LITERAL when it is prose or an expression. */
export function literalOf(text: string): unknown {
    const expression = parseExpression(text);
    return expression === undefined ? NOT_LITERAL : literalValue(expression);
}
