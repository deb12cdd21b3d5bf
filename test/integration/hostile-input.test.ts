import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../infra/routes";
import { api, tokenFor } from "../support/api/in-process";
import {
  deepArrays,
  deepObjects,
  MAX_ERROR_ANSWER_BYTES,
  MAX_HANDLER_MS,
  measuredCall,
  nestedInObjects,
  redTeamLongKeysBody,
  redTeamSurrogateBody,
  type MeasuredAnswer,
} from "../support/hostile";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { expectValidationFailed, then } from "../support/then";
import { when } from "../support/when";
import { type TestUser } from "../support/host";

// Issue 23: hostile input answers small and fast (contract 1.2, Conventions). Each red-team case of the issue is a
// named test here: JSON nested deeper than 32 levels answers 400 `validation_failed`, an error answer is at most
// 8 KiB, a walk over the body never recurses, and the cheap checks (token, size, depth) come first.

let requests: ReturnType<typeof recordDynamoDbRequests>;
beforeAll(() => {
  requests = recordDynamoDbRequests();
});
afterAll(() => requests.stop());

const problemOf = (answer: MeasuredAnswer) => [
  answer.status,
  (answer.json as { error?: { code?: string } } | undefined)?.error?.code,
];

/** Small and fast: at most 8 KiB, and at most a second of the function's own work. */
function expectSmallAndFast(answer: MeasuredAnswer): void {
  expect(answer.bytes, "the error answer's size in bytes").toBeLessThanOrEqual(MAX_ERROR_ANSWER_BYTES);
  expect(answer.cpuMs, "the handler's own work (CPU time) in ms").toBeLessThanOrEqual(MAX_HANDLER_MS);
}

describe("the red team's bodies", () => {
  it("500 levels around 1,030 lone surrogates (12,271 bytes) to POST /admin/cleanup-runs: 400, at most 8 KiB, no run", async () => {
    const admin = await given.anAdmin();
    const body = redTeamSurrogateBody();
    expect(Buffer.byteLength(body)).toBe(12_271);
    requests.reset();
    const answer = await measuredCall("POST", "/admin/cleanup-runs", { token: admin.token, rawBody: body });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expect(expectValidationFailed(answer).details).toEqual([
      { field: "body", message: "is nested deeper than 32 levels" },
    ]);
    expectSmallAndFast(answer);
    expect(requests.successfulWrites()).toEqual([]);
    expect((await api.GET("/admin/cleanup-runs", { token: admin.token })).data.items).toEqual([]);
  });

  it("500 levels around 1,030 lone surrogates to PUT /me: 400, at most 8 KiB, no profile", async () => {
    const caller = given.aLocalCaller();
    const answer = await measuredCall("PUT", "/me", { token: caller.token, rawBody: redTeamSurrogateBody() });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expectSmallAndFast(answer);
    expect((await when.readsProfileOf(caller)).status).toBe(404);
  });

  it("20 levels of 500-character keys around lone surrogates (256 KiB) to PUT /me: 20 details, each field cut to 200 characters, at most 8 KiB", async () => {
    const caller = given.aLocalCaller();
    const body = redTeamLongKeysBody();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(256 * 1024);
    const answer = await measuredCall("PUT", "/me", { token: caller.token, rawBody: body });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    const { details, detailsTruncated, message } = expectValidationFailed(answer);
    expect(details).toHaveLength(20);
    expect(detailsTruncated).toBe(true);
    expect(message).toMatch(/Only its first 20 problems are listed/);
    for (const { field } of details) expect([...field].length).toBeLessThanOrEqual(200);
    expectSmallAndFast(answer);
  });

  it("the same body to POST /admin/cleanup-runs as a reader: 400 before the role's 403, at most 8 KiB", async () => {
    const reader = await given.aReader();
    const answer = await measuredCall("POST", "/admin/cleanup-runs", {
      token: reader.token,
      rawBody: redTeamLongKeysBody(),
    });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expectSmallAndFast(answer);
  });
});

describe("JSON nested deeper than 32 levels", () => {
  let reader: TestUser;
  beforeAll(async () => {
    reader = await given.aReader();
  });
  // Public routes anonymously, protected ones with a reader's token (without one, API Gateway answers 401 first).
  const everyRoute = routes.map((route) => ({ route: `${route.method} ${route.path}`, ...route }));
  const pathOf = (template: string) => template.replace(/\{\w+\}/g, "x");

  it.each(everyRoute)("arrays 5,000 deep (10 KB) to $route: 400 validation_failed, not 500", async (route) => {
    const answer = await measuredCall(route.method, pathOf(route.path), {
      ...(route.auth === "required" ? { token: reader.token } : {}),
      rawBody: deepArrays(5000),
    });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expectSmallAndFast(answer);
  });

  it.each(everyRoute)("objects 2,000 deep to $route: 400 validation_failed, not 500", async (route) => {
    const answer = await measuredCall(route.method, pathOf(route.path), {
      ...(route.auth === "required" ? { token: reader.token } : {}),
      rawBody: deepObjects(2000),
    });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expectSmallAndFast(answer);
  });

  it("arrays as deep as 256 KiB allows, anonymously to GET /health: 400", async () => {
    const answer = await measuredCall("GET", "/health", { rawBody: deepArrays(128 * 1024) });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
    expectSmallAndFast(answer);
  });

  it("32 levels are judged by the schema; 33 answer the depth (strings holding brackets do not count)", async () => {
    const caller = given.aLocalCaller();
    const profileWith = (extra: string) => `{"handle":"${caller.handle}","displayName":"Ann","extra":${extra}}`;
    const at32 = await measuredCall("PUT", "/me", {
      token: caller.token,
      rawBody: profileWith(nestedInObjects(30, '["[[{{\\"]]"]', "x")),
    });
    expect(expectValidationFailed(at32).details).toEqual([{ field: "extra", message: "is not a known field" }]);
    const at33 = await measuredCall("PUT", "/me", {
      token: caller.token,
      rawBody: profileWith(nestedInObjects(31, "[]", "x")),
    });
    expect(expectValidationFailed(at33).details).toEqual([
      { field: "body", message: "is nested deeper than 32 levels" },
    ]);
  });
});

