// A comment rate counter (`USER#<userId>`, `RATE#COMMENTS#<window start>`): one item per user and window, counting
// the writes that went through. It is only ever written by an update inside the limited write's transaction
// (shared/db/rate-limit-store.ts) and never read: its failed condition is the answer.
import type { ItemKey, entityTypes } from "../keys";

export interface RateCounterItem extends ItemKey {
  entityType: typeof entityTypes.rateCounter;
  writes: number;
  /** The window's end (epoch seconds), for DynamoDB's TTL. */
  expiresAt: number;
}
