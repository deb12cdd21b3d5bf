import * as z from "zod/mini";
import { MAX_COMMENT_LENGTH } from "../domain/comments";
import { textOfLength } from "./common";

// Comment input (contract: Comments). The body is kept exactly as sent, like a post's body.

/** POST /posts/{postId}/comments */
export const commentInputSchema = z.strictObject({
  body: textOfLength(1, MAX_COMMENT_LENGTH),
});
export type CommentInput = z.infer<typeof commentInputSchema>;
