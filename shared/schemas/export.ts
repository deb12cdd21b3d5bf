import * as z from "zod/mini";
import { entitlementSchema, handleText, meSchema } from "./accounts";
import { commentSchema } from "./comments";
import { pageOf, timestamp, userIdText } from "./common";

/** A page's budget: its records' JSON under 1 MB, with room for the envelope and the cursor. */
export const EXPORT_PAGE_BYTES = 1_000_000 - 8_192;
import { postSchema } from "./posts";

// GET /me/export (contract 1.1, "Own data"): one's own records, page after page.

const followingRecordSchema = z
  .strictObject({ userId: userIdText(), handle: handleText(), followedAt: timestamp })
  .check(z.meta({ id: "ExportedFollow", description: "An account the caller follows." }));

const exportRecordSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("account"), data: meSchema }),
    z.strictObject({ type: z.literal("entitlement"), data: entitlementSchema }),
    z.strictObject({ type: z.literal("following"), data: followingRecordSchema }),
    z.strictObject({ type: z.literal("post"), data: postSchema }),
    z.strictObject({ type: z.literal("comment"), data: commentSchema }),
  ])
  .check(z.meta({ id: "ExportRecord", description: "One record of the caller's own data: its type and the record." }));

/** A page of ExportRecord items (`ExportRecordPage`): under 1 MB, fewer records when bodies are long. */
export const exportPageSchema = pageOf(exportRecordSchema, { maxItemsBytes: EXPORT_PAGE_BYTES });

export type ExportRecord = z.infer<typeof exportRecordSchema>;
export type ExportPage = z.infer<typeof exportPageSchema>;
