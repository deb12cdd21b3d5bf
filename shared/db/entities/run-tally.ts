// What a run counts once per account, in the run's own partition (`CLEANUP#RUN#<runId>`, `TALLY#<userId>`): one
// item per account holding both counts, `notice` for a notice it recorded (or, dry, would record) and `deferred` for
// an inactive account whose deletion waits for its notices. Keyed by account and written by SET, so a step retried
// after a crash counts nobody twice and a deferral never undoes the notice's count; counted when the run ends (Run's
// `noticesSent` and `deletionsDeferred`), and expiring (TTL) a week after the run. An earlier release wrote an item
// per kind (`NOTICE#<userId>`, `DEFERRED#<userId>`): still counted for one release (a run under way at a deploy).
// `FIGURES#<userId>` holds what the run did to an account it deleted or purged, or whose deactivation it finished
// (the run's other totals, set by the transaction that did it; a deactivation itself is counted by its
// `DEACTIVATED#` item), summed when the run ends.
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

/** The figures one account adds to its run's totals (only those its transaction sets). */
export interface AccountRunFigures {
  accountsDeleted?: number;
  followEdgesDeleted?: number;
  commentsAnonymized?: number;
  accountsDeactivated?: number;
  accountsPurged?: number;
}

const figureNames = [
  "accountsDeleted",
  "followEdgesDeleted",
  "commentsAnonymized",
  "accountsDeactivated",
  "accountsPurged",
] as const satisfies readonly (keyof AccountRunFigures)[];

/**
 * The attributes a transaction sets on an account's `FIGURES#` item (an UpdateItem: the mark and the finish of a
 * deactivation each set their own figures on the same item).
 */
export function runFiguresAttributes(
  runId: string,
  userId: string,
  figures: AccountRunFigures,
  now: Date,
): { key: ItemKey; attributes: Record<string, unknown> } {
  const set = Object.entries(figures).filter(([, value]) => value !== undefined);
  return {
    key: cleanupKeys.runFigures(runId, userId),
    attributes: {
      entityType: entityTypes.runTally,
      userId,
      expiresAt: expiry(now),
      ...Object.fromEntries(set),
    },
  };
}

/** An account's figures as its `FIGURES#` item holds them (absent: 0). */
export const runFigures = {
  projection: projectionOf(figureNames),
  read: (item: RawItem): Required<AccountRunFigures> => {
    const attributes = attributesOf(item, entityTypes.runTally);
    return Object.fromEntries(
      figureNames.map((name) => [name, attributes.optionalNumber(name) ?? 0]),
    ) as Required<AccountRunFigures>;
  },
};

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
