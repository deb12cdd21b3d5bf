import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalServer } from "../../infra/local/server";
import { jwtSecret } from "../support/api/in-process";
import { launchChromium, newPageThrough, startRecordingProxy, type RecordingProxy } from "../support/browser";
import { openApiDocument } from "../support/documented-answers";

// GET /docs in headless Chromium, served by the local server over HTTP, every browser request recorded.

const ARTIFACTS = "test-artifacts";

// What the functions that run in the page use of the browser's globals (the project compiles without the DOM lib).
declare const window: {
  innerHeight: number;
  refusedByPolicy: string[];
  scrollBy(x: number, y: number): void;
  scrollTo(x: number, y: number): void;
};
declare const document: {
  addEventListener(type: "securitypolicyviolation", listener: (event: { blockedURI: string }) => void): void;
  querySelector(selector: string): { textContent: string | null } | null;
};

let server: Server;
let origin: string;
let proxy: RecordingProxy;
let browser: Browser;

beforeAll(async () => {
  server = createLocalServer({ jwtSecret: jwtSecret() });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await startRecordingProxy(origin);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const operationSummaries = Object.values(openApiDocument.paths).flatMap((operations) =>
  Object.values(operations).map((operation) => operation.summary as string),
);

interface PageVisit {
  page: Page;
  errors: string[];
  /** What the page's content security policy refused: a URL, or `eval` for code built at run time. */
  refused: string[];
}

/** Opens the page and scrolls down until every operation is rendered (Scalar renders sections as they come near). */
async function whenTheReferencePageIsOpened(): Promise<PageVisit> {
  const page = await newPageThrough(browser, proxy.url);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.addInitScript(() => {
    window.refusedByPolicy = [];
    document.addEventListener("securitypolicyviolation", (event) => window.refusedByPolicy.push(event.blockedURI));
  });
  await page.goto(`${origin}/docs`, { waitUntil: "load" });
  await page.getByText(operationSummaries[0]!).first().waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    (summaries) => {
      window.scrollBy(0, window.innerHeight * 3);
      const rendered = document.querySelector("main")?.textContent ?? "";
      return summaries.every((summary) => rendered.includes(summary));
    },
    operationSummaries,
    { polling: 100, timeout: 60_000 },
  );
  const refused = await page.evaluate(() => window.refusedByPolicy);
  return { page, errors, refused };
}

describe("the reference page at GET /docs", () => {
  it("renders every operation of the document, loads nothing from another host, and is kept as a screenshot", async () => {
    const { page, errors, refused } = await whenTheReferencePageIsOpened();

    const main = await page.locator("main").innerText();
    expect(
      operationSummaries.filter((summary) => !main.includes(summary)),
      "operations not rendered",
    ).toEqual([]);
    expect(operationSummaries).toHaveLength(Object.values(openApiDocument.paths).flatMap(Object.keys).length);
    expect(errors, "script errors").toEqual([]);

    // The page, its script and the document came through the recording proxy, and nothing else did.
    expect(proxy.requests).toEqual(
      expect.arrayContaining([`${origin}/docs`, `${origin}/docs/reference.js`, `${origin}/openapi.json`]),
    );
    expect(
      proxy.requests.filter((url) => !url.startsWith(`${origin}/`)),
      "requests to another host",
    ).toEqual([]);
    // Only zod's check whether it may compile validators (`Function("")`, in Scalar's bundle) is refused.
    expect(
      refused.filter((blocked) => blocked !== "eval"),
      "loads the policy refused",
    ).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/reference-page.png` });
    await page.context().close();
  }, 120_000);
});
