import * as z from "zod/mini";
import type { FollowerOutlook, FollowListEntry, FollowState } from "../domain/follow";
import { handleText } from "./accounts";
import { boundedText, count, pageOf, timestamp, userIdText } from "./common";

// Answers of the following routes (contract: Following), checked against the domain's types.

export const followStateSchema = z
  .strictObject({
    following: z.boolean(),
    followerCount: count.check(z.describe("The followed account's follower count right after this request.")),
  })
  .check(
    z.meta({ id: "FollowState", description: "Whether the caller now follows the account, and its follower count." }),
  ) satisfies z.ZodMiniType<FollowState>;

export const followStatusSchema = z
  .strictObject({ following: z.boolean() })
  .check(z.meta({ id: "FollowStatus", description: "Whether the caller follows the account." }));

export const followListEntrySchema = z
  .strictObject({
    userId: userIdText(),
    handle: handleText(),
    displayName: boundedText(80),
    followedAt: timestamp.check(z.describe("When the follow began.")),
  })
  .check(
    z.meta({ id: "FollowListEntry", description: "The other account of a follow, as it is named now." }),
  ) satisfies z.ZodMiniType<FollowListEntry>;

export const followListPageSchema = pageOf(followListEntrySchema);

/** GET /me/follower-outlook (contract 1.2, "Authors see it coming"): aggregates only, never who. */
export const followerOutlookSchema = z
  .strictObject({
    followerCount: count.check(z.describe("The caller's follower count.")),
    followersUnderNotice: count.check(
      z.describe(
        "How many of the caller's followers are inside a notice schedule now: notified, not withdrawn, not yet deactivated.",
      ),
    ),
    earliestDeactivation: z
      .nullable(timestamp)
      .check(
        z.describe(
          "The earliest time one of them may be deactivated: the soonest that a notice told one of them (null when none is under notice).",
        ),
      ),
  })
  .check(
    z.meta({
      id: "FollowerOutlook",
      description: "How many of the caller's followers may soon be deactivated for inactivity, and from when.",
    }),
  ) satisfies z.ZodMiniType<FollowerOutlook>;
