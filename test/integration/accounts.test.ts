import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { api, tokenFor } from "../support/api/in-process";
import { expectAuthorizerRefusal } from "../support/gateway";
import { given } from "../support/given";
import { uniqueHandle } from "../support/host";
import { expectNoStorageDetails, expectValidationFailed, then } from "../support/then";
import { when } from "../support/when";

const profileFields = [
  "userId",
  "handle",
  "displayName",
  "role",
  "followerCount",
  "followingCount",
  "postCount",
  "createdAt",
].sort();

async function storedAccount(userId: string) {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.account(userId) }));
  return result.Item;
}

describe("PUT /me", () => {
  it("creates a profile (201), then updates it (200), trimming the display name", async () => {
    const caller = given.aLocalCaller();
    const created = await when.savesProfile(caller, { handle: caller.handle, displayName: "  Ana  " });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      userId: caller.userId,
      handle: caller.handle,
      displayName: "Ana",
      role: "reader",
      followerCount: 0,
      followingCount: 0,
      postCount: 0,
      entitlements: [],
    });
    expect(created.data.lastActiveAt).toBe(created.data.createdAt);
    expectNoStorageDetails(created.text);

    const newHandle = uniqueHandle();
    const updated = await when.savesProfile(caller, { handle: newHandle, displayName: "Ana B." });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ handle: newHandle, displayName: "Ana B.", createdAt: created.data.createdAt });
  });

  it("keeps handles unique case-insensitively and frees the old handle on a change", async () => {
    const first = await given.aReader();
    const second = given.aLocalCaller();
    const clash = await when.savesProfile(second, { handle: first.handle.toUpperCase(), displayName: "x" });
    expect(clash.status).toBe(409);
    expect(clash.error.code).toBe("handle_taken");

    const renamed = uniqueHandle();
    expect((await when.savesProfile(first, { handle: renamed, displayName: "x" })).status).toBe(200);
    const reuse = await when.savesProfile(second, { handle: first.handle, displayName: "y" });
    expect(reuse.status).toBe(201);
    expect((await when.findsHandle(first.handle.toLowerCase())).data.userId).toBe(second.userId);
  });

  it("lets the owner change only the case of a handle", async () => {
    const user = await given.aReader();
    const response = await when.savesProfile(user, { handle: user.handle.toUpperCase(), displayName: "x" });
    expect(response.status).toBe(200);
    expect(response.data.handle).toBe(user.handle.toUpperCase());
    expect((await when.findsHandle(user.handle)).data.userId).toBe(user.userId);
  });

  it("gives a contested handle to exactly one of 20 concurrent claimants", async () => {
    const handle = uniqueHandle("hot");
    const claimants = Array.from({ length: 20 }, () => given.aLocalCaller());
    const responses = await Promise.all(
      claimants.map((claimant, i) =>
        when.savesProfile(claimant, { handle: i % 2 ? handle : handle.toUpperCase(), displayName: "c" }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const winner = claimants[responses.findIndex((response) => response.status === 201)]!;
    expect((await api.GET("/handles/{handle}", { path: { handle } })).data.userId).toBe(winner.userId);
  });

  it("answers one create and one update when the same caller sends two creates at once", async () => {
    const caller = given.aLocalCaller();
    const responses = await Promise.all(
      [0, 1].map(() => when.savesProfile(caller, { handle: caller.handle, displayName: "twice" })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 201]);
  });

  it("refuses bad input with one detail per field and writes nothing", async () => {
    const caller = given.aLocalCaller();
    // Fields the document lacks, sent all the same.
    const response = await api.unchecked("PUT", "/me", {
      token: caller.token,
      body: { handle: "no spaces", displayName: "   ", role: "admin", followerCount: 5 },
    });
    const problem = expectValidationFailed(response);
    const fields = problem.details.map((detail) => detail.field).sort();
    expect(fields).toEqual(["displayName", "followerCount", "handle", "role"]);
    expect((await when.readsOwnAccount(caller)).status).toBe(404);
  });

  it.each([
    ["too short", "ab"],
    ["too long", "a".repeat(31)],
    ["non-ASCII", "ännä"],
  ])("refuses a handle that is %s", async (_, handle) => {
    const caller = given.aLocalCaller();
    const response = await when.savesProfile(caller, { handle, displayName: "x" });
    expect(then.itFails(response, 400, "validation_failed").details).toEqual([
      { field: "handle", message: expect.any(String) },
    ]);
  });

  it("counts display name length in code points", async () => {
    const caller = given.aLocalCaller();
    const eighty = "😀".repeat(80);
    const ok = await when.savesProfile(caller, { handle: caller.handle, displayName: eighty });
    expect(ok.status).toBe(201);
    const tooLong = await when.savesProfile(caller, { handle: caller.handle, displayName: eighty + "x" });
    expect(then.itFails(tooLong, 400, "validation_failed").details[0]?.field).toBe("displayName");
  });

  it("answers malformed_json, payload_too_large and validation_failed for a body that is not an object", async () => {
    const caller = given.aLocalCaller();
    const malformed = await api.unchecked("PUT", "/me", { token: caller.token, rawBody: "{not json" });
    expect([malformed.status, malformed.error.code]).toEqual([400, "malformed_json"]);
    const huge = await api.unchecked("PUT", "/me", {
      token: caller.token,
      rawBody: JSON.stringify({ handle: caller.handle, displayName: "x".repeat(300 * 1024) }),
    });
    expect([huge.status, huge.error.code]).toEqual([413, "payload_too_large"]);
    const notObject = await api.unchecked("PUT", "/me", { token: caller.token, body: [1, 2] });
    expect([notObject.status, notObject.error.code]).toEqual([400, "validation_failed"]);
  });

  it("answers 401 before looking at the body", async () => {
    expectAuthorizerRefusal(await api.unchecked("PUT", "/me", { rawBody: "{not json" }));
  });
});

describe("GET /me, GET /users/{userId}, GET /handles/{handle}", () => {
  it("answers 404 for /me before a profile exists", async () => {
    const response = await api.GET("/me", { token: given.aLocalCaller().token });
    expect([response.status, response.error.code]).toEqual([404, "not_found"]);
  });

  it("shows the public profile without entitlements or activity", async () => {
    const user = await given.aReader();
    const byId = await when.readsProfileOf(user);
    expect(byId.status).toBe(200);
    expect(Object.keys(byId.data).sort()).toEqual(profileFields);
    expectNoStorageDetails(byId.text);
    const byHandle = await when.findsHandle(user.handle.toUpperCase());
    expect(byHandle.json).toEqual(byId.data);
  });

  it("answers 404 for unknown users and handles", async () => {
    expect((await when.readsProfileOf({ userId: "nobody-here" })).status).toBe(404);
    expect((await when.findsHandle(uniqueHandle())).error.code).toBe("not_found");
  });

  it("takes the role from the token's groups, admins over authors", async () => {
    const caller = given.aLocalCaller(["authors", "admins"]);
    const response = await when.savesProfile(caller, { handle: caller.handle, displayName: "x" });
    expect(response.data.role).toBe("admin");
  });

  it("refreshes the stored role when the token's groups change", async () => {
    const user = await given.aReader();
    const promoted = tokenFor(user.userId, ["authors"]);
    expect((await api.GET("/me", { token: promoted })).data.role).toBe("author");
    expect((await when.readsProfileOf(user)).data.role).toBe("author");
    expect((await storedAccount(user.userId))?.inactivityPk).toBeUndefined();
  });
});

describe("activity", () => {
  it("writes lastActiveAt at most once an hour", async () => {
    const user = await given.aReader();
    const before = (await storedAccount(user.userId))!.lastActiveAt as string;
    await when.readsOwnAccount(user);
    expect((await storedAccount(user.userId))!.lastActiveAt).toBe(before);

    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.account(user.userId),
        UpdateExpression: "SET lastActiveAt = :t",
        ExpressionAttributeValues: { ":t": twoHoursAgo },
      }),
    );
    // A public route with a token marks the caller active too.
    await when.readsProfileOf(user, user);
    const refreshed = (await storedAccount(user.userId))!;
    expect(Date.parse(refreshed.lastActiveAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(refreshed.inactivitySk).toBe(refreshed.lastActiveAt);
  });
});

