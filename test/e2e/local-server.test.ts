import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { smtpDelivery, smtpTransport } from "../../shared/mail/smtp-delivery";
import { httpApi } from "../support/api/over-http";
import { mailIn } from "../support/mail";
import { uniqueHandle } from "../support/host";

// The local server as a user runs it (`npm start`), driven over real HTTP.

const running: ChildProcess[] = [];

interface StartedServer {
  url: string;
  inboxUrl: string;
  smtpPort: number;
  child: ChildProcess;
}

function startServer(env: Record<string, string>): Promise<StartedServer> {
  const mailDir = mkdtempSync(join(tmpdir(), "local-mail-"));
  temporaryDirs.push(mailDir);
  const child = spawn("node_modules/.bin/tsx", ["infra/local/start.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      LOG_LEVEL: "silent",
      LOCAL_JWT_SECRET: "e2e-secret",
      LOCAL_MAIL_DIR: mailDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const api = /Local API listening on (http:\/\/localhost:\d+)/.exec(output);
      const mail = /Local mail inbox on (http:\/\/localhost:\d+) \(SMTP at 127\.0\.0\.1:(\d+)\)/.exec(output);
      if (api && mail) resolve({ url: api[1]!, inboxUrl: mail[1]!, smtpPort: Number(mail[2]), child });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function token(sub: string, groups: string, ...more: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("node_modules/.bin/tsx", ["infra/local/token.ts", "--sub", sub, "--groups", groups, ...more], {
      env: { ...process.env, LOCAL_JWT_SECRET: "e2e-secret" },
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`token exited ${code}`))));
  });
}

const temporaryDirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the local server over HTTP", () => {
  it("serves the contract with a printed token, against a running DynamoDB Local", async () => {
    const { url } = await startServer({
      DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"),
      TABLE_NAME: `e2e-${Date.now()}`,
      CORS_ALLOWED_ORIGINS: "https://app.example.com",
    });
    const api = httpApi(url);
    expect((await api.GET("/health")).data).toEqual({ status: "ok" });

    const bearer = await token("e2e-alice", "authors");
    const handle = uniqueHandle("e2e");
    const created = await api.PUT("/me", { token: bearer, body: { handle, displayName: "Alice" } });
    expect(created.status).toBe(201);
    expect(created.headers["x-content-type-options"]).toBe("nosniff");
    expect((await api.GET("/handles/{handle}", { path: { handle: handle.toUpperCase() } })).data).toMatchObject({
      userId: "e2e-alice",
      role: "author",
    });

    const unauthorized = await api.GET("/me");
    expect([unauthorized.status, unauthorized.json]).toEqual([401, { message: "Unauthorized" }]);
    const unknown = await api.unchecked("GET", "/definitely/not/here");
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);

    // API Gateway's limits and CORS, as `npm start` plays them.
    const tooLarge = await api.unchecked("PUT", "/me", { rawBody: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) });
    expect([tooLarge.status, tooLarge.json]).toEqual([413, { message: "Request Entity Too Large" }]);
    const preflight = await fetch(`${url}/me`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "PUT" },
    });
    expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([
      204,
      "https://app.example.com",
    ]);
  });

  it("refuses to start with a malformed CORS_ALLOWED_ORIGINS", async () => {
    await expect(
      startServer({ DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"), CORS_ALLOWED_ORIGINS: "https://app.example.com/" }),
    ).rejects.toThrow(/CORS_ALLOWED_ORIGINS: "https:\/\/app.example.com\/" is not an origin/);
  });

  it("describes itself: GET /openapi.json and the reference page at GET /docs", async () => {
    const { url } = await startServer({
      DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"),
      TABLE_NAME: `e2e-${Date.now()}`,
    });
    const api = httpApi(url);
    const description = await api.GET("/openapi.json");
    expect([description.status, description.data.openapi]).toEqual([200, "3.1.1"]);
    const page = await api.GET("/docs");
    expect([page.status, page.headers["content-type"]]).toEqual([200, "text/html; charset=utf-8"]);
    const script = await api.GET("/docs/reference.js", { headers: { "accept-encoding": "gzip" } });
    expect([script.status, script.headers["content-encoding"]]).toEqual([200, "gzip"]);
    expect(script.text).toContain("@scalar/api-reference");
  });

  it("starts its own DynamoDB Local and keeps data across restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "local-api-"));
    try {
      const env = { LOCAL_DATA_DIR: dataDir, TABLE_NAME: "persisted" };
      const first = await startServer(env);
      const bearer = await token("e2e-bob", "");
      const handle = uniqueHandle("keep");
      const created = await httpApi(first.url).PUT("/me", { token: bearer, body: { handle, displayName: "Bob" } });
      expect(created.status).toBe(201);
      await stop(first.child);

      const second = await startServer(env);
      const profile = await httpApi(second.url).GET("/users/{userId}", { path: { userId: "e2e-bob" } });
      expect(profile.data.handle).toBe(handle);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("runs a mail sink beside the API, prints its web inbox, and takes tokens with an email claim", async () => {
    // Given the local server as `npm start` runs it.
    const { url, inboxUrl, smtpPort } = await startServer({
      DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"),
      TABLE_NAME: `e2e-${Date.now()}`,
    });
    // Then its web inbox answers, empty at first.
    const inbox = await fetch(inboxUrl, { headers: { accept: "text/html" } });
    expect([inbox.status, (await inbox.text()).includes("<title>MailDev</title>")]).toEqual([200, true]);
    expect(await (await fetch(`${inboxUrl}/api/email`)).json()).toEqual([]);

    // When a token carries an email claim, the API takes it like any other token.
    const bearer = await token("e2e-carla", "", "--email", "carla@example.test");
    const created = await fetch(`${url}/me`, {
      method: "PUT",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ handle: uniqueHandle("mail"), displayName: "Carla" }),
    });
    expect(created.status).toBe(201);

    // And a notice sent over SMTP to the printed port shows in the printed inbox.
    const notice = {
      userId: "e2e-carla",
      lastEmailClaim: "carla@example.test",
      message: { subject: "Test", text: "Hallo", html: "<p>Hallo</p>" },
    };
    const delivery = smtpDelivery(
      { address: "notices@trading-community.test" },
      smtpTransport({ host: "127.0.0.1", port: smtpPort }),
    );
    expect(await delivery.deliver(notice)).toBe("sent");
    const [mail] = await mailIn(inboxUrl, "carla@example.test");
    expect([mail?.subject, mail?.text?.trim()]).toEqual(["Test", "Hallo"]);
  }, 120_000);
});
