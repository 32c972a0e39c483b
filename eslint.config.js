// ESLint, flat config. Syntax-only rules (no type information), so `npm run lint` stays fast on a small machine;
// `npm run typecheck` is what checks types. Formatting belongs to Prettier (eslint-config-prettier turns the
// overlapping rules off).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "client/dist/", "data/", ".local/", "bench/results/", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an express error handler's `next`, a skipped tuple slot).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "prefer-const": ["error", { destructuring: "all" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "object-shorthand": ["error", "properties"],
      // Text cleaning matches control and zero-width characters on purpose (limits.ts, the tokenizer).
      "no-control-regex": "off",
      "no-misleading-character-class": "off",
      // A module keeping the instance that is active (db/commandTally.ts) is not the `const self = this` it targets.
      "@typescript-eslint/no-this-alias": "off",
    },
  },
  {
    // Tests and benchmarks poke at raw payloads (socket acks, JSON bodies) where `any` is the honest type.
    files: ["tests/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  { files: ["client/**"], languageOptions: { globals: { ...globals.browser } } },
  prettier,
);
