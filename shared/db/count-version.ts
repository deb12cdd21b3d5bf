// The count guard (docs/data-model.md, "The count guard"). A count read and then recounted cannot be guarded by its
// own value: a +1 and a -1 landing between the read and the write put it back where it was, and a write conditioned
// on "still the value I read" passes with a recount that is wrong by both. So every item that holds a count (the
// profile: follower count of an account without shards, following count, post count; every follower-count shard;
// every post summary: comment count) carries `countVersion`, which every write that moves one of its counts ADDs
// one to and nothing ever lowers. A recount reads the versions with the counts and conditions its writes (or, when
// it writes no count, a ConditionCheck of each item) on them.

/** The attribute: a number that only grows; absent (items written before it existed) reads as 0. */
export const COUNT_VERSION = "countVersion";

/**
 * The clause to put in a count write's `ADD`, beside the count it moves (`ADD #count :delta, countVersion :one`):
 * the expression's values must hold `":one": 1`.
 */
export const ADD_COUNT_VERSION = `${COUNT_VERSION} :one`;

/** A condition as a request or a transaction item takes it (requests.ts, `Condition`). */
interface VersionCondition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * The condition that an item still holds the version `read` (0: it holds none, or 0), for an Update, a Delete or
 * a ConditionCheck; `also` is ANDed before it (with its own names and values). The item must exist.
 */
export function atCountVersion(read: number, also?: VersionCondition): VersionCondition {
  const version =
    read === 0
      ? `(attribute_not_exists(${COUNT_VERSION}) OR ${COUNT_VERSION} = :readCountVersion)`
      : `${COUNT_VERSION} = :readCountVersion`;
  return {
    ConditionExpression: `${also?.ConditionExpression ?? "attribute_exists(pk)"} AND ${version}`,
    ...(also?.ExpressionAttributeNames ? { ExpressionAttributeNames: also.ExpressionAttributeNames } : {}),
    ExpressionAttributeValues: { ...also?.ExpressionAttributeValues, ":readCountVersion": read },
  };
}
