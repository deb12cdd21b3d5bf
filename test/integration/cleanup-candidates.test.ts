import { describe, expect, it } from "vitest";
import { inactivePage, pendingPage } from "../../shared/db/cleanup-candidate-store";
import { toPendingDeletionItem } from "../../shared/db/entities/pending-deletion";
import { putItem } from "../../shared/db/requests";
import { lastActiveAt } from "../support/cleanup";
import { given } from "../support/given";

// A run's search for candidates goes on from page to page by positions (an account), never by storage keys:
// read in pages of two, every candidate comes once, in order, and the last page says where nothing is left.

async function everyPage<P>(
  read: (after: P | undefined) => Promise<{ userIds: string[]; next?: P }>,
): Promise<string[][]> {
  const pages: string[][] = [];
  let after: P | undefined;
  do {
    const page = await read(after);
    pages.push(page.userIds);
    after = page.next;
  } while (after !== undefined);
  return pages;
}

describe("the candidates' pages", () => {
  it("walk the pending deletions two at a time, each once", async () => {
    const userIds = ["pending-a", "pending-b", "pending-c", "pending-d", "pending-e"];
    for (const userId of userIds) {
      await putItem(
        toPendingDeletionItem({
          userId,
          reason: "inactive",
          runId: null,
          at: "2025-01-01T00:00:00.000Z",
          edges: 0,
          comments: 0,
        }),
      );
    }
    const pages = await everyPage((after: string | undefined) => pendingPage(2, after));
    expect(pages.flat()).toEqual(userIds);
    expect(pages.slice(0, 3).map((page) => page.length)).toEqual([2, 2, 1]);
  });

  it("walk one month of the inactivity index two at a time, oldest activity first, only before the cutoff", async () => {
    const readers = await Promise.all(Array.from({ length: 5 }, () => given.aReader()));
    const times = [
      "2024-03-05T10:00:00.000Z",
      "2024-03-01T10:00:00.000Z",
      "2024-03-20T10:00:00.000Z",
      "2024-03-09T10:00:00.000Z",
      "2024-03-28T10:00:00.000Z",
    ];
    for (const [i, reader] of readers.entries()) await lastActiveAt(reader, times[i]!);
    const pages = await everyPage((after: { userId: string; lastActiveAt: string } | undefined) =>
      inactivePage("2024-03", "2024-03-25T00:00:00.000Z", 2, after),
    );
    const byActivity = [1, 0, 3, 2].map((i) => readers[i]!.userId);
    expect(pages.flat()).toEqual(byActivity);
  });
});
