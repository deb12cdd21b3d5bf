import type { PostRef } from "../domain/posts";
import { unavailable } from "../errors";
import { keysOnly, readKey } from "./attributes";
import {
  fromMigrationCheckpointItem,
  toMigrationCheckpointItem,
  type MigrationCheckpoint,
} from "./entities/migration-checkpoint";
import { toPostBodyItem } from "./entities/post";
import { entityTypes, keys, migrationKeys, postRefOf, type ItemKey } from "./keys";
import { getPostSummary } from "./post-store";
import { deleteItem, getItem, putItem, scanPage } from "./requests";
import { putOf, transactWrite, TransactionCancelled, updateOf } from "./transactions";

// Moves posts stored before 1.1 (the body on the post item) to the 1.1 layout (a summary item and a body item),
// while the API serves traffic. docs/data-model.md ("Migrating posts stored before 1.1") gives the design.

export type { MigrationCheckpoint };

/** The name of this migration's checkpoint. */
export const POST_BODIES_MIGRATION = "post-bodies";

export interface LegacyPostsPage {
  /** The posts of the page that still hold their body. */
  posts: PostRef[];
  /** Items the page read (all kinds: the scan reads the whole table). */
  scanned: number;
  /** Where the next page starts; null at the end of the table. */
  next: ItemKey | null;
}

/**
 * One page of a Scan of the whole table (eventually consistent: every post stored before 1.1 was written long
 * before the migration runs), keeping the post items that still hold a body. At most `limit` items read (and
 * 1 MB), from `start`.
 */
export async function scanLegacyPosts(start: ItemKey | null, limit?: number): Promise<LegacyPostsPage> {
  const page = await scanPage(
    {
      FilterExpression: "entityType = :post AND attribute_exists(body)",
      ExpressionAttributeValues: { ":post": entityTypes.post },
      projection: keysOnly,
    },
    (item) => postRefOf(readKey(item)),
    start,
    limit,
  );
  return { posts: page.items, scanned: page.scanned, next: page.next };
}

/** What moving one post did. */
export type MoveOutcome = "moved" | "skipped";

/**
 * Moves one post's body out of its item (moveLegacyPostBody): in one transaction, puts the body item (revision
 * 1, under the post's access) and removes the body from the post item, which becomes its summary (a paid post's
 * teaser that was derived from its body becomes empty, as 1.1 derives it). The update is conditioned on the
 * post as read: still holding its body, at no body revision, not being deleted, same access and teaser kind. So
 * a PATCH, a DELETE or another migration that got there first wins, and the post is read again; a comment's
 * `ADD commentCount` touches nothing the transaction writes, so none is lost. "skipped": the post is gone,
 * being deleted, or already moved.
 */
export async function moveLegacyPostBody(ref: PostRef): Promise<MoveOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await getPostSummary(ref);
    if (!stored || stored.deleting || stored.legacyBody === null) return "skipped";
    const { access, customTeaser } = stored.summary;
    const revision = 1;
    const emptiesTeaser = !customTeaser && access !== "free";
    try {
      await transactWrite([
        updateOf(keys.post(ref.authorId, ref.id), {
          // The post's ID and author are its key's; the summary does not repeat them.
          UpdateExpression: `SET bodyRevision = :revision${emptiesTeaser ? ", teaser = :empty" : ""} REMOVE body, postId, authorId`,
          ConditionExpression:
            "attribute_exists(body) AND attribute_not_exists(bodyRevision) AND attribute_not_exists(deleting) AND " +
            "#access = :access AND customTeaser = :customTeaser",
          ExpressionAttributeNames: { "#access": "access" },
          ExpressionAttributeValues: {
            ":revision": revision,
            ":access": access,
            ":customTeaser": customTeaser,
            ...(emptiesTeaser ? { ":empty": "" } : {}),
          },
        }),
        putOf(toPostBodyItem(ref, access, revision, stored.legacyBody)),
      ]);
      return "moved";
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
    }
  }
  throw unavailable(1);
}

/** The checkpoint of a migration, if it ever ran (1 consistent GetItem). */
export function readMigrationCheckpoint(migration: string): Promise<MigrationCheckpoint | null> {
  return getItem(migrationKeys.checkpoint(migration), fromMigrationCheckpointItem);
}

export async function writeMigrationCheckpoint(migration: string, checkpoint: MigrationCheckpoint): Promise<void> {
  await putItem(toMigrationCheckpointItem(migration, checkpoint));
}

export async function deleteMigrationCheckpoint(migration: string): Promise<void> {
  await deleteItem(migrationKeys.checkpoint(migration));
}
