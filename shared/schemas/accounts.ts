import * as z from "zod/mini";
import type { Me, Profile } from "../domain/account";
import type { Entitlement } from "../domain/entitlements";
import { ROLES, type Role } from "../domain/roles";
import {
  boundedText,
  canonicalTime,
  count,
  isoTime,
  MAX_USER_ID_LENGTH,
  timestamp,
  trimmedTextOfLength,
  userIdText,
} from "./common";

const handleSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_]{3,30}$/, { message: "must be 3 to 30 letters, digits or underscores" }),
    z.describe("3 to 30 letters, digits or underscores; unique regardless of case."),
  );

/** A handle in an answer: as stored, it always matches the rule `PUT /me` checks. */
export const handleText = () => boundedText(30, { pattern: "^[A-Za-z0-9_]{3,30}$" });

/** PUT /me */
export const profileInputSchema = z
  .strictObject({
    handle: handleSchema,
    displayName: trimmedTextOfLength(1, 80),
  })
  .check(z.meta({ id: "ProfileInput", description: "The profile a caller creates or updates with `PUT /me`." }));

const validUntilDescription = "When it ends; absent: it does not. Past this time it counts as absent.";
const validUntil = z.optional(z.pipe(isoTime, z.transform(canonicalTime)).check(z.describe(validUntilDescription)));
const selectAuthorId = z
  .string()
  .check(z.minLength(1), z.maxLength(MAX_USER_ID_LENGTH), z.describe("The author whose Select it is."));
/** At most this many entitlements per account (PUT /admin/users/{userId}/entitlements refuses more). */
const MAX_ENTITLEMENTS = 100;

/** An entitlement as an admin grants it: any ISO-8601 offset, stored as UTC. */
const entitlementInputSchema = z.discriminatedUnion("tier", [
  z.strictObject({ tier: z.literal("plus"), validUntil }),
  z.strictObject({ tier: z.literal("ultimate"), validUntil }),
  z.strictObject({ tier: z.literal("select"), authorId: selectAuthorId, validUntil }),
]);

/** PUT /admin/users/{userId}/entitlements */
export const entitlementsInputSchema = z
  .strictObject({
    entitlements: z
      .array(entitlementInputSchema)
      .check(z.maxLength(MAX_ENTITLEMENTS, { message: `must hold at most ${MAX_ENTITLEMENTS} entitlements` })),
  })
  .check(
    z.meta({
      id: "EntitlementsInput",
      description: "The complete set of a user's entitlements; it replaces the stored one.",
    }),
  );

// Answers (contract: Accounts), checked against the domain's types (shared/domain), so the document, the types
// and what handlers send cannot drift apart.

export const roleSchema = z.enum(ROLES).check(
  z.meta({
    id: "Role",
    description: "From the token's Cognito groups: `admins` -> admin, else `authors` -> author, else reader.",
  }),
) satisfies z.ZodMiniType<Role>;

const storedValidUntil = z.optional(timestamp.check(z.describe(validUntilDescription)));

export const entitlementSchema = z
  .discriminatedUnion("tier", [
    z.strictObject({ tier: z.literal("plus"), validUntil: storedValidUntil }),
    z.strictObject({ tier: z.literal("ultimate"), validUntil: storedValidUntil }),
    z.strictObject({
      tier: z.literal("select"),
      authorId: boundedText(MAX_USER_ID_LENGTH, { description: "The author whose Select it is." }),
      validUntil: storedValidUntil,
    }),
  ])
  .check(
    z.meta({
      id: "Entitlement",
      description:
        "A subscription: `plus` (Plus posts), `ultimate` (everything), or `select` of one author (that author's Select posts).",
    }),
  ) satisfies z.ZodMiniType<Entitlement>;

export const profileSchema = z
  .strictObject({
    userId: userIdText().check(z.describe("The account's ID: the `sub` of its tokens.")),
    handle: handleText(),
    displayName: boundedText(80),
    role: roleSchema,
    followerCount: count.check(z.describe("Accounts that follow this one; exact.")),
    followingCount: count.check(z.describe("Accounts this one follows; exact.")),
    postCount: count.check(z.describe("Posts this account has published and not deleted.")),
    createdAt: timestamp,
  })
  .check(z.meta({ id: "Profile", description: "An account as anyone may see it." })) satisfies z.ZodMiniType<Profile>;

export const meSchema = z
  .strictObject({
    ...profileSchema.shape,
    entitlements: z
      .array(entitlementSchema)
      .check(z.describe("The stored set, expired ones included."), z.meta({ maxItems: MAX_ENTITLEMENTS })),
    lastActiveAt: timestamp.check(
      z.describe("Last recorded activity; refreshed by signed-in requests at most once an hour."),
    ),
    restoring: z
      .boolean()
      .check(
        z.describe(
          "True while the account's relations are still coming back after a deactivation was undone by a sign-in or an operator (contract 1.2); false otherwise.",
        ),
      ),
  })
  .check(
    z.meta({ id: "Me", description: "The caller's own account: its profile, entitlements and activity." }),
  ) satisfies z.ZodMiniType<Me>;

export const userEntitlementsSchema = z
  .strictObject({
    userId: userIdText(),
    entitlements: z.array(entitlementSchema).check(z.meta({ maxItems: MAX_ENTITLEMENTS })),
  })
  .check(z.meta({ id: "UserEntitlements", description: "A user's entitlements after an admin replaced them." }));
