// What a run counts once per account, in the run's own partition (`CLEANUP#RUN#<runId>`): `NOTICE#<userId>` for a
// notice it recorded (or, dry, would record), `DEFERRED#<userId>` for an inactive account whose deletion waits for
// its notices. Keyed by account, so a step retried after a crash counts nobody twice; counted when the run ends
// (Run's `noticesSent` and `deletionsDeferred`), and expiring (TTL) a week after the run.
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

const RUN_TALLY_TTL_SECONDS = 7 * 24 * 60 * 60;

export type TallyKind = "notice" | "deferred";

export interface RunTallyItem extends ItemKey {
  entityType: typeof entityTypes.runTally;
  userId: string;
  expiresAt: number;
}

export function toRunTallyItem(kind: TallyKind, runId: string, userId: string, now: Date): RunTallyItem {
  const key = kind === "notice" ? cleanupKeys.noticeTally(runId, userId) : cleanupKeys.deferredTally(runId, userId);
  return {
    ...key,
    entityType: entityTypes.runTally,
    userId,
    expiresAt: Math.floor(now.getTime() / 1000) + RUN_TALLY_TTL_SECONDS,
  };
}
