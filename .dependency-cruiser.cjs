// The layering of the code, as rules `npm run check` enforces (docs/architecture.md tells why).
// Paths are relative to the repository's root. Type-only imports count too (tsPreCompilationDeps).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycle at all, type-level ones included: each module has a place in the layering.",
      from: {},
      to: { circular: true },
    },
    {
      name: "handlers-and-http-not-to-store",
      severity: "error",
      comment: "Handlers and the HTTP layer reach storage only through use cases (shared/use-cases).",
      from: { path: "^(functions|shared/http)/" },
      to: { path: "^shared/db/" },
    },
    {
      name: "store-not-up",
      severity: "error",
      comment: "The store (shared/db) knows keys and items, not use cases, HTTP or the API description.",
      from: { path: "^shared/db/" },
      to: { path: "^shared/(use-cases|http|api)/" },
    },
    {
      name: "domain-only-errors-and-ids",
      severity: "error",
      comment:
        "The domain (shared/domain) owns the vocabulary: of our modules it uses only shared/errors.ts and shared/ids.ts.",
      from: { path: "^shared/domain/" },
      to: { path: "^(shared|functions|infra|bench|test)/", pathNot: "^shared/(domain/|errors\\.ts$|ids\\.ts$)" },
    },
    {
      name: "not-to-infra",
      severity: "error",
      comment: "Runtime code (shared/, functions/) never reaches the cloud or local host (infra/).",
      from: {
        path: "^(shared|functions)/",
      },
      to: { path: "^infra/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|cdk\\.out|\\.data|coverage|test-artifacts)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