describe("PUT /admin/users/{userId}/entitlements", () => {
  it("replaces the set, listing expired entitlements in Me", async () => {
    const admin = await given.anAdmin();
    const reader = await given.aReader();
    const past = "2020-01-01T00:00:00Z";
    const entitlements = [
      { tier: "plus" as const, validUntil: past },
      { tier: "select" as const, authorId: "author-1" },
      { tier: "ultimate" as const, validUntil: "2999-12-31T23:59:59.000Z" },
    ];
    const response = await api.PUT("/admin/users/{userId}/entitlements", {
      path: { userId: reader.userId },
      token: admin.token,
      body: { entitlements },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      userId: reader.userId,
      entitlements: [
        { tier: "plus", validUntil: "2020-01-01T00:00:00.000Z" },
        { tier: "select", authorId: "author-1" },
        { tier: "ultimate", validUntil: "2999-12-31T23:59:59.000Z" },
      ],
    });
    expect((await when.readsOwnAccount(reader)).data.entitlements).toEqual(response.data.entitlements);

    const cleared = await when.grants(admin, reader, []);
    expect(cleared.data.entitlements).toEqual([]);
  });

  it("answers 403 forbidden to readers and authors, before validating the target", async () => {
    for (const caller of [await given.aReader(), await given.anAuthor()]) {
      const response = await when.grants(caller, { userId: "nobody" }, []);
      expect([response.status, response.error.code]).toEqual([403, "forbidden"]);
    }
  });

  it("answers 404 for an unknown user, before profile_required", async () => {
    const adminWithoutProfile = given.aLocalCaller(["admins"]);
    const unknown = await when.grants(adminWithoutProfile, { userId: "nobody" }, []);
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);
    const reader = await given.aReader();
    const known = await when.grants(adminWithoutProfile, reader, []);
    expect([known.status, known.error.code]).toEqual([403, "profile_required"]);
  });

  it("validates every entitlement", async () => {
    const admin = await given.anAdmin();
    const reader = await given.aReader();
    // Entitlements the document does not allow, sent all the same.
    const response = await api.unchecked("PUT", `/admin/users/${reader.userId}/entitlements`, {
      token: admin.token,
      body: {
        entitlements: [
          { tier: "gold" },
          { tier: "select" },
          { tier: "plus", validUntil: "tomorrow" },
          { tier: "plus", extra: 1 },
        ],
      },
    });
    const fields = expectValidationFailed(response)
      .details.map((detail: { field: string }) => detail.field)
      .sort();
    expect(fields).toEqual([
      "entitlements.0.tier",
      "entitlements.1.authorId",
      "entitlements.2.validUntil",
      "entitlements.3.extra",
    ]);
    expect((await when.readsOwnAccount(reader)).data.entitlements).toEqual([]);
  });
});

