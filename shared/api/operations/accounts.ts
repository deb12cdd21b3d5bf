import {
  entitlementsInputSchema,
  meSchema,
  profileInputSchema,
  profileSchema,
  userEntitlementsSchema,
} from "../../schemas/accounts";
import { listQuerySchema, noBodySchema } from "../../schemas/common";
import { exportPageSchema } from "../../schemas/export";
import { followerOutlookSchema } from "../../schemas/follows";
import { operation } from "../operation";

// Contract: Accounts.

export const putMe = operation({
  tag: "Accounts",
  summary: "Create or update my profile",
  description:
    "Creates the caller's profile (201) or updates its handle and display name (200). Every other write " +
    "(follow, comment, publish, admin writes) needs a profile first and answers 403 `profile_required` until " +
    "then. The handle is unique regardless of case: one held by another account answers 409 `handle_taken`.",
  auth: "required",
  body: profileInputSchema,
  answers: {
    200: { description: "The profile was updated.", schema: meSchema },
    201: { description: "The profile was created.", schema: meSchema },
  },
  errors: ["handle_taken"],
});

export const getMe = operation({
  tag: "Accounts",
  summary: "Read my account",
  description:
    "The caller's own account: the public profile plus entitlements (the stored set, expired ones included) " +
    "and the last recorded activity. 404 before `PUT /me`. A deactivated account's first signed-in request " +
    "within its grace restores it (contract 1.2): `restoring` is true while its relations are still coming back.",
  auth: "required",
  answers: { 200: { description: "The caller's account.", schema: meSchema } },
  errors: ["not_found"],
});

export const getFollowerOutlook = operation({
  tag: "Accounts",
  summary: "See my followers' outlook",
  description:
    'About the caller\'s own followers (contract 1.2, "Authors see it coming"): the follower count, how many of ' +
    "the followers are inside a notice schedule before deactivation now (notified, not withdrawn, not yet " +
    "deactivated), and the earliest time one of them may be deactivated (null when none). Aggregates only, never " +
    "who; exact at all times, like the counts, and read in the same two requests whatever the number of followers. " +
    "404 before `PUT /me`.",
  auth: "required",
  answers: { 200: { description: "The caller's follower outlook.", schema: followerOutlookSchema } },
  errors: ["not_found"],
});

export const exportMyData = operation({
  tag: "Accounts",
  summary: "Download my data",
  description:
    "Every record of the caller's own, page after page: the Me object first, then every entitlement, every account " +
    "the caller follows, every post with its body, every comment. Each page stays under 1 MB (fewer records when " +
    "bodies are long); following `nextCursor` yields every record exactly once. 404 before `PUT /me`.",
  auth: "required",
  query: listQuerySchema,
  answers: { 200: { description: "A page of the caller's records.", schema: exportPageSchema } },
  errors: ["not_found"],
});

export const deleteMe = operation({
  tag: "Accounts",
  summary: "Delete my account",
  description:
    "Deletes the caller's account exactly as the cleanup of inactive accounts deletes one: profile, " +
    "entitlements and follow relations in both directions go, the handle is freed, comments stay with " +
    "`authorId` null, and an author's posts go with their comments. Counts it touched are recomputed. " +
    "404 when there is no profile.",
  auth: "required",
  body: noBodySchema,
  answers: { 204: { description: "The account is deleted." } },
  errors: ["not_found"],
});

export const getUser = operation({
  tag: "Accounts",
  summary: "Read a profile",
  description: "Anyone's public profile, with its exact follower, following and post counts.",
  auth: "optional",
  answers: { 200: { description: "The profile.", schema: profileSchema } },
});

export const getHandle = operation({
  tag: "Accounts",
  summary: "Find a profile by handle",
  description: "The profile that holds the handle, matched regardless of case (`ALICE` finds `alice`).",
  auth: "optional",
  answers: { 200: { description: "The profile.", schema: profileSchema } },
});

export const putEntitlements = operation({
  tag: "Accounts",
  summary: "Replace a user's entitlements",
  description:
    "Admins only. Replaces the user's whole set of entitlements with the one sent (an empty list removes " +
    "all). An entitlement may be granted already expired; it then counts as absent.",
  auth: "required",
  roles: ["admin"],
  body: entitlementsInputSchema,
  answers: { 200: { description: "The user's entitlements now.", schema: userEntitlementsSchema } },
  errors: ["profile_required"],
});
