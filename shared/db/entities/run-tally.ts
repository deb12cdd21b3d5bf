// What a run counts once per account, in the run's own partition (`CLEANUP#RUN#<runId>`, `TALLY#<userId>`): one
// item per account holding both counts, `notice` for a notice it recorded (or, dry, would record) and `deferred` for
// an inactive account whose deletion waits for its notices. Keyed by account and written by SET, so a step retried
// after a crash counts nobody twice and a deferral never undoes the notice's count; counted when the run ends (Run's
// `noticesSent` and `deletionsDeferred`), and expiring (TTL) a week after the run. An earlier release wrote an item
// per kind (`NOTICE#<userId>`, `DEFERRED#<userId>`): still counted for one release (a run under way at a deploy).
import { attributesOf, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

const RUN_TALLY_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What a run counts of an account: a notice recorded, a deletion deferred. */
export interface Tallies {
  notice?: true;
  deferred?: true;
}

export interface RunTallyItem extends ItemKey, Tallies {
  entityType: typeof entityTypes.runTally;
  userId: string;
  expiresAt: number;
}

const expiry = (now: Date): number => Math.floor(now.getTime() / 1000) + RUN_TALLY_TTL_SECONDS;

export function toRunTallyItem(runId: string, userId: string, tallies: Tallies, now: Date): RunTallyItem {
  return {
    ...cleanupKeys.runTally(runId, userId),
    entityType: entityTypes.runTally,
    userId,
    ...tallies,
    expiresAt: expiry(now),
  };
}

/**
 * The update that adds `tallies` to the account's tally item of the run (creating it): SET only, so it keeps what
 * the item counted already and a repeat changes nothing.
 */
export function runTallyUpdate(runId: string, userId: string, tallies: Tallies, now: Date) {
  const kinds = (["notice", "deferred"] as const).filter((kind) => tallies[kind]);
  return {
    key: cleanupKeys.runTally(runId, userId),
    UpdateExpression: `SET entityType = :entityType, userId = :userId, expiresAt = :expiresAt, ${kinds.map((kind) => `#${kind} = :true`).join(", ")}`,
    ExpressionAttributeNames: Object.fromEntries(kinds.map((kind) => [`#${kind}`, kind])),
    ExpressionAttributeValues: {
      ":entityType": entityTypes.runTally,
      ":userId": userId,
      ":expiresAt": expiry(now),
      ":true": true,
    },
  };
}

/** What one tally item counts (an earlier release's items count by their key: see the store). */
export const runTallyCounts = {
  projection: projectionOf(["userId", "notice", "deferred"]),
  read: (item: RawItem): { userId: string; notice: boolean; deferred: boolean } => {
    const attributes = attributesOf(item, entityTypes.runTally);
    return {
      userId: attributes.string("userId"),
      notice: attributes.optionalBoolean("notice") === true,
      deferred: attributes.optionalBoolean("deferred") === true,
    };
  },
};

/** The account an earlier release's tally item (`NOTICE#`, `DEFERRED#`) counts. */
export const legacyTallyAccount = {
  projection: projectionOf(["userId"]),
  read: (item: RawItem): string => attributesOf(item, entityTypes.runTally).string("userId"),
};
