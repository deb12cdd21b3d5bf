import type { FollowListEntry, FollowState } from "../schemas/follows";

/** One account following another. `followId` (a ULID made at follow time) orders the lists by time. */
export interface FollowRelation {
  followerId: string;
  followeeId: string;
  followId: string;
  followedAt: string;
}

/**
 * A row of a follower or following list (the other account, as it is named now, and when the follow began), and
 * the answer of PUT and DELETE /users/{userId}/follow: the shapes of shared/schemas/follows.ts.
 */
export type { FollowListEntry, FollowState };

/** Following is always between two different accounts. */
export const isSelfFollow = (followerId: string, followeeId: string): boolean => followerId === followeeId;