describe("tokens and routes", () => {
  it("answers 401 for a missing, forged or expired token on a protected route", async () => {
    const user = await given.aReader();
    // API Gateway's JWT authorizer answers these itself, in its own shape.
    expectAuthorizerRefusal(await api.GET("/me"));
    expectAuthorizerRefusal(await api.GET("/me", { token: tokenFor(user.userId, [], {}, "wrong-secret") }));
    const expired = tokenFor(user.userId, [], { exp: Math.floor(Date.now() / 1000) - 10 });
    expectAuthorizerRefusal(await api.GET("/me", { token: expired }));
  });

  it("verifies a token sent to a public route", async () => {
    const user = await given.aReader();
    expect((await api.GET("/users/{userId}", { path: { userId: user.userId }, token: "not-a-jwt" })).status).toBe(401);
    expect(
      (await api.GET("/users/{userId}", { path: { userId: user.userId }, headers: { authorization: "Basic abc" } }))
        .status,
    ).toBe(401);
    expect((await when.readsProfileOf(user, user)).status).toBe(200);
  });

  it("answers 404 not_found for unknown routes and 405 for a wrong method", async () => {
    const unknown = await api.unchecked("GET", "/no/such/route");
    expect(unknown.json).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    const wrongMethod = await api.unchecked("POST", "/me");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("GET, PUT, DELETE");
  });

  it("sets security headers on every answer, errors included", async () => {
    for (const response of [await api.GET("/health"), await api.unchecked("GET", "/nowhere")]) {
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
      expect(response.headers["content-type"]).toMatch(/^application\/json/);
    }
  });
});

describe("path parameters", () => {
  it("answers 404 for an ID far longer than any real one, on reads and writes", async () => {
    const reader = await given.aReader();
    const long = "x".repeat(3000);
    expect((await when.readsProfileOf({ userId: long })).status).toBe(404);
    expect((await when.follows(reader, { userId: long })).status).toBe(404);
    expect((await when.findsHandle(long)).error.code).toBe("not_found");
  });
});

describe("findings of the black-box review", () => {
  it("refuses fields in the body of a route that takes none, and deletes nothing", async () => {
    const author = await given.anAuthor();
    const created = await when.publishes(author, { title: "t", body: "b", access: "free" });
    expect(created.status).toBe(201);
    const refused = await api.unchecked("DELETE", `/posts/${created.data.postId}`, {
      token: author.token,
      body: { foo: 1 },
    });
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({
      code: "validation_failed",
      details: [{ field: "foo", message: "is not a known field" }],
    });
    expect((await when.readsPost(created.data.postId)).status).toBe(200);
    const notAnObject = await api.unchecked("DELETE", `/posts/${created.data.postId}`, {
      token: author.token,
      body: [1],
    });
    expect([notAnObject.status, notAnObject.error.code]).toEqual([400, "validation_failed"]);
    expect((await when.deletesPost(author, created.data.postId)).status).toBe(204);
  });

  it("refreshes the stored role even when the request is refused", async () => {
    const author = await given.anAuthor();
    const demoted = tokenFor(author.userId, []);
    const refused = await api.POST("/posts", { token: demoted, body: { title: "t", body: "b", access: "free" } });
    expect([refused.status, refused.error.code]).toEqual([403, "forbidden"]);
    expect((await when.readsProfileOf(author)).data.role).toBe("reader");
  });

  it("refuses a token whose subject is longer than any identity provider issues", async () => {
    const response = await api.PUT("/me", {
      token: tokenFor("L".repeat(1100)),
      body: { handle: uniqueHandle(), displayName: "x" },
    });
    expect([response.status, response.error.code]).toEqual([401, "unauthorized"]);
  });
});
