import * as z from "zod/mini";
import { canonicalTime, isoTime, trimmedTextOfLength } from "./common";

export const handleSchema = z.string().check(
  z.regex(/^[A-Za-z0-9_]{3,30}$/, { message: "must be 3 to 30 letters, digits or underscores" }),
);

/** PUT /me */
export const profileInputSchema = z.strictObject({
  handle: handleSchema,
  displayName: trimmedTextOfLength(1, 80),
});
export type ProfileInputBody = z.infer<typeof profileInputSchema>;

const validUntil = z.optional(z.pipe(isoTime, z.transform(canonicalTime)));

export const entitlementSchema = z.discriminatedUnion("tier", [
  z.strictObject({ tier: z.literal("plus"), validUntil }),
  z.strictObject({ tier: z.literal("ultimate"), validUntil }),
  z.strictObject({ tier: z.literal("select"), authorId: z.string().check(z.minLength(1), z.maxLength(128)), validUntil }),
]);

/** PUT /admin/users/{userId}/entitlements */
export const entitlementsInputSchema = z.strictObject({
  entitlements: z.array(entitlementSchema).check(z.maxLength(100, { message: "must hold at most 100 entitlements" })),
});
