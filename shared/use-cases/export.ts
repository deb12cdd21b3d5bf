import * as z from "zod/mini";
import { getProfileNames } from "../db/account-batch-reader";
import { getCommentsOfWriter } from "../db/comment-store";
import { getWrittenComments } from "../db/export-store";
import { listFollowing } from "../db/follow-read-store";
import { getPostsOfAuthor } from "../db/post-list-store";
import { getPostToRead } from "../db/post-store";
import { toMe, type Account, type Caller } from "../domain/account";
import { toCommentView } from "../domain/comments";
import { decodePostId, toPostView } from "../domain/posts";
import { notFound } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { EXPORT_PAGE_BYTES, type ExportPage, type ExportRecord } from "../schemas/export";

// GET /me/export (contract 1.1, "Own data"): every record of one's own, in a fixed order (the Me object, then each
// entitlement, each account followed, each post with its body, each comment), page after page. A page stops before
// the record that would take it to 1 MB (or at `limit` records); its cursor names the last record it holds, so
// following the cursors yields every record exactly once.

/** Posts read per round: their bodies are up to 200 KB each, and a page takes what fits. */
const POSTS_PER_ROUND = 5;

type Phase = "account" | "entitlement" | "following" | "post" | "comment";
interface Position {
  phase: Phase;
  /** The last record of the phase already exported (an index, a follow ID, a post ULID, a comment ID). */
  after?: string;
}

const positionSchema = z.strictObject({
  phase: z.enum(["account", "entitlement", "following", "post", "comment"]),
  after: z.optional(z.string().check(z.maxLength(200))),
});

interface Round {
  records: { record: ExportRecord; key: string }[];
  /** Where the phase goes on after these records, or the next phase; null once everything is read. */
  next: Position | null;
}

/** Reads the next records from `position` on (at most about `wanted`). */
async function readRound(account: Account, position: Position, wanted: number): Promise<Round> {
  const { userId } = account;
  switch (position.phase) {
    case "account":
      return {
        records: [{ record: { type: "account", data: toMe(account) }, key: "" }],
        next: { phase: "entitlement" },
      };
    case "entitlement": {
      const from = position.after === undefined ? 0 : Number(position.after) + 1;
      const records = account.entitlements
        .map((data, index) => ({ record: { type: "entitlement" as const, data }, key: String(index) }))
        .slice(from);
      return { records, next: { phase: "following" } };
    }
    case "following": {
      const page = await listFollowing(userId, wanted, position.after);
      const names = await getProfileNames(page.relations.map((relation) => relation.followeeId));
      const records = page.relations.flatMap((relation) => {
        const name = names.get(relation.followeeId);
        const data = { userId: relation.followeeId, handle: name?.handle ?? "", followedAt: relation.followedAt };
        // An account being deleted right now is left out, as the following list leaves it out.
        return name ? [{ record: { type: "following" as const, data }, key: relation.followId }] : [];
      });
      return { records, next: page.next === null ? { phase: "post" } : { phase: "following", after: page.next } };
    }
    case "post": {
      const page = await getPostsOfAuthor(userId, {
        limit: Math.min(wanted, POSTS_PER_ROUND),
        ...(position.after ? { after: position.after } : {}),
      });
      const read = await Promise.all(
        page.posts.map(async (summary) => {
          const ref = decodePostId(summary.postId)!;
          return { ref, summary, read: await getPostToRead(ref, [summary.access]) };
        }),
      );
      const records = read.flatMap(({ ref, summary, read: post }) =>
        post?.body == null
          ? []
          : [
              {
                record: { type: "post" as const, data: toPostView({ ...summary, body: post.body }, true) },
                key: ref.id,
              },
            ],
      );
      return {
        records,
        next: page.nextAfter === null ? { phase: "comment" } : { phase: "post", after: page.nextAfter },
      };
    }
    case "comment": {
      const page = await getCommentsOfWriter(userId, {
        limit: wanted,
        ...(position.after ? { after: position.after } : {}),
      });
      const comments = await getWrittenComments(page.entries);
      const records = comments.map((comment) => ({
        record: { type: "comment" as const, data: toCommentView(comment) },
        key: comment.commentId,
      }));
      return { records, next: page.nextAfter === null ? null : { phase: "comment", after: page.nextAfter } };
    }
  }
}

const sizeOf = (record: ExportRecord): number => Buffer.byteLength(JSON.stringify(record)) + 1;

/** GET /me/export: a page of the caller's own records; 404 before `PUT /me`. */
export async function exportPage(caller: Caller, query: ListQuery): Promise<ExportPage> {
  const account = caller.account;
  if (!account) throw notFound("Your profile");
  const scope = `export:${account.userId}`;
  let position: Position | null =
    query.cursor === undefined ? { phase: "account" } : decodeCursor(scope, query.cursor, positionSchema);
  const items: ExportRecord[] = [];
  let bytes = 0;
  while (position) {
    const round: Round = await readRound(account, position, Math.max(1, query.limit - items.length));
    let last = position.after;
    for (const { record, key } of round.records) {
      const size = sizeOf(record);
      if (items.length >= query.limit || bytes + size > EXPORT_PAGE_BYTES) {
        return {
          items,
          nextCursor: encodeCursor(scope, { phase: position.phase, ...(last === undefined ? {} : { after: last }) }),
        };
      }
      items.push(record);
      bytes += size;
      last = key;
    }
    // A full page reads on until the next record (or the end), so the last page is never empty.
    position = round.next;
  }
  return { items, nextCursor: null };
}
