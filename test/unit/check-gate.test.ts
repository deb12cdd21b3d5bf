import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser";
import { ESLint } from "eslint";
import * as prettier from "prettier";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// `npm run check` is a gate only if it can shut: each of its tools, with the repository's own configuration, fails
// on a violation planted in a small fixture, naming the rule, and passes the same fixture without it. Fixtures live
// in memory (tsc, ESLint, Prettier) or in a temporary tree (dependency-cruiser), so the whole repository is checked
// once, by `npm run check`, and not again here.

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const at = (path: string) => join(root, path);

it("npm test runs npm run check first, and so does CI (.ci/run calls npm test)", () => {
  const scripts = (JSON.parse(readFileSync(at("package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  expect(scripts.test).toMatch(/^npm run check && /);
  expect(readFileSync(at(".ci/run"), "utf8")).toMatch(/\bnpm test\b/);
});

describe("tsc and typescript-eslint, on files that exist only in memory", () => {
  // Virtual files beside the real handlers, compiled with tsconfig.json's options against the real modules.
  const planted = new Map([
    [
      at("functions/http/planted-type-error.ts"),
      'import type { Role } from "../../shared/domain/roles";\nexport const role: Role = "superuser";\n',
    ],
    [
      at("functions/http/planted-well-typed.ts"),
      'import type { Role } from "../../shared/domain/roles";\nexport const role: Role = "reader";\n',
    ],
    [
      at("functions/http/planted-floating-promise.ts"),
      "async function save(): Promise<void> {}\nexport function handler(): string {\n  save();\n  return 'saved';\n}\n",
    ],
    [
      at("functions/http/planted-awaited-promise.ts"),
      "async function save(): Promise<void> {}\nexport async function handler(): Promise<string> {\n  await save();\n  return 'saved';\n}\n",
    ],
  ]);
  let program: ts.Program;
  let eslint: ESLint;

  beforeAll(() => {
    const config = ts.getParsedCommandLineOfConfigFile(
      at("tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
      },
    );
    if (!config) throw new Error("tsconfig.json did not parse");
    const base = ts.createCompilerHost(config.options);
    const host: ts.CompilerHost = {
      ...base,
      fileExists: (file) => planted.has(file) || base.fileExists(file),
      readFile: (file) => planted.get(file) ?? base.readFile(file),
      getSourceFile: (file, language, ...rest) => {
        const text = planted.get(file);
        return text === undefined
          ? base.getSourceFile(file, language, ...rest)
          : ts.createSourceFile(file, text, language);
      },
    };
    program = ts.createProgram([...planted.keys()], config.options, host);
    // The repository's eslint.config.js, its rules untouched; only the type information comes from this program.
    eslint = new ESLint({
      cwd: root,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
    });
  });

  const typeErrors = (file: string) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(at(file)))
      .map((diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
  const lintFindings = async (file: string) => {
    const [result] = await eslint.lintText(planted.get(at(file))!, { filePath: at(file) });
    return (result?.messages ?? []).map((message) => `${message.ruleId ?? "(parser)"}: ${message.message}`);
  };

  it("tsc fails on a type error (TS2322) and passes the well-typed twin", () => {
    expect(typeErrors("functions/http/planted-type-error.ts")).toEqual([
      expect.stringMatching(/^TS2322: Type '"superuser"' is not assignable to type /),
    ]);
    expect(typeErrors("functions/http/planted-well-typed.ts")).toEqual([]);
  });

  it("ESLint fails on a floating promise (@typescript-eslint/no-floating-promises) and passes the awaited twin", async () => {
    expect(await lintFindings("functions/http/planted-floating-promise.ts")).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-floating-promises: /),
    ]);
    expect(await lintFindings("functions/http/planted-awaited-promise.ts")).toEqual([]);
  });
});

describe("dependency-cruiser, on a temporary tree laid out as the repository", () => {
  let tree: string;
  let violations: string[];

  const files: Record<string, string> = {
    // A handler that reaches the store (forbidden) and one that goes through a use case (allowed).
    "functions/http/planted-handler.ts": 'import { readThing } from "../../shared/db/thing-store";\nreadThing();\n',
    "functions/http/layered-handler.ts": 'import { thing } from "../../shared/use-cases/things";\nthing();\n',
    "shared/use-cases/things.ts": 'import { readThing } from "../db/thing-store";\nexport const thing = readThing;\n',
    "shared/db/thing-store.ts": "export const readThing = () => 1;\n",
    // A cycle that exists only at type level.
    "shared/domain/first.ts": 'import type { Second } from "./second";\nexport type First = { next: Second };\n',
    "shared/domain/second.ts": 'import type { First } from "./first";\nexport type Second = { back?: First };\n',
    // The domain reaching the API's schemas; the store reaching a use case; shared code reaching infra.
    "shared/domain/vocabulary.ts": 'import type { Shape } from "../schemas/shapes";\nexport type Word = Shape;\n',
    "shared/schemas/shapes.ts": "export type Shape = string;\n",
    "shared/db/upward-store.ts": 'import { thing } from "../use-cases/things";\nexport const upward = thing;\n',
    "shared/http/hosted.ts": 'import { app } from "../../infra/app";\nexport const hosted = app;\n',
    "infra/app.ts": "export const app = 1;\n",
    // A handler reading the route table: the exception there was until each route was declared once (issue 21).
    "functions/http/route-not-found.ts": 'import { routes } from "../../infra/routes";\nexport const all = routes;\n',
    "infra/routes.ts": "export const routes = [];\n",
  };

  beforeAll(async () => {
    tree = mkdtempSync(join(tmpdir(), "check-gate-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    }
    const config = createRequire(import.meta.url)(at(".dependency-cruiser.cjs")) as {
      forbidden: IForbiddenRuleType[];
      options: { tsPreCompilationDeps: boolean };
    };
    const result = (
      await cruise(["functions", "shared", "infra"], {
        baseDir: tree,
        validate: true,
        ruleSet: { forbidden: config.forbidden },
        tsPreCompilationDeps: config.options.tsPreCompilationDeps,
      })
    ).output as ICruiseResult;
    violations = result.summary.violations.map(
      (violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`,
    );
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  it("fails a handler importing a store (handlers-and-http-not-to-store), not one going through a use case", () => {
    expect(violations).toContain(
      "handlers-and-http-not-to-store: functions/http/planted-handler.ts -> shared/db/thing-store.ts",
    );
    expect(violations.filter((violation) => violation.includes("layered-handler"))).toEqual([]);
  });

  it("fails a cycle, also one of type-only imports (no-circular)", () => {
    expect(violations).toContain("no-circular: shared/domain/first.ts -> shared/domain/second.ts");
  });

  it("fails the domain reaching past errors and ids, the store reaching up, shared code reaching infra", () => {
    expect(violations).toEqual(
      expect.arrayContaining([
        "domain-only-errors-and-ids: shared/domain/vocabulary.ts -> shared/schemas/shapes.ts",
        "store-not-up: shared/db/upward-store.ts -> shared/use-cases/things.ts",
        "not-to-infra: shared/http/hosted.ts -> infra/app.ts",
      ]),
    );
  });

  it("lets no handler read the route table any more: infra/ is the hosts' alone", () => {
    expect(violations.filter((violation) => violation.includes("route-not-found"))).toEqual([
      "not-to-infra: functions/http/route-not-found.ts -> infra/routes.ts",
    ]);
  });
});

describe("Prettier, with .prettierrc.json", () => {
  it("fails an unformatted file and passes it formatted", async () => {
    const filepath = at("functions/http/planted.ts");
    const options = { ...(await prettier.resolveConfig(filepath)), filepath };
    const unformatted = "export const answer = {status:200,body:'ok'}\n";
    expect(await prettier.check(unformatted, options)).toBe(false);
    expect(await prettier.check(await prettier.format(unformatted, options), options)).toBe(true);
  });
});
