import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// A signed-in request withdraws an account's notices (contract 1.1, "Notice before deletion"), whatever the clocks
// and however it interleaves with the run that records the first notice: found by the ordering harness
// (test/integration/orderings-notices.test.ts), each case placed here by hand.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import { accountQueryOf, aroundRequest } from "../support/around-request";
import { expectNoDrift } from "../support/audit";
import { given } from "../support/given";
import type { TestUser } from "../support/host";
import { aRunFor, anInactiveReader } from "../support/schedules";
import { then } from "../support/then";
import { when } from "../support/when";

const S = 1000;

let admin: TestUser;
beforeAll(async () => {
  admin = await given.anAdmin();
});
afterEach(() => expectNoDrift("after the test"));

describe("a signed-in request withdraws a schedule", () => {
  const shownSchedule = async (user: TestUser) => then.itAnswers(await when.readsNoticesOf(admin, user), 200).items;

  it("when the run that records the first notice runs on a clock ahead of the request's", async () => {
    const { users, now } = await anInactiveReader("none");
    // A minute ahead: far beyond the skew of two machines' clocks, and beyond this test's own duration.
    await aRunFor(users.reader, new Date(now.getTime() + 60 * S));
    expect(await shownSchedule(users.reader)).toHaveLength(1);

    then.itAnswers(await when.readsOwnAccount(users.reader), 200);

    expect(await shownSchedule(users.reader)).toEqual([]);
  });

  it("when the run records the first notice while the request is under way (after its read, before its write)", async () => {
    const { users } = await anInactiveReader("none");
    const injected = aroundRequest(accountQueryOf(users.reader.userId), {
      after: () => aRunFor(users.reader, new Date()),
    });
    try {
      then.itAnswers(await when.readsOwnAccount(users.reader), 200);
      expect(injected.fired).toBe(true);
    } finally {
      injected.stop();
    }

    expect(await shownSchedule(users.reader)).toEqual([]);
  });
});
