import * as z from "zod/mini";
import { MAX_COMMENT_LENGTH, type CommentView } from "../domain/comments";
import { boundedText, pageOf, textOfLength, timestamp, ulidText, userIdText } from "./common";

// Comment input (contract: Comments). The body is kept exactly as sent, like a post's body.

/** POST /posts/{postId}/comments */
export const commentInputSchema = z
  .strictObject({
    body: textOfLength(1, MAX_COMMENT_LENGTH),
  })
  .check(z.meta({ id: "CommentInput", description: "A new comment." }));
export type CommentInput = z.infer<typeof commentInputSchema>;

// The answer, checked against the domain's CommentView.
export const commentSchema = z
  .strictObject({
    commentId: ulidText(),
    postId: boundedText(720, { pattern: "^[A-Za-z0-9_-]+$" }),
    authorId: z.nullable(userIdText().check(z.describe("The writer; null once the writer's account was deleted."))),
    body: boundedText(MAX_COMMENT_LENGTH),
    createdAt: timestamp,
  })
  .check(z.meta({ id: "Comment", description: "A comment on a post." })) satisfies z.ZodMiniType<CommentView>;

export const commentPageSchema = pageOf(commentSchema);
