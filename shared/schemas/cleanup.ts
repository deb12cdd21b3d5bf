import * as z from "zod/mini";
import { isoTime } from "./common";

/** POST /admin/cleanup-runs: both optional; a cutoff in the future would delete accounts active right now. */
export const cleanupRunInputSchema = z.strictObject({
  dryRun: z.optional(z.boolean()),
  cutoff: z.optional(
    isoTime.check(z.refine((value) => Date.parse(value) <= Date.now(), { message: "must not be in the future" })),
  ),
});
export type CleanupRunInput = z.infer<typeof cleanupRunInputSchema>;
