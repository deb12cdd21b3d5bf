// A mixed workload for the capacity meter's tests (test/integration/capacity-meter-*.test.ts): accounts, follows
// and unfollows, posts with big bodies and their edits, comments, entitlements, deletions, batch writes, updates of
// sets, lists and numbers, and a whole notice schedule of cleanup runs. Needs the local mail sink
// (`theLocalMailSink`) and DELETION_NOTICE_LEADS = PT3S,PT2S,PT1S, set by the calling file.
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { batchWrite } from "../../shared/db/batch";
import { documentClient, tableName } from "../../shared/db/client";
import { toRunTallyItem } from "../../shared/db/entities/run-tally";
import type { MeteredRequest } from "./capacity-meter";
import { lastActiveAt } from "./cleanup";
import { given } from "./given";
import { expectStatus, host } from "./host";
import { aReaderWithEmail, aRunAt, plus } from "./notices";
import { when } from "./when";

/** Runs the workload; `writtenEarlier` writes items as a benchmark's seeding would, before the workload uses them. */
export async function aMixedWorkload(
  writtenEarlier: (items: Record<string, unknown>[]) => Promise<void>,
): Promise<void> {
  // Accounts, follows and unfollows (transactions with ADD on counts), a follow of an account that is gone.
  const admin = await given.anAdmin();
  const [author, other] = [await given.anAuthor(), await given.anAuthor()];
  const readers = [await aReaderWithEmail(), await aReaderWithEmail(), await aReaderWithEmail()];
  for (const reader of readers) await given.aFollow(reader, author);
  await given.aFollow(readers[0]!, other);
  await given.anUnfollow(readers[1]!, author);
  await given.aFollow(readers[1]!, author);
  expectStatus(await when.follows(readers[2]!, author), 200);
  // A taken handle: a claim refused by its condition.
  expectStatus(await when.savesProfile(readers[2]!, { handle: author.handle, displayName: "x" }), 409);

  // Posts with big bodies, an edit (ReturnValues ALL_NEW), reads of them, a deletion.
  const big = await given.aPost(author, { body: "x".repeat(50_000) });
  const small = await given.aPost(author, { body: "Short." });
  expectStatus(await when.changesPost(author, big.postId, { body: "y".repeat(30_000) }), 200);
  expectStatus(await when.changesPost(author, small.postId, { access: "plus" }), 200);
  expectStatus(await when.readsPost(big.postId, readers[0]), 200);
  expectStatus(await when.listsPostsOf(author, undefined, { limit: 5 }), 200);
  expectStatus(await when.readsFeed(readers[0]!), 200);

  // Comments (ADD commentCount), an entitlement (ReturnValues UPDATED_NEW), a comment deleted.
  const writer = await given.aReaderWith(admin, [{ tier: "ultimate" }]);
  const comment = await given.aComment(writer, big.postId);
  await given.aComment(writer, small.postId);
  await when.comments(readers[0]!, big.postId, "Refused: no entitlement");
  expectStatus(await when.deletesComment(writer, big.postId, comment.commentId), 204);
  await given.entitlements(admin, writer, [{ tier: "plus" }]);
  expectStatus(await when.deletesPost(author, small.postId), 204);
  expectStatus(await when.listsFollowersOf(author), 200);

  // An owner deletes their account (relations, counts, comments).
  expectStatus(await when.deletesOwnAccount(readers[1]!), 204);

  // Batch writes: puts over items the meter never saw, then deletes; direct updates of sets, lists and numbers.
  const tallies = Array.from({ length: 30 }, (_, i) =>
    toRunTallyItem("meter-run", `user-${i}`, { notice: true }, new Date()),
  );
  await batchWrite(tallies.map((item) => ({ put: item })));
  await batchWrite(tallies.slice(0, 20).map((item) => ({ delete: { pk: item.pk, sk: item.sk } })));
  const odd = { pk: "METER#ODD", sk: "ITEM" };
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...odd, tags: new Set(["a", "b"]), scores: new Set([1, 2]), list: [1, { m: "x" }, 3], n: 10.5 },
    }),
  );
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: odd,
      UpdateExpression:
        "SET n = n + :half, #list[1].m = :long, fresh = if_not_exists(fresh, :zero) REMOVE #list[0] ADD tags :more, tally :one DELETE scores :two",
      ExpressionAttributeNames: { "#list": "list" },
      ExpressionAttributeValues: {
        ":half": 0.25,
        ":long": "z".repeat(1500),
        ":zero": 0,
        ":more": new Set(["c", "d".repeat(600)]),
        ":one": 1,
        ":two": new Set([2]),
      },
    }),
  );

  // Items written earlier (as benchmarks seed their tables): overwritten smaller, updated, deleted one by one
  // and in a batch.
  const seeded = Array.from({ length: 5 }, (_, i) => ({ pk: "METER#SEEDED", sk: `ITEM#${i}`, v: "s".repeat(2500) }));
  await writtenEarlier(seeded);
  await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...seeded[0]!, v: "small" } }));
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: "METER#SEEDED", sk: "ITEM#1" },
      UpdateExpression: "SET w = :w",
      ExpressionAttributeValues: { ":w": 1 },
    }),
  );
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: { pk: "METER#SEEDED", sk: "ITEM#2" } }));
  await batchWrite(seeded.slice(3).map((item) => ({ delete: { pk: item.pk, sk: item.sk } })));

  // Inactive readers through a whole schedule: three notices each, then their deletion.
  for (const reader of [readers[0]!, readers[2]!]) await lastActiveAt(reader, "2025-01-10T08:00:00.000Z");
  const t0 = new Date();
  for (const offset of [0, 1, 2, 3]) await aRunAt(plus(t0, offset * 1000));
  expectStatus(await host().api.GET("/users/{userId}/follower-history", { path: { userId: author.userId } }), 200);
}

const billOf = (request: MeteredRequest) =>
  [
    request.command,
    request.failed ? "rejected" : "ok",
    `read ${request.readUnits} (${request.itemsRead} items, ${request.bytesRead} B)`,
    `write ${request.writeUnits} (${request.itemsWritten} items, ${request.bytesWritten} B)`,
  ].join(" ");

/** The bills of the requests, in a stable order (concurrent requests may settle in either meter's order). */
export const billsOf = (requests: readonly MeteredRequest[]): string[] => requests.map(billOf).sort();
