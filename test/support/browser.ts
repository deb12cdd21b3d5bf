import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";

// Headless Chromium for the reference page: Debian's `chromium` (apt), driven by playwright-core, never a browser
// that Playwright downloads. Every request a page sends goes through a recording proxy, so what leaves the page is
// known whatever made it (the page, a worker, a font, a favicon).

const CHROMIUM = "/usr/bin/chromium";

/**
 * Chromium keeps only the last `--disable-features`, so this one repeats playwright-core's list (its comments give
 * the reasons) and adds AutofillServerCommunication: Chromium asks content-autofill.googleapis.com about every page
 * with input fields otherwise, through the page's own proxy.
 */
const disabledFeatures = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "AutofillServerCommunication",
];

export interface RecordingProxy {
  url: string;
  /** Every request the browser sent: absolute URLs, and `CONNECT host:port` for tunnels it asked for. */
  requests: string[];
  close(): Promise<void>;
}

/** A forward proxy that passes requests for `allowedOrigin` on and refuses (and records) every other one. */
export async function startRecordingProxy(allowedOrigin: string): Promise<RecordingProxy> {
  const requests: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const target = new URL(incoming.url ?? "/", "http://invalid");
    requests.push(target.href);
    if (target.origin !== allowedOrigin) {
      outgoing.writeHead(502).end();
      return;
    }
    const forwarded = httpRequest(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on("error", () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  server.on("connect", (incoming, socket) => {
    requests.push(`CONNECT ${incoming.url}`);
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-gpu",
      `--disable-features=${disabledFeatures.join(",")}`,
    ],
  });
}

/**
 * A page whose every request, to loopback addresses too, goes through `proxyUrl`. The proxy is the page's
 * (its browser context's), so the browser's own traffic (component updates, sign-in checks) is not counted.
 */
export async function newPageThrough(browser: Browser, proxyUrl: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    // `<-loopback>` takes loopback addresses off the implicit bypass list: requests to the API are recorded too.
    proxy: { server: proxyUrl, bypass: "<-loopback>" },
  });
  return context.newPage();
}
