import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ViteUserConfig } from "vitest/config";

// `npm run test:deployed` runs the end-to-end stories: against a deployed stage with API_URL, against the local
// server without. CI (`.ci/run` calls `npm test`) runs them against the local server inside its one vitest run, as
// the `stories` project, the very project `npm run test:deployed` runs alone: no second DynamoDB Local, no second
// synthesis of the stack's roles, and no story left out of CI.

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;

interface Project {
  test?: { name?: string; include?: string[]; exclude?: string[] };
}
const projectsOf = (config: ViteUserConfig) => (config.test?.projects ?? []) as Project[];
const named = (config: ViteUserConfig, name: string) =>
  projectsOf(config).find((project) => project.test?.name === name);

async function deployedConfig(apiUrl: string | undefined): Promise<ViteUserConfig> {
  vi.resetModules();
  vi.stubEnv("API_URL", apiUrl);
  return (await import("../../vitest.deployed.config")).default;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the test commands", () => {
  it("npm test runs every project of vitest.config.ts, the stories included, with no file or project left out", async () => {
    expect(scripts.test).toBe("npm run check && vitest run");
    const { default: config, storyFiles } = await import("../../vitest.config");
    expect(projectsOf(config).map((project) => project.test?.name)).toEqual(["local", "stories"]);
    expect(named(config, "stories")?.test?.include).toEqual(storyFiles);
    // The other project takes every test file but the stories, so each runs once.
    expect(named(config, "local")?.test).toMatchObject({ include: ["test/**/*.test.ts"], exclude: storyFiles });
    for (const file of storyFiles) expect(existsSync(join(root, file)), file).toBe(true);
  });

  it("npm run test:deployed without API_URL runs the stories project alone, on npm test's DynamoDB Local set-up", async () => {
    expect(scripts["test:deployed"]).toBe("vitest run --config vitest.deployed.config.ts");
    const { default: base, storiesProject } = await import("../../vitest.config");
    const local = await deployedConfig(undefined);
    expect(projectsOf(local)).toEqual([storiesProject]);
    expect(local.test?.globalSetup).toEqual(base.test?.globalSetup);
    expect(local.test?.setupFiles).toEqual(base.test?.setupFiles);
  });

  it("npm run test:deployed with API_URL runs the stories alone and starts nothing local", async () => {
    const { storyFiles } = await import("../../vitest.config");
    const stage = await deployedConfig("https://abc123.execute-api.eu-west-1.amazonaws.com/");
    expect(stage.test?.include).toEqual(storyFiles);
    expect(stage.test?.projects).toBeUndefined();
    expect(stage.test?.globalSetup).toBeUndefined();
    expect(stage.test?.setupFiles).toBeUndefined();
  });
});
