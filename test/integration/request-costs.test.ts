import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";

// The request counts that docs/data-model.md claims for the account routes.
const counter = recordDynamoDbRequests();
afterAll(() => counter.stop());
beforeEach(() => counter.reset());

describe("DynamoDB requests per account route", () => {
  it("GET /me costs one Query (profile and count shards)", async () => {
    const user = await given.aReader();
    counter.reset();
    await api.GET("/me", { token: user.token });
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("GET /users/{userId} costs one Query anonymously", async () => {
    const user = await given.aReader();
    counter.reset();
    await api.GET("/users/{userId}", { path: { userId: user.userId } });
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("GET /handles/{handle} costs a GetItem and a Query", async () => {
    const user = await given.aReader();
    counter.reset();
    await api.GET("/handles/{handle}", { path: { handle: user.handle } });
    expect(counter.commands()).toEqual(["GetItem", "Query"]);
  });

  it("PUT /me costs the caller's read and one transaction", async () => {
    const caller = given.aLocalCaller();
    counter.reset();
    await api.PUT("/me", { token: caller.token, body: { handle: caller.handle, displayName: "x" } });
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
    counter.reset();
    await api.PUT("/me", { token: caller.token, body: { handle: caller.handle, displayName: "y" } });
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
  });

  it("PUT /admin/users/{userId}/entitlements costs the caller's read and one UpdateItem", async () => {
    const admin = await given.anAdmin();
    const reader = await given.aReader();
    counter.reset();
    await api.PUT("/admin/users/{userId}/entitlements", {
      path: { userId: reader.userId },
      token: admin.token,
      body: { entitlements: [] },
    });
    expect(counter.commands()).toEqual(["Query", "UpdateItem"]);
  });

  it("reports the capacity each request consumed", async () => {
    const user = await given.aReader();
    counter.reset();
    await api.GET("/me", { token: user.token });
    expect(counter.requests[0]!.consumedCapacityUnits).toBeGreaterThan(0);
  });
});
