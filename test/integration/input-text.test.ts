import { describe, expect, it } from "vitest";
import { toHttpApiEvent } from "../../infra/local/api-gateway-event";
import { lambdaContext } from "../../infra/local/lambda-context";
import { api, tokenFor } from "../support/api/in-process";
import { type AnyAnswer } from "../support/api/client";
import { given } from "../support/given";
import { expectStatus, uniqueHandle } from "../support/host";
import { aPostInput } from "../support/posts";
import { expectValidationFailed } from "../support/then";
import { when } from "../support/when";

// Text AWS would refuse is refused at the door: a lone surrogate (JSON's "\ud800") has no UTF-8 form, so DynamoDB
// would refuse the write after part of the work was done; and a name of invisible characters is a blank name.

const LONE = "\ud800";
const detailsOf = (response: AnyAnswer) => [
  response.status,
  response.error.code,
  expectValidationFailed(response).details,
];
const illFormed = (field: string) => ({ field, message: expect.stringContaining("lone surrogate") });

describe("text with a lone surrogate", () => {
  it("is refused in a profile, and no profile is written", async () => {
    const caller = given.aLocalCaller();
    const response = await when.savesProfile(caller, { handle: caller.handle, displayName: `Ann${LONE}` });
    expect(detailsOf(response)).toEqual([400, "validation_failed", [illFormed("displayName")]]);
    expect((await when.readsProfileOf(caller)).status).toBe(404);
  });

  it("is refused in every field of a post, tags by their index, and in unknown field names", async () => {
    const author = await given.anAuthor();
    // A field the document lacks, named with a lone surrogate.
    const response = await api.unchecked("POST", "/posts", {
      token: author.token,
      body: { ...aPostInput(), title: `${LONE}title`, tags: ["ok", `b${LONE}`], [`x${LONE}`]: 1 },
    });
    expect(detailsOf(response)).toEqual([
      400,
      "validation_failed",
      [illFormed("title"), illFormed("tags.1"), illFormed(`x${LONE}`)],
    ]);
  });

  it("is refused in a comment and in an Idempotency-Key header", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const comment = await when.comments(author, post.postId, `${LONE}!`);
    expect(detailsOf(comment)).toEqual([400, "validation_failed", [illFormed("body")]]);
    // A header value no HTTP client would send (not a byte string), sent as the host receives it.
    const keyed = await api.unchecked("POST", "/posts", {
      token: author.token,
      body: aPostInput(),
      headers: { "idempotency-key": `k${LONE}` },
    });
    expect(detailsOf(keyed)).toEqual([400, "validation_failed", [illFormed("Idempotency-Key")]]);
  });

  it("is refused in path and query parameters of an event as API Gateway hands it over", async () => {
    // HTTP clients cannot send these (a URL carries UTF-8), but the handlers do not rely on the host for it.
    const { handler } = await import("../../functions/http/get-followers");
    const request = {
      method: "GET",
      url: new URL("http://localhost/users/x/followers"),
      headers: {},
      body: Buffer.alloc(0),
      sourceIp: "127.0.0.1",
    };
    const event = toHttpApiEvent(request, "GET /users/{userId}/followers", { userId: `u${LONE}` }, undefined);
    event.queryStringParameters = { cursor: `c${LONE}` };
    const result = await handler(event, lambdaContext("GetUsersUserIdFollowers"));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).error.details).toEqual([illFormed("cursor"), illFormed("userId")]);
  });

  it("is refused in a token's subject", async () => {
    const response = await api.GET("/health", { token: tokenFor(`sub${LONE}`) });
    expect([response.status, response.error.code]).toEqual([401, "unauthorized"]);
  });

  it("and so is a control character in a token's subject (a user ID holds none)", async () => {
    for (const sub of ["a\u0001b", "tab\there", "del\u007f", "c1\u0085"]) {
      const response = await api.GET("/health", { token: tokenFor(sub) });
      expect([response.status, response.error.code]).toEqual([401, "unauthorized"]);
    }
  });
});

describe("a display name of invisible characters only", () => {
  it.each([
    ["zero-width spaces", "\u200b\u200b"],
    ["a zero-width joiner and a word joiner", "\u200d\u2060"],
    ["Hangul fillers", "\u3164\u115f"],
    ["a blank Braille pattern", "\u2800"],
    ["direction marks and a soft hyphen", "\u200e\u200f\u00ad"],
    ["a lone combining mark", "\u0301"],
    ["a null notehead, U+1D159 (issue 23)", "\u{1d159}"],
    ["a null notehead among other blank symbols", "\u{1d159}\u2800\u{1d159}"],
  ])("is refused: %s", async (_name, displayName) => {
    const caller = given.aLocalCaller();
    const response = await when.savesProfile(caller, { handle: caller.handle, displayName });
    expect(detailsOf(response)).toEqual([
      400,
      "validation_failed",
      [{ field: "displayName", message: "must contain a visible character" }],
    ]);
  });

  it("is refused as a post's title and tag: U+1D159 alone (issue 23)", async () => {
    const author = await given.anAuthor();
    const response = await when.publishes(author, {
      ...aPostInput(),
      title: "\u{1d159}",
      tags: ["ok", "\u{1d159}\u200b"],
    });
    expect(detailsOf(response)).toEqual([
      400,
      "validation_failed",
      [
        { field: "title", message: "must contain a visible character" },
        { field: "tags.1", message: "must contain a visible character" },
      ],
    ]);
  });

  it("is accepted once anything shows, joined emoji included", async () => {
    const caller = given.aLocalCaller();
    const response = await when.savesProfile(caller, { handle: uniqueHandle(), displayName: "\u200b👩‍💻\u200b" });
    expectStatus(response, 201);
  });
});
