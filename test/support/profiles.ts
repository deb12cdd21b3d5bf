// The cleanup's profile by phase (bench/support/cleanup-profile.ts: `--profile` of bench:seed-scale and bench:cleanup)
// around chosen work, for the test that keeps its phase names true to what the cleanup's steps do.
import { profileRequests } from "../../bench/support/cleanup-profile";
import { dynamoDb } from "../../shared/db/client";

/** Requests per phase the profile named while `work` ran (every request of this process's client). */
export async function profiled(work: () => Promise<unknown>): Promise<Map<string, number>> {
  const profile = profileRequests(dynamoDb);
  try {
    await work();
  } finally {
    profile.remove();
  }
  return new Map([...profile.figures].map(([phase, figures]) => [phase, figures.requests]));
}

/** Adds one profile's requests per phase to another's. */
export function addTo(total: Map<string, number>, more: ReadonlyMap<string, number>): void {
  for (const [phase, requests] of more) total.set(phase, (total.get(phase) ?? 0) + requests);
}
