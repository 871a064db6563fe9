// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

export default tseslint.config(
  { ignores: ["node_modules/", "cdk.out/", ".oms/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "local/*.mjs"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read configuration through functions/shared/env.ts (fail fast at cold start).",
        },
      ],
    },
  },
  {
    // Only the env helper, infra, the local cloud, benches and tests may read process.env.
    files: ["functions/shared/env.ts", "infra/**", "local/**", "bench/**", "test/**", "*.config.*"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["functions/domain/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@aws-sdk/*", "node:*", "aws-lambda", "../adapters/*", "../handlers/*"], message: "The domain is pure: no AWS SDK, no I/O." }] },
      ],
      // Nor a clock of its own: time comes in as a value (a Clock's now, a search's stopwatch).
      "no-restricted-properties": [
        "error",
        { object: "performance", property: "now", message: "The domain reads no clock: take the time (or a stopwatch) as an argument." },
        { object: "Date", property: "now", message: "The domain reads no clock: take the time as an argument." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: "Read configuration through functions/shared/env.ts (fail fast at cold start)." },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "The domain reads no clock: take the time as an argument." },
      ],
    },
  },
  {
    // The layers (ARCHITECTURE.md): the domain imports nothing outward; use cases depend on the
    // domain and their ports (app/ports.ts) only; adapters implement ports and never call a use
    // case; only handlers (the composition root) wire adapters to use cases. No import cycles.
    files: ["functions/**/*.ts", "infra/**/*.ts", "local/**/*.ts", "bench/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver": undefined,
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: "./functions/domain", from: ["./functions/app", "./functions/adapters", "./functions/handlers", "./functions/shared"], message: "The domain is pure: it imports nothing outward." },
            { target: "./functions/app", from: ["./functions/adapters", "./functions/handlers", "./functions/shared"], message: "Use cases depend on the domain and app/ports.ts only; adapters are injected." },
            { target: "./functions/adapters", from: "./functions/app", except: ["./ports.ts"], message: "Adapters implement ports (app/ports.ts) and never call a use case." },
            { target: "./functions/adapters", from: "./functions/handlers", message: "Adapters never import handlers." },
            { target: "./functions", from: ["./local", "./test", "./bench", "./infra"], message: "Function code knows nothing of the local cloud, tests, benches or infra." },
          ],
        },
      ],
    },
  },
  { files: ["**/*.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