describe("the order of errors with a hostile body", () => {
  it("no token on a protected route: API Gateway's 401, whatever the body", async () => {
    const answer = await measuredCall("POST", "/admin/cleanup-runs", { rawBody: redTeamSurrogateBody() });
    expect([answer.status, answer.json]).toEqual([401, { message: "Unauthorized" }]);
  });

  it("a forged token on a public route: 401 unauthorized before the body is judged", async () => {
    const caller = given.aLocalCaller();
    const forged = `${caller.token.slice(0, -4)}AAAA`;
    const answer = await measuredCall("GET", "/health", { token: forged, rawBody: redTeamLongKeysBody() });
    expect(problemOf(answer)).toEqual([401, "unauthorized"]);
  });

  it("a deep body over 256 KiB: 413 payload_too_large", async () => {
    const admin = await given.anAdmin();
    const answer = await measuredCall("POST", "/admin/cleanup-runs", {
      token: admin.token,
      rawBody: deepArrays(200 * 1024),
    });
    expect(problemOf(answer)).toEqual([413, "payload_too_large"]);
  });

  it("an admin without a profile: 400 for the body before 403 profile_required", async () => {
    const admin = given.aLocalCaller(["admins"]);
    const answer = await measuredCall("POST", "/admin/cleanup-runs", { token: admin.token, rawBody: deepArrays(40) });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
  });
});

describe("cognito:groups names exact groups only", () => {
  // Issue 23: each of these claims made an admin.
  it.each([["authors,admins"], [["admins "]], [["x admins"]], [[["admins"]]]])(
    "%j makes no admin, on protected routes (API Gateway's form) and public ones (the token's own claim)",
    async (claim) => {
      const caller = await given.aReader();
      const token = tokenFor(caller.userId, [], { "cognito:groups": claim });
      const start = await api.POST("/admin/cleanup-runs", { token, body: { dryRun: true } });
      expect([start.status, start.error.code]).toEqual([403, "forbidden"]);
      // A public route reads the verified token itself, and refreshes the stored role from its groups.
      expect((await api.GET("/users/{userId}", { path: { userId: caller.userId }, token })).data.role).toBe("reader");
      expect((await api.GET("/me", { token })).data.role).toBe("reader");
    },
  );
});

describe("a cursor has one spelling", () => {
  it("another spelling of a valid cursor (other unused low bits in its last character) answers 400 invalid_cursor", async () => {
    const [author, first, second] = await Promise.all([given.anAuthor(), given.aReader(), given.aReader()]);
    await given.aFollow(first, author);
    await given.aFollow(second, author);
    const cursor = then.itAnswers(await when.listsFollowersOf(author, undefined, { limit: 1 }), 200).nextCursor!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // The signature's 16 bytes: 22 characters, of which the last carries 2 bits and 4 unused ones.
    const respelled = cursor.slice(0, -1) + alphabet[alphabet.indexOf(cursor.at(-1)!) ^ 1];
    then.itAnswers(await when.listsFollowersOf(author, undefined, { limit: 1, cursor }), 200);
    then.itFails(
      await when.listsFollowersOf(author, undefined, { limit: 1, cursor: respelled }),
      400,
      "invalid_cursor",
    );
  });
});

describe("an admin reads an account's notices without a profile", () => {
  it("answers 404 for an unknown user and the page for a known one, not 403 profile_required", async () => {
    const admin = given.aLocalCaller(["admins"]);
    const reader = await given.aReader();
    const noticesOf = (userId: string) =>
      api.GET("/admin/users/{userId}/notices", { path: { userId }, token: admin.token });
    then.itFails(await noticesOf("nobody-at-all"), 404, "not_found");
    expect(then.itAnswers(await noticesOf(reader.userId), 200)).toEqual({ items: [], nextCursor: null });
  });
});

describe("the contract's order of errors, on every route", () => {
  const everyRoute = routes.map((route) => ({ route: `${route.method} ${route.path}`, ...route }));
  const unknownIds = (template: string) => template.replace(/\{\w+\}/g, "01JUNKNOWN0000000000000000");

  it.each(everyRoute)("$route: a bad body is 400 before the role's 403 and before 404", async (route) => {
    const reader = await given.aReader();
    const answer = await measuredCall(route.method, unknownIds(route.path), {
      ...(route.auth === "required" ? { token: reader.token } : {}),
      body: { notAField: true },
    });
    expect(problemOf(answer)).toEqual([400, "validation_failed"]);
  });

  it.each(everyRoute.filter((route) => route.path.includes("{")))(
    "$route: an unknown resource is 404 before 403 profile_required (an admin without a profile)",
    async (route) => {
      const admin = given.aLocalCaller(["admins"]);
      const validBodies: Record<string, unknown> = {
        "PUT /admin/users/{userId}/entitlements": { entitlements: [] },
        "POST /posts/{postId}/comments": { body: "Hello" },
      };
      const body = validBodies[route.route];
      const answer = await measuredCall(route.method, unknownIds(route.path), {
        token: admin.token,
        ...(body === undefined ? {} : { body }),
      });
      expect(problemOf(answer)).toEqual([404, "not_found"]);
    },
  );
});
