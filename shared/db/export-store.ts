import type { Comment } from "../domain/comments";
import { decodePostId } from "../domain/posts";
import { batchGet } from "./batch";
import { fromCommentItem, type WrittenComment } from "./entities/comment";
import { keys } from "./keys";

// What one's own data export (GET /me/export) reads beyond the lists the API already has: the comments an account
// wrote, from its index entries, whole. docs/data-model.md, X1.

/** The comments the index entries name, in the entries' order (BatchGetItem, 100 keys per request, consistent). */
export async function getWrittenComments(entries: readonly WrittenComment[]): Promise<Comment[]> {
  const refs = entries.flatMap((entry) => {
    const post = decodePostId(entry.postId);
    return post ? [{ entry, key: keys.comment(post.id, entry.commentId) }] : [];
  });
  const found = await batchGet(
    refs.map((ref) => ref.key),
    fromCommentItem,
  );
  const byId = new Map(found.map((comment) => [comment.commentId, comment]));
  return refs.flatMap((ref) => {
    const comment = byId.get(ref.entry.commentId);
    return comment ? [comment] : [];
  });
}
