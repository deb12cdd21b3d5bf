// Fixed-window rate limits. The count itself lives in DynamoDB (one counter item per user and window,
// shared/db/rate-limit-store.ts), because Lambda runs many copies of a function and none sees the others' memory.

export interface RateWindow {
  /** Names the window, e.g. `2026-06-01T12:34:00.000Z`: its start. */
  id: string;
  startsAt: Date;
  endsAt: Date;
}

/**
 * The fixed window of `lengthSeconds` that `now` falls in, aligned to the epoch (a minute window starts at
 * second 0 of the minute). Fixed windows let a user spend one window's budget at its end and the next one's at
 * the start of the next (at most twice the limit within any 60 s); that burst is bounded and the price of
 * needing one counter item and no read per request.
 */
export function fixedWindow(now: Date, lengthSeconds: number): RateWindow {
  const lengthMs = lengthSeconds * 1000;
  const start = Math.floor(now.getTime() / lengthMs) * lengthMs;
  const startsAt = new Date(start);
  return { id: startsAt.toISOString(), startsAt, endsAt: new Date(start + lengthMs) };
}

/** Whole seconds until the window ends, at least 1: the `retry-after` of a refused attempt. */
export function secondsUntilEnd(window: RateWindow, now: Date): number {
  return Math.max(1, Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000));
}
