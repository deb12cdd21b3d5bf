/** One account following another. `followId` (a ULID made at follow time) orders the lists by time. */
export interface FollowRelation {
  followerId: string;
  followeeId: string;
  followId: string;
  followedAt: string;
}

/** A row of a follower or following list: the other account, as it is named now, and when the follow began. */
export interface FollowListEntry {
  userId: string;
  handle: string;
  displayName: string;
  followedAt: string;
}

/** The answer of PUT and DELETE /users/{userId}/follow: whether the caller now follows, and the follower count. */
export interface FollowState {
  following: boolean;
  followerCount: number;
}

/** GET /me/follower-outlook (contract 1.2): how many followers are under notice, and the earliest deactivation. */
export interface FollowerOutlook {
  followerCount: number;
  followersUnderNotice: number;
  earliestDeactivation: string | null;
}

/** Following is always between two different accounts. */
export const isSelfFollow = (followerId: string, followeeId: string): boolean => followerId === followeeId;

/**
 * Whether an account's follower count is worth spreading over shards (docs/data-model.md, "Shards only where they
 * serve"): it has none yet, and it is an author (there to be followed) or its count reached the threshold.
 */
export const needsFollowerCountShards = (
  account: { role: string; followerCount: number },
  shards: number,
  threshold: number,
): boolean => shards === 0 && (account.role === "author" || account.followerCount >= threshold);
