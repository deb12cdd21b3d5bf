import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalServer } from "../../infra/local/server";
import { jwtSecret } from "../support/api/in-process";
import { httpApi } from "../support/api/over-http";
import { startCognitoEndpoint, type CognitoEndpoint } from "../support/cognito-endpoint";
import { aPassword, cognitoTestUsers, userPoolSettingsFrom } from "../support/cognito-users";
import { e2eHost } from "../support/e2e-host";
import { given } from "../support/given";
import { useHost } from "../support/host";
import { then } from "../support/then";
import { when } from "../support/when";

// `npm run test:deployed` without AWS: its way of signing test users in (the real Cognito SDK client, against a user
// pool on loopback that speaks Cognito's wire protocol: test/support/cognito-endpoint.ts) and of cleaning up after
// itself, driving the local server over HTTP as it drives a stage.

let cognito: CognitoEndpoint;
let server: Server;
let apiUrl: string;

beforeAll(async () => {
  cognito = await startCognitoEndpoint();
  server = createLocalServer({ jwtSecret: jwtSecret() });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await cognito?.close();
});

const settings = () => ({
  userPoolId: cognito.userPoolId,
  clientId: cognito.clientId,
  client: { endpoint: cognito.url, credentials: { accessKeyId: "test", secretAccessKey: "test" } },
});

describe("test users of a stage's user pool", () => {
  it("are made without a mail, with a permanent password, in their groups, and signed in with their ID token", async () => {
    const users = cognitoTestUsers(settings());

    const author = await users.signIn(["authors"], "author");

    expect(cognito.calls.map((call) => call.operation)).toEqual([
      "AdminCreateUser",
      "AdminSetUserPassword",
      "AdminAddUserToGroup",
      "AdminInitiateAuth",
    ]);
    const [created, password, group, signIn] = cognito.calls.map((call) => call.body);
    expect([created?.MessageAction, created?.Username]).toEqual(["SUPPRESS", created?.UserAttributes?.[0]?.Value]);
    expect(created?.Username).toMatch(/@e2e\.example\.com$/);
    expect(password).toMatchObject({ Permanent: true, Username: created!.Username });
    expect(group).toMatchObject({ GroupName: "authors" });
    expect(signIn).toMatchObject({ AuthFlow: "ADMIN_USER_PASSWORD_AUTH", ClientId: cognito.clientId });
    expect(cognito.calls.every((call) => call.signed)).toBe(true);
    // The host accepts the token: the user is whom its subject names, with the role its groups give.
    const api = httpApi(apiUrl);
    expect(
      (await api.PUT("/me", { token: author.token, body: { handle: author.handle, displayName: "A" } })).status,
    ).toBe(201);
    expect((await api.GET("/me", { token: author.token })).data).toMatchObject({
      userId: author.userId,
      role: "author",
    });

    await users.deleteAll();
    expect(cognito.users().size).toBe(0);
    expect(cognito.calls.at(-1)).toMatchObject({ operation: "AdminDeleteUser", body: { Username: created!.Username } });
  });

  it("meet the pool's password policy", () => {
    for (let i = 0; i < 100; i++) expect(aPassword()).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*\W).{12,}$/);
  });

  it("need the pool's outputs, and say which is missing", () => {
    expect(() => userPoolSettingsFrom({ USER_POOL_CLIENT_ID: "c" })).toThrow(/^USER_POOL_ID required with API_URL/);
    expect(() => userPoolSettingsFrom({})).toThrow(/^USER_POOL_ID and USER_POOL_CLIENT_ID required/);
    expect(userPoolSettingsFrom({ USER_POOL_ID: "eu-west-1_x", USER_POOL_CLIENT_ID: "c" })).toEqual({
      userPoolId: "eu-west-1_x",
      clientId: "c",
    });
  });
});

describe("a run against a stage (API_URL)", () => {
  it("signs its users in through the pool and leaves neither their accounts nor the users behind", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      API_URL: `${apiUrl}/`,
      USER_POOL_ID: cognito.userPoolId,
      USER_POOL_CLIENT_ID: cognito.clientId,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    try {
      const stage = await e2eHost();
      useHost(stage);
      expect([stage.deployed, stage.description]).toEqual([true, `the deployed stage at ${apiUrl}`]);
      const [reader, author] = [await given.aReader(), await given.anAuthor()];
      await given.aFollow(reader, author);
      const post = await given.aPost(author);
      expect(cognito.users().size).toBe(2);

      await stage.close();

      expect(cognito.users().size).toBe(0);
      then.itFails(await when.readsProfileOf(reader), 404, "not_found");
      then.itFails(await when.readsProfileOf(author), 404, "not_found");
      then.itFails(await when.readsPost(post.postId), 404, "not_found");
    } finally {
      process.env = saved;
    }
  });
});
