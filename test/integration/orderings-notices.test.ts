import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// The ordering harness on the notices before deletion (docs/data-model.md, "The ordering harness"): a signed-in
// request of the account (which withdraws its schedule) against each step a run takes on it: recording a notice,
// delivering a queued one, deleting the account at the end of its schedule. Every ordering of their DynamoDB
// requests on shared partitions, each on a fresh world, checked by the audit's checker (its notice invariants
// included) and by what the API answered.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import type { RunTicket } from "../../shared/domain/cleanup";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { expectNoDrift } from "../support/audit";
import { exists, expectNothingLeftOf } from "../support/cleanup";
import { given } from "../support/given";
import type { TestUser } from "../support/host";
import { explore, expectExplored, exploring, type Plan } from "../support/orderings";
import { expectNoErrors, expectWorldAudited, idsOf, listed, namesOf, shownFollowers } from "../support/ordering-worlds";
import { useRequestGate } from "../support/request-gate";
import {
  aNoticedReaderOfThree,
  aRunFor,
  anInactiveReader,
  anUnusedInactiveReader,
  type ScheduleStage,
} from "../support/schedules";
import { syncOutlook } from "../../shared/use-cases/outlook";
import { worldFindings } from "../support/world-audit";
import { then } from "../support/then";
import { when } from "../support/when";

const TIMEOUT = 300_000;
const S = 1000;

useRequestGate();
let admin: TestUser;
beforeAll(async () => {
  admin = await given.anAdmin();
});
afterEach(() => expectNoDrift("after the orderings"));

describe("a signed-in request (its activity withdraws the schedule) against a run's step on the account", () => {
  const steps: Record<ScheduleStage, string> = {
    none: "the run records the first notice",
    "one recorded, not yet sent": "the run delivers the queued notice",
    // Its outlook time is the first's: recorded on the condition that the account is there, no sync.
    "one sent, the next at its time": "the run records the second notice",
    complete: "the run deletes the account",
  };
  // With the second chance a signed-in request also takes the account out of its followees' outlooks: every
  // ordering of a step's requests is then past the harness's 400, so a seeded sample (more with ORDERINGS=deep).
  const plan: Plan = { full: { sample: 60 }, suite: { sample: 12 } };
  for (const [schedule, step] of Object.entries(steps) as [ScheduleStage, string][]) {
    it(
      `${step}: either the account stays, active, its schedule withdrawn (200), or it is gone whole (404) (${exploring(plan)})`,
      async () => {
        const explored = await explore(plan, {
          name: `a signed-in request × ${step}`,
          setup: () => anInactiveReader(schedule),
          discard: ({ users }) => anUnusedInactiveReader(users.reader),
          names: ({ users }) => namesOf(users),
          operations: ({ users, now }) => ({
            signedIn: () => when.readsOwnAccount(users.reader),
            run: () => aRunFor(users.reader, new Date(now.getTime() + 2 * S)),
          }),
          async check({ users }, outcome) {
            expectNoErrors(outcome);
            const status = (outcome.results.signedIn!.value as { status: number }).status;
            const report = await readRun((outcome.results.run!.value as RunTicket).runId);
            if (await exists(users.reader)) {
              expect({ status, deleted: report.accountsDeleted }).toEqual({ status: 200, deleted: 0 });
              // Withdrawn: support sees no schedule, whatever the run recorded or sent before the request.
              const shown = await when.readsNoticesOf(admin, users.reader);
              expect(listed(shown)).toBe(0);
              expect(await shownFollowers(users.author)).toBe(1);
            } else {
              expect(schedule).toBe("complete");
              expect({ status, deleted: report.accountsDeleted }).toEqual({ status: 404, deleted: 1 });
              await expectNothingLeftOf(users.reader);
              expect(await shownFollowers(users.author)).toBe(0);
            }
            await expectWorldAudited(idsOf(users));
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("a notice's outlook sync (its relations in one transaction) against the reader's unfollow and follow again", () => {
  // The sync sends its 3 relations and its end in one transaction; the reader's first request withdraws the schedule
  // (the target moves to none under the sync) and syncs too, then the relation to B goes and comes back (another
  // follow, outside the outlook). Too many orderings to walk: a seeded sample.
  const plan: Plan = { full: { sample: 60 }, suite: { sample: 12 } };
  it(
    `every author counts the reader once, and out of its outlook once the syncs are done (${exploring(plan)})`,
    async () => {
      const explored = await explore(plan, {
        name: "a notice's grouped outlook sync × an unfollow and a follow of one relation",
        setup: aNoticedReaderOfThree,
        discard: ({ users }) => anUnusedInactiveReader(users.reader),
        names: ({ users }) => namesOf(users),
        operations: ({ users, target }) => ({
          // As a notice's step calls it: with the target its record wrote.
          sync: () => syncOutlook(users.reader.userId, Date.now() + 60_000, { at: target }),
          churn: async () => [await when.unfollows(users.reader, users.b), await when.follows(users.reader, users.b)],
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const answers = outcome.results.churn!.value as { status: number }[];
          expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
          // Exact as left: entries, relations and counts agree; only a sync a request's budget cut short may be due.
          const left = await worldFindings(idsOf(users));
          expect(left.filter((finding) => !finding.includes("an outlook sync was cut short"))).toEqual([]);
          // and once the sync due is done (the reader's next request or the next run), nobody counts it
          expect(await syncOutlook(users.reader.userId, Date.now() + 60_000)).toBe(true);
          for (const author of [users.a, users.b, users.c]) {
            expect(then.itAnswers(await when.readsFollowerOutlook(author), 200)).toEqual({
              followerCount: 1,
              followersUnderNotice: 0,
              earliestDeactivation: null,
            });
          }
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});
