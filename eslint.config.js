// The linter of `npm run check` (and `npm run fix`): typescript-eslint with type information, over every
// TypeScript file tsconfig.json holds, and the plain JavaScript files beside them. Formatting is Prettier's
// job, layering dependency-cruiser's (.dependency-cruiser.cjs): no stylistic rules here.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", "cdk.out/", ".data/", "coverage/", "test-artifacts/", ".bench/", ".tmp*/"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A promise is awaited, returned, or handed to something that handles it; `void` says "on purpose".
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // No `any` flows unchecked: recommendedTypeChecked's no-unsafe-* family, and no `any` written by hand.
      "@typescript-eslint/no-explicit-any": "error",
      // A switch over a union names every member (or has a default that says why not).
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // Type-only imports say so (tsconfig's verbatimModuleSyntax relies on it).
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { ...globals.node } },
  },
);
