import { describe, expect, it, vi } from "vitest";

// A second chance, killed at any write (contract 1.2): a run deactivating, a restore (the sweep) and a purge are each
// killed after K writes (an injected fault: from then on every DynamoDB request fails, as if the process died), then
// the next attempt runs: whatever K, it converges to exactly what one uninterrupted attempt leaves, and the audit
// finds nothing.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
});

import { getAccount } from "../../shared/db/account-store";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { restoreSweepStep } from "../../shared/use-cases/cleanup/restore";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { expectNoDrift } from "../support/audit";
import { expectCountsEqualRelations, lastActiveAt } from "../support/cleanup";
import { crash, injectFaults } from "../support/faults";
import { given } from "../support/given";
import type { TestUser } from "../support/host";
import { someComments, storedCommentsOf } from "../support/post-storage";
import { DAY_MS, aCleanupRunAt, aRestoreLeftToTheSweep, historyOf, stateOf } from "../support/second-chance";
import { when } from "../support/when";

const LEASE_EXPIRED_MS = 16 * 60 * 1000;
const CUTOFF = "2025-06-01T00:00:00.000Z";

/** Two authors, a survivor, and four inactive readers following them, each other and the survivor, who comment. */
async function aWorld() {
  const authors = [await given.anAuthor(), await given.anAuthor()] as const;
  const survivor = await given.aReader();
  const inactive = await Promise.all(Array.from({ length: 4 }, () => given.aReader()));
  for (const reader of inactive) for (const author of authors) await given.aFollow(reader, author);
  await given.aFollow(inactive[0]!, inactive[1]!);
  await given.aFollow(inactive[1]!, inactive[2]!);
  await given.aFollow(survivor, inactive[3]!);
  await given.aFollow(inactive[3]!, survivor);
  await given.aFollow(survivor, authors[0]);
  const post = await given.aPost(authors[0]);
  await someComments(post.postId, [...inactive, survivor], 5);
  for (const reader of inactive) await lastActiveAt(reader, "2025-01-10T08:00:00.000Z");
  const counts = async () => ({
    author0: (await getAccount(authors[0].userId))!.followerCount,
    author1: (await getAccount(authors[1].userId))!.followerCount,
    survivor: await getAccount(survivor.userId).then((account) => [account!.followerCount, account!.followingCount]),
  });
  return { authors, survivor, inactive, post, everyone: [...authors, survivor] as TestUser[], counts };
}

/** Counts writes (transactions and batches, as the cleanup's crash tests do) and kills every request after `k`. */
function killedAfter(k: number) {
  let writes = 0;
  return injectFaults((command) => {
    if (writes >= k) return crash();
    if (/^(TransactWriteItems|BatchWriteItem|PutItem|UpdateItem|DeleteItem)$/.test(command)) writes++;
    return undefined;
  });
}

// Writes of one uninterrupted attempt in this world (measured): the deactivation run 22 (each reader's relations,
// comments and finish in one transaction), the purge run 12 (each of the 4 accounts' mark and its one transaction, the
// run's own 4), the sweep's restore of one account 9. The kills span each, its last write included.
describe.each([0, 1, 2, 3, 5, 8, 11, 14, 17, 19, 21])("a deactivation killed after %i writes", (k) => {
  it("converges on the next run: dormant, out of every count, comments without writer", async () => {
    const world = await aWorld();
    const before = await world.counts();
    const started = new Date();
    const first = await beginRun({ dryRun: false, cutoff: CUTOFF }, started);
    const faults = killedAfter(k);
    await runToCompletion(ticketOf(first), { now: () => started, budgetMs: 60_000 }).catch(() => undefined);
    faults.stop();

    await aCleanupRunAt(new Date(started.getTime() + LEASE_EXPIRED_MS), CUTOFF);
    for (const reader of world.inactive) expect(await stateOf(reader)).toBe("dormant");
    expect(await world.counts()).toEqual({
      author0: before.author0 - 4,
      author1: before.author1 - 4,
      survivor: [0, 1],
    });
    expect((await storedCommentsOf(world.post.postId)).filter((comment) => comment.authorId !== null)).toHaveLength(1);
    await expectCountsEqualRelations(world.everyone);
    await expectNoDrift(`deactivation killed after ${k} writes`);
  });
});

describe.each([0, 1, 2, 3, 4, 5, 6, 7, 8])("a restore killed after %i writes", (k) => {
  it("converges on the next sweep: every relation back once, one history point, comments' writers", async () => {
    const world = await aWorld();
    const before = await world.counts();
    await aCleanupRunAt(new Date(), CUTOFF);
    const [returning] = world.inactive;
    await aRestoreLeftToTheSweep(returning!);
    const faults = killedAfter(k);
    await restoreSweepStep(new Date(), 60_000).catch(() => undefined);
    faults.stop();

    while (!(await restoreSweepStep(new Date(), 60_000)).done);
    expect(await stateOf(returning!)).toBe("live");
    const after = await world.counts();
    expect(after.author0).toBe(before.author0 - 3);
    expect(after.author1).toBe(before.author1 - 3);
    const history = await historyOf(world.authors[0]);
    expect(history.filter((point) => point.reason === "accounts_restored")).toEqual([
      expect.objectContaining({ before: before.author0 - 4, after: before.author0 - 3 }),
    ]);
    expect((await storedCommentsOf(world.post.postId)).filter((comment) => comment.authorId !== null)).toHaveLength(2);
    await expectCountsEqualRelations([...world.everyone, returning!]);
    await expectNoDrift(`restore killed after ${k} writes`);
  });
});

describe.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])("a purge killed after %i writes", (k) => {
  it("converges on the next run: nothing kept, no count changed, the handle quarantined", async () => {
    const world = await aWorld();
    const now = Date.now();
    await aCleanupRunAt(new Date(now - 40 * DAY_MS), CUTOFF);
    const dormant = await world.counts();
    const later = new Date(now - 5 * DAY_MS);
    const first = await beginRun({ dryRun: false, cutoff: CUTOFF }, later);
    const faults = killedAfter(k);
    await runToCompletion(ticketOf(first), { now: () => later, budgetMs: 60_000 }).catch(() => undefined);
    faults.stop();

    await aCleanupRunAt(new Date(later.getTime() + LEASE_EXPIRED_MS), CUTOFF);
    for (const reader of world.inactive) expect(await stateOf(reader)).toBe("gone");
    expect(await world.counts()).toEqual(dormant);
    expect((await storedCommentsOf(world.post.postId)).filter((comment) => comment.authorId !== null)).toHaveLength(1);
    const poser = given.aLocalCaller();
    const claimed = await when.savesProfile(poser, { handle: world.inactive[0]!.handle, displayName: "Poser" });
    expect(claimed.status).toBe(409);
    await expectNoDrift(`purge killed after ${k} writes`);
  });
});
