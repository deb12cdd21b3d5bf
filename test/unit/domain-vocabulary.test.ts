import { describe, expectTypeOf, it } from "vitest";
import type * as z from "zod/mini";
import type { PostAccess } from "../../shared/domain/access";
import type { Me, Profile } from "../../shared/domain/account";
import type { CountChange, FollowerHistoryPoint, Run } from "../../shared/domain/cleanup";
import type { CommentView } from "../../shared/domain/comments";
import type { Entitlement } from "../../shared/domain/entitlements";
import type { FollowListEntry, FollowState } from "../../shared/domain/follow";
import type { PostSummaryView, PostView } from "../../shared/domain/posts";
import type { Role } from "../../shared/domain/roles";
import type { FieldProblem, RequiredEntitlement } from "../../shared/errors";
import type { entitlementSchema, meSchema, profileSchema, roleSchema } from "../../shared/schemas/accounts";
import type { countChangeSchema, followerHistoryPointSchema, runSchema } from "../../shared/schemas/cleanup";
import type { commentSchema } from "../../shared/schemas/comments";
import type { fieldProblemSchema, requiredEntitlementSchema } from "../../shared/schemas/errors";
import type { followListEntrySchema, followStateSchema } from "../../shared/schemas/follows";
import type { postSchema, postSummarySchema } from "../../shared/schemas/posts";

// The domain owns its vocabulary (shared/domain, shared/errors.ts); each answer schema says `satisfies` its type,
// which proves that what the schema admits is such a value. These assertions prove the other way too, so a field,
// a member or a null that the domain has and the document lacks (or the reverse) does not compile (`npm run check`).
type Output<S extends z.ZodMiniType> = z.output<S>;

describe("the API's answer schemas say exactly the domain's types", () => {
  it("accounts: Role, Entitlement, Profile, Me", () => {
    expectTypeOf<Output<typeof roleSchema>>().toEqualTypeOf<Role>();
    expectTypeOf<Output<typeof entitlementSchema>>().toEqualTypeOf<Entitlement>();
    expectTypeOf<Output<typeof profileSchema>>().toEqualTypeOf<Profile>();
    expectTypeOf<Output<typeof meSchema>>().toEqualTypeOf<Me>();
  });

  it("posts and comments: PostAccess, PostView, PostSummaryView, CommentView", () => {
    expectTypeOf<Output<typeof postSchema>["access"]>().toEqualTypeOf<PostAccess>();
    expectTypeOf<Output<typeof postSchema>>().toEqualTypeOf<PostView>();
    expectTypeOf<Output<typeof postSummarySchema>>().toEqualTypeOf<PostSummaryView>();
    expectTypeOf<Output<typeof commentSchema>>().toEqualTypeOf<CommentView>();
  });

  it("follows: FollowState, FollowListEntry", () => {
    expectTypeOf<Output<typeof followStateSchema>>().toEqualTypeOf<FollowState>();
    expectTypeOf<Output<typeof followListEntrySchema>>().toEqualTypeOf<FollowListEntry>();
  });

  it("cleanup: Run, CountChange, FollowerHistoryPoint", () => {
    expectTypeOf<Output<typeof runSchema>>().toEqualTypeOf<Run>();
    expectTypeOf<Output<typeof countChangeSchema>>().toEqualTypeOf<CountChange>();
    expectTypeOf<Output<typeof followerHistoryPointSchema>>().toEqualTypeOf<FollowerHistoryPoint>();
  });

  it("errors: FieldProblem, RequiredEntitlement", () => {
    expectTypeOf<Output<typeof fieldProblemSchema>>().toEqualTypeOf<FieldProblem>();
    expectTypeOf<Output<typeof requiredEntitlementSchema>>().toEqualTypeOf<RequiredEntitlement>();
  });
});
