import * as z from "zod/mini";
import type { Me, Profile } from "../domain/account";
import type { Entitlement } from "../domain/entitlements";
import { ROLES, type Role } from "../domain/roles";
import { canonicalTime, count, isoTime, timestamp, trimmedTextOfLength } from "./common";

const handleSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_]{3,30}$/, { message: "must be 3 to 30 letters, digits or underscores" }),
    z.describe("3 to 30 letters, digits or underscores; unique regardless of case."),
  );

/** PUT /me */
export const profileInputSchema = z
  .strictObject({
    handle: handleSchema,
    displayName: trimmedTextOfLength(1, 80),
  })
  .check(z.meta({ id: "ProfileInput", description: "The profile a caller creates or updates with `PUT /me`." }));

const validUntilDescription = "When it ends; absent: it does not. Past this time it counts as absent.";
const validUntil = z.optional(z.pipe(isoTime, z.transform(canonicalTime)).check(z.describe(validUntilDescription)));
const selectAuthorId = z.string().check(z.minLength(1), z.maxLength(128), z.describe("The author whose Select it is."));

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
      .check(z.maxLength(100, { message: "must hold at most 100 entitlements" })),
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
    z.strictObject({ tier: z.literal("select"), authorId: z.string(), validUntil: storedValidUntil }),
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
    userId: z.string().check(z.describe("The account's ID: the `sub` of its tokens.")),
    handle: z.string(),
    displayName: z.string(),
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
    entitlements: z.array(entitlementSchema).check(z.describe("The stored set, expired ones included.")),
    lastActiveAt: timestamp.check(
      z.describe("Last recorded activity; refreshed by signed-in requests at most once an hour."),
    ),
  })
  .check(
    z.meta({ id: "Me", description: "The caller's own account: its profile, entitlements and activity." }),
  ) satisfies z.ZodMiniType<Me>;

export const userEntitlementsSchema = z
  .strictObject({ userId: z.string(), entitlements: z.array(entitlementSchema) })
  .check(z.meta({ id: "UserEntitlements", description: "A user's entitlements after an admin replaced them." }));
