import { entitlementsInputSchema, userEntitlementsSchema } from "../../schemas/accounts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "PUT",
  path: "/admin/users/{userId}/entitlements",
  entry: "functions/http/put-entitlements.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "putEntitlements",
  tag: "Accounts",
  summary: "Replace a user's entitlements",
  description:
    "Admins only. Replaces the user's whole set of entitlements with the one sent (an empty list removes " +
    "all). An entitlement may be granted already expired; it then counts as absent.",
  body: entitlementsInputSchema,
  answers: { 200: { description: "The user's entitlements now.", schema: userEntitlementsSchema } },
  errors: ["profile_required"],
  tableAccess: withCaller(),
});
