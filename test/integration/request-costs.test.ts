import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { when } from "../support/when";

// The request counts that docs/data-model.md claims for the account routes.
const counter = recordDynamoDbRequests();
afterAll(() => counter.stop());
beforeEach(() => counter.reset());

describe("DynamoDB requests per account route", () => {
  it("GET /me costs one Query (profile and count shards)", async () => {
    const user = await given.aReader();
    counter.reset();
    await when.readsOwnAccount(user);
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("GET /users/{userId} costs one Query anonymously", async () => {
    const user = await given.aReader();
    counter.reset();
    await when.readsProfileOf(user);
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("GET /handles/{handle} costs a GetItem and a Query", async () => {
    const user = await given.aReader();
    counter.reset();
    await when.findsHandle(user.handle);
    expect(counter.commands()).toEqual(["GetItem", "Query"]);
  });

  it("PUT /me costs the caller's read and one transaction", async () => {
    const caller = given.aLocalCaller();
    counter.reset();
    await when.savesProfile(caller, { handle: caller.handle, displayName: "x" });
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
    counter.reset();
    await when.savesProfile(caller, { handle: caller.handle, displayName: "y" });
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
  });

  it("PUT /admin/users/{userId}/entitlements costs the caller's read and one UpdateItem", async () => {
    const admin = await given.anAdmin();
    const reader = await given.aReader();
    counter.reset();
    await when.grants(admin, reader, []);
    expect(counter.commands()).toEqual(["Query", "UpdateItem"]);
  });

  it("reports the capacity each request consumed", async () => {
    const user = await given.aReader();
    counter.reset();
    await when.readsOwnAccount(user);
    expect(counter.requests[0]!.consumedCapacityUnits).toBeGreaterThan(0);
  });
});
