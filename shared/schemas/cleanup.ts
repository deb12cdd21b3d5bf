import * as z from "zod/mini";
import {
  COUNT_CHANGES_IN_RUN,
  followerHistoryReasons,
  type CountChange,
  type FollowerHistoryPoint,
  type Run,
} from "../domain/cleanup";
import { MAX_LEAD_LENGTH } from "../domain/deletion-schedule";
import { boundedText, count, isoTime, pageOf, timestamp, ulidText, userIdText } from "./common";

/** POST /admin/cleanup-runs: both optional; a cutoff in the future would delete accounts active right now. */
export const cleanupRunInputSchema = z
  .strictObject({
    dryRun: z.optional(z.boolean().check(z.describe("Report what a run would do, and change nothing. Default false."))),
    cutoff: z.optional(
      isoTime.check(
        z.refine((value) => Date.parse(value) <= Date.now(), { message: "must not be in the future" }),
        z.describe(
          "Accounts last active before this time are inactive; not in the future. Default: now minus INACTIVE_AFTER_DAYS.",
        ),
      ),
    ),
  })
  .check(z.meta({ id: "CleanupRunInput", description: "How to run the cleanup of inactive accounts." }));

// Answers (contract: Cleanup of inactive accounts), checked against the domain's types.

export const countChangeSchema = z
  .strictObject({
    userId: userIdText(),
    before: count.check(z.describe("The stored follower count before the run touched it.")),
    after: count.check(z.describe("The count recomputed from the follow relations.")),
  })
  .check(
    z.meta({ id: "CountChange", description: "A surviving account whose follower count the run changed." }),
  ) satisfies z.ZodMiniType<CountChange>;

export const runSchema = z
  .strictObject({
    runId: ulidText(),
    status: z
      .enum(["running", "succeeded", "failed"])
      .check(z.describe("A run leaves `running` only once a new run may start.")),
    dryRun: z.boolean(),
    cutoff: timestamp,
    startedAt: timestamp,
    finishedAt: z.optional(timestamp),
    accountsDeleted: count,
    followEdgesDeleted: count,
    commentsAnonymized: count,
    noticesSent: count.check(
      z.describe("Notices before deletion the run recorded (a dry run: would record), delivered or undeliverable."),
    ),
    deletionsDeferred: count.check(
      z.describe("Inactive accounts the run did not delete because their notices before deletion are not complete."),
    ),
    accountsDeactivated: count.check(
      z.describe(
        "Accounts the run deactivated (contract 1.2): out of every count at once, restorable until DEACTIVATION_GRACE has passed. With a grace, the same number as `accountsDeleted`.",
      ),
    ),
    accountsPurged: count.check(
      z.describe("Deactivated accounts (of earlier runs) whose grace had passed and that this run deleted for good."),
    ),
    accountsRestored: count.check(
      z.describe(
        "Accounts this run deactivated that came back whole: by their owner's sign-in, or by an undo of the run (it rises as the undo proceeds).",
      ),
    ),
    undo: z.optional(
      z
        .strictObject({
          status: z
            .enum(["running", "succeeded", "failed"])
            .check(
              z.describe(
                "`running` while the undo holds the cleanup's lock; a failed undo is resumed by asking again.",
              ),
            ),
          startedAt: timestamp,
          finishedAt: z.optional(timestamp),
        })
        .check(
          z.describe(
            "An operator's undo of the run (`POST /admin/cleanup-runs/{runId}/restore`), once asked for: it restores every account the run deactivated and that is not purged.",
          ),
        ),
    ),
    countChanges: z
      .array(countChangeSchema)
      .check(
        z.describe(
          `The run's first ${COUNT_CHANGES_IN_RUN} count changes, by \`userId\`; \`GET /admin/cleanup-runs/{runId}/count-changes\` pages through all of them.`,
        ),
        z.meta({ maxItems: COUNT_CHANGES_IN_RUN }),
      ),
    countChangesTotal: count.check(
      z.describe("How many count changes the run made (in a dry run: would make), all of them, listed or not."),
    ),
  })
  .check(
    z.meta({
      id: "Run",
      description: "A cleanup run of inactive accounts; in a dry run, the figures say what a real run would do.",
    }),
  ) satisfies z.ZodMiniType<Run>;

export const runPageSchema = pageOf(runSchema);

/** GET /admin/cleanup-runs/{runId}/count-changes: every count change of a run, by user ID. */
export const countChangePageSchema = pageOf(countChangeSchema);

export const followerHistoryPointSchema = z
  .strictObject({
    at: timestamp,
    runId: ulidText().check(
      z.describe(
        "The cleanup run that changed the count (for `recount`, the audit's ID; for `accounts_restored`, the restore's or the undo's ID).",
      ),
    ),
    before: count,
    after: count,
    reason: z
      .enum(followerHistoryReasons)
      .check(
        z.describe(
          "Why the count changed: `inactive_accounts_deleted` for a cleanup run's recount, `recount` for an operator's correction of a drifted count (`npm run audit -- --fix`; `runId` then names that audit), `accounts_restored` when deactivated followers came back (a sign-in, or an undo of a run).",
        ),
      ),
  })
  .check(
    z.meta({ id: "FollowerHistoryPoint", description: "A change of an account's follower count, and why." }),
  ) satisfies z.ZodMiniType<FollowerHistoryPoint>;

export const followerHistoryPageSchema = pageOf(followerHistoryPointSchema);

/** GET /admin/users/{userId}/notices: one notice of the account's current schedule before deletion. */
const noticeSchema = z
  .strictObject({
    lead: boundedText(MAX_LEAD_LENGTH, { pattern: "^P[0-9WDTHMS]+$" }).check(
      z.describe("The notice's lead, an ISO-8601 duration as configured (`P30D`)."),
    ),
    sentAt: timestamp.check(z.describe("When it went out: the mail service accepted it, or it proved undeliverable.")),
    deletionAfter: timestamp.check(
      z.describe("The earliest the account may be deleted after this notice: `sentAt` plus `lead`."),
    ),
    delivery: z.enum(["sent", "undeliverable"]),
  })
  .check(z.meta({ id: "Notice", description: "A notice before deletion of an account's current schedule." }));

export const noticePageSchema = pageOf(noticeSchema);
export type Notice = z.infer<typeof noticeSchema>;
