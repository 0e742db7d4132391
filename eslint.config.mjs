// House-style gate: `npm run lint` runs this and `prettier --check`. Formatting is Prettier's job alone, so no
// rule here concerns layout; these catch mistakes and keep the public contract documented.
import js from "@eslint/js";
import jsdoc from "eslint-plugin-jsdoc";
import globals from "globals";
import tseslint from "typescript-eslint";

/**
 * Every member of an exported `*Args` interface (not the fields of an inline object type inside one): what the
 * generated reference documents field by field.
 */
const EXPORTED_ARGS_MEMBER =
    "ExportNamedDeclaration > TSInterfaceDeclaration[id.name=/Args$/] > TSInterfaceBody > TSPropertySignature";

export default tseslint.config(
    { ignores: ["**/node_modules/", "**/dist/", ".rehearsal/", "app/.data/", "tests/policies/corpus/"] },
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        languageOptions: { globals: { ...globals.node } },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // Files stay short enough to read in one sitting (house style: about 400 lines after Prettier). Code
            // lines are counted: a why-comment should never be the line that forces a split.
            "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
            // `_name` marks a parameter a signature needs but the body does not use.
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
            ],
        },
    },
    {
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: {
            // CommonJS: `require` is how these plain-JS entry points import.
            "@typescript-eslint/no-require-imports": "off",
            // A CommonJS module's scope is a function's: `const crypto = require("crypto")` shadows Node's Web
            // Crypto global there, it does not redeclare it.
            "no-redeclare": ["error", { builtinGlobals: false }],
        },
    },
    {
        files: ["components/**/*.ts"],
        plugins: { jsdoc },
        rules: {
            "jsdoc/require-jsdoc": [
                "error",
                { require: { FunctionDeclaration: false }, contexts: [EXPORTED_ARGS_MEMBER] },
            ],
        },
    },
);
