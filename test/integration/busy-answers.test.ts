import { describe, expect, it } from "vitest";
import type { AnyAnswer } from "../support/api/client";
import { busy, injectFaults } from "../support/faults";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { expectError } from "../support/then";
import { when } from "../support/when";

// DynamoDB's "busy" answers, as they reach the code once the SDK's own retries gave up (the faults are injected
// above the SDK's retry layer): every store request rides them out within the retry budget, then the store
// answers the domain's `unavailable`, which the API gives as 503 with retry-after. None of them is a 500.

const BUDGET_ATTEMPTS = 10;

/** While `answer` is injected into every `command` request, calls `request`; answers what it got and how often `command` was tried. */
async function whileBusy(command: string, answer: ReturnType<typeof busy>, request: () => Promise<AnyAnswer>) {
  const recording = recordDynamoDbRequests();
  const faults = injectFaults((sent) => (sent === command ? answer : undefined));
  try {
    return { response: await request(), tries: recording.commands().filter((sent) => sent === command).length };
  } finally {
    faults.stop();
    recording.stop();
  }
}

describe("DynamoDB busy after the SDK's retries", () => {
  it("answers 503 unavailable with retry-after when reads stay throttled, after the whole retry budget", async () => {
    const reader = await given.aReader();
    const { response, tries } = await whileBusy("Query", busy("ThrottlingException"), () =>
      when.readsOwnAccount(reader),
    );
    expectError(response, 503, "unavailable");
    expect(response.headers["retry-after"]).toBe("1");
    expect(tries).toBe(BUDGET_ATTEMPTS);
  });

  it("answers 503 for DynamoDB's internal error and for exceeded throughput, on single and batch reads", async () => {
    const reader = await given.aReader();
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const handle = await whileBusy("GetItem", busy("InternalServerError"), () => when.findsHandle(reader.handle));
    expectError(handle.response, 503, "unavailable");
    const read = await whileBusy("BatchGetItem", busy("ProvisionedThroughputExceededException"), () =>
      when.readsPost(post.postId),
    );
    expectError(read.response, 503, "unavailable");
    expect([handle.tries, read.tries]).toEqual([BUDGET_ATTEMPTS, BUDGET_ATTEMPTS]);
  });

  it("answers 503 for a write over the account's request limit, having written nothing, and the write goes through later", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    const { response } = await whileBusy("TransactWriteItems", busy("RequestLimitExceeded"), () =>
      when.follows(reader, author),
    );
    expectError(response, 503, "unavailable");
    expect((await when.asksWhetherFollowing(reader, author)).json).toEqual({
      following: false,
    });
    expect((await when.readsProfileOf(author)).data.followerCount).toBe(0);
    await given.aFollow(reader, author);
    expect((await when.readsProfileOf(author)).data.followerCount).toBe(1);
  });
});
