// The seed's own scale: one author followed by 125,000 accounts, 10,110 of them inactive (each also following 2 of
// 50 other authors, with a comment on one of their posts), run through a whole notice schedule (the default leads
// P30D,P7D,P1D: runs at day 0, 23, 29 and 30 on a moving clock, as bench/cleanup.ts does) to the deactivation
// (contract 1.2), and on to the purge: a run the day after the deactivation's grace (DEACTIVATION_GRACE, default
// P30D: day 61) purges the deactivated accounts (`--stop-at-deactivation` leaves it out). The author must end at
// exactly 125,000 − 10,110 = 114,890, every deactivated account purged, and the operator's audit
// (shared/use-cases/audit.ts, `auditTable`) must find nothing wrong in the whole table afterwards: every count exact.
//
// The runs' steps run as the state machine runs them (infra/constructs/cleanup-workflow.ts): one page of candidates
// at a time, its batches through a Map of concurrency 10, a failed batch step retried (the state machine's Retry),
// then the recount. Under that concurrency, batches that delete relations to the same popular author contend on
// its follower-count shards: DynamoDB reports that as transaction conflicts, DynamoDB Local never does, so the run
// applies the hot-author benchmark's model of them (bench/support/transaction-conflicts.ts, items held 10 ms).
//
// `npm run bench:seed-scale [-- --followers 125000 --inactive 10110 --concurrency 10 --hold-ms 10 --profile
// --stop-at-deactivation --other-author-shards 0]` (long at full
// scale: a command of its own, never part of `npm run bench` or `npm test`). Writes section 7 of
// docs/performance.md unless `--no-write`.
import { parseArgs } from "node:util";
import { machineLine, writeSection } from "./support/report";
import { table } from "./support/stats";

const { values } = parseArgs({
  options: {
    followers: { type: "string", default: "125000" },
    inactive: { type: "string", default: "10110" },
    concurrency: { type: "string", default: "10" },
    "hold-ms": { type: "string", default: "10" },
    "no-write": { type: "boolean", default: false },
    /**
     * How the capacity meter sizes items: from the requests and a cache, `re-read` (the reference, slower), or
     * `none` (no meter, no bill: what the runs take without it).
     */
    meter: { type: "string", default: "cache" },
    /** A profile of the runs' requests and billed units by phase and item kind (bench/support/cleanup-profile.ts). */
    profile: { type: "boolean", default: false },
    /**
     * Follower-count shards of the 50 other authors (default none: an unfollow of theirs first guesses a shard they
     * lack, see docs/performance.md; 16 is what every account is created with today).
     */
    "other-author-shards": { type: "string", default: "0" },
    /**
     * End the schedule at the deactivation (the day-30 run), without the run after the grace that purges the
     * deactivated accounts.
     */
    "stop-at-deactivation": { type: "boolean", default: false },
  },
});
const FOLLOWERS = Number(values.followers);
const INACTIVE = Number(values.inactive);
const CONCURRENCY = Number(values.concurrency);
const HOLD_MS = Number(values["hold-ms"]);
const METER = values.meter;
const PROFILE = values.profile;
const OTHER_AUTHOR_SHARDS = Number(values["other-author-shards"]);
const STOP_AT_DEACTIVATION = values["stop-at-deactivation"];
if (!(
  Number.isInteger(FOLLOWERS) &&
  Number.isInteger(INACTIVE) &&
  INACTIVE >= 0 &&
  INACTIVE <= FOLLOWERS &&
  CONCURRENCY >= 1 &&
  (METER === "cache" || METER === "re-read" || METER === "none") &&
  !(PROFILE && METER === "none") &&
  Number.isInteger(OTHER_AUTHOR_SHARDS) &&
  OTHER_AUTHOR_SHARDS >= 0
)) {
  throw new Error("--followers N --inactive M: integers with 0 ≤ M ≤ N; --concurrency ≥ 1; --meter cache|re-read|none");
}
const OTHER_AUTHORS = 50;
/** The main author's follower-count shards (the deployed default); readers have none (nobody follows them). */
const SHARDS = 16;
/** AWS on-demand prices, us-east-1 (per million request units), for the cost line. */
const PRICE_PER_MILLION = { write: 0.625, read: 0.125 };
/** What the state machine's Retry gives a failed ProcessBatch (infra/constructs/cleanup-workflow.ts). */
const STEP_ATTEMPTS = 3;

const day = 24 * 3600 * 1000;
const iso = (time: number) => new Date(time).toISOString();
const mainAuthor = "seed-author";
const otherAuthor = (i: number) => `seed-author-${i}`;
const reader = (i: number) => `seed-reader-${i}`;
/** Readers 0..INACTIVE-1 are inactive. */
const isInactive = (i: number) => i < INACTIVE;
/**
 * The 2 other authors inactive reader i follows (distinct), spread so that the readers of one batch (found by their
 * last activity, one day per `i % 300`) follow many different authors, as real readers would.
 */
const othersOf = (i: number) => {
  const first = (i + Math.floor(i / 300)) % OTHER_AUTHORS;
  return [first, (first + OTHER_AUTHORS / 2) % OTHER_AUTHORS];
};

async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

const { startBenchEnvironment } = await import("./support/environment");
const environment = await startBenchEnvironment("seed-scale");
const { startLocalMail, useLocalMail } = await import("../infra/local/mail");
const sink = (await startLocalMail({ ...process.env, LOCAL_IN_MEMORY: "1" }))!;
Object.assign(process.env, {
  MAIL_TRANSPORT: "smtp",
  SMTP_HOST: sink.smtpHost,
  SMTP_PORT: String(sink.smtpPort),
  NOTICE_SENDER_ADDRESS: "notices@bench.test",
});
await useLocalMail("http://localhost:3000");
const { batchWrite } = await import("../shared/db/batch");
const { dynamoDb, documentClient } = await import("../shared/db/client");
const { toCommentIndexEntryItem, toCommentItem } = await import("../shared/db/entities/comment");
const { toFollowItems } = await import("../shared/db/entities/follow");
const { accountItems, postItems } = await import("./support/seed-items");
const { encodePostId } = await import("../shared/domain/posts");
const { ulid } = await import("../shared/ids");
const { beginRun, succeedRun, ticketOf } = await import("../shared/use-cases/cleanup/lease");
const { findCandidates } = await import("../shared/use-cases/cleanup/search");
const { processBatch } = await import("../shared/use-cases/cleanup/batch");
const { recountStep } = await import("../shared/use-cases/cleanup/recount");
const { readRun } = await import("../shared/use-cases/cleanup/reports");
const { auditTable, findingLine } = await import("../shared/use-cases/audit");
const { getAccount } = await import("../shared/db/account-store");
const { countFollowers } = await import("../shared/db/follow-read-store");
const { meterCapacity } = await import("../test/support/capacity-meter");
const { modelTransactionConflicts } = await import("./support/transaction-conflicts");
const { profileRequests, profileTables } = await import("./support/cleanup-profile");
const { config } = await import("../shared/config");
type StoredItem = import("../shared/db/items").StoredItem;
type CandidateCursor = import("../shared/use-cases/cleanup/search").CandidateCursor;

/**
 * The runs of one whole schedule with the default leads, in days after the first: the notices at day 0, 23 and 29,
 * the deactivation at day 30 (contract 1.2; with DEACTIVATION_GRACE=P0D a deletion), and, after the grace, the run
 * that purges the deactivated accounts (the day after it ends: the purge takes accounts whose grace ended before the run; day 61 with the default P30D), unless `--stop-at-deactivation`.
 */
const GRACE_DAYS = Math.ceil(config.DEACTIVATION_GRACE.ms / day);
const RUN_DAYS = [0, 23, 29, 30, ...(STOP_AT_DEACTIVATION || GRACE_DAYS === 0 ? [] : [31 + GRACE_DAYS])];
const PURGES = RUN_DAYS.length > 4;
/**
 * Active readers were last active within this many days before day 0, so that none nears the candidates' bound
 * (cutoff + the longest lead: the last run's day − 365 + 30) while the runs go on: 269 days with the purge at day 61.
 */
const ACTIVE_WITHIN_DAYS = 365 - 30 - RUN_DAYS.at(-1)! - 5;
if (ACTIVE_WITHIN_DAYS < 30) throw new Error(`a grace of ${GRACE_DAYS} days leaves the seed's active readers no room`);

// The capacity meter, cache sizing, watches the fresh table from its first write: it knows every item it is to size
// (tableStartsEmpty). The re-reading reference starts after the seeding, which it would slow (its bill is the same).
// With --profile, each metered request is named by the phase the profile found it sent from (set up before the runs).
let profile: ReturnType<typeof profileRequests> | undefined;
const tag = PROFILE ? (context: object) => profile?.tagOf(context) : undefined;
const seedMeter =
  METER === "cache" ? meterCapacity({ sizing: "cache", tableStartsEmpty: true, ...(tag ? { tag } : {}) }) : undefined;

// ---- seeding: BatchWriteItem through the batch helper, 16 writers at a time (not counted)
const seedStarted = performance.now();
const now = Date.now();
const items: StoredItem[] = [];
const posts = Array.from({ length: OTHER_AUTHORS }, (_, p) => ({
  authorId: otherAuthor(p),
  id: ulid(now - 500 * day),
}));
const otherFollowers = new Array<number>(OTHER_AUTHORS).fill(0);
const commentsOnPost = new Array<number>(OTHER_AUTHORS).fill(0);
const follow = (followerId: string, followeeId: string) =>
  items.push(
    ...toFollowItems({ followerId, followeeId, followId: ulid(now - 400 * day), followedAt: iso(now - 400 * day) }),
  );
const account = (
  userId: string,
  role: "reader" | "author",
  counts: { followers: number; following: number; posts: number },
  lastActiveAt: string,
) =>
  items.push(
    ...accountItems({
      userId,
      role,
      ...counts,
      createdAt: iso(now - 800 * day),
      lastActiveAt,
      shards: userId === mainAuthor ? SHARDS : role === "author" ? OTHER_AUTHOR_SHARDS : 0,
    }),
  );
for (let i = 0; i < FOLLOWERS; i++) {
  follow(reader(i), mainAuthor);
  if (isInactive(i)) {
    const others = othersOf(i);
    for (const other of others) {
      follow(reader(i), otherAuthor(other));
      otherFollowers[other]!++;
    }
    const post = posts[others[0]!]!;
    commentsOnPost[others[0]!]!++;
    const comment = {
      commentId: ulid(now - 450 * day),
      postId: encodePostId(post),
      authorId: reader(i),
      body: "old comment",
      createdAt: iso(now - 450 * day),
    };
    items.push(toCommentItem(post, comment), toCommentIndexEntryItem(reader(i), comment));
  }
  // Inactive: last active 400 to 700 days ago. Active: within ACTIVE_WITHIN_DAYS, so none nears the candidates'
  // bound while the runs go on.
  const lastActiveAt = isInactive(i)
    ? iso(now - (400 + (i % 300)) * day)
    : iso(now - ((i * 7) % ACTIVE_WITHIN_DAYS) * day);
  account(reader(i), "reader", { followers: 0, following: isInactive(i) ? 3 : 1, posts: 0 }, lastActiveAt);
}
account(mainAuthor, "author", { followers: FOLLOWERS, following: 0, posts: 0 }, iso(now));
posts.forEach((post, p) => {
  account(
    post.authorId,
    "author",
    { followers: otherFollowers[p]!, following: 0, posts: 1 },
    iso(now - (p % 30) * day),
  );
  items.push(...postItems(post, commentsOnPost[p]!, iso(now - 500 * day)));
});
const writers = 16;
const slice = Math.ceil(items.length / writers);
await Promise.all(
  Array.from({ length: writers }, (_, w) =>
    batchWrite(items.slice(w * slice, (w + 1) * slice).map((item) => ({ put: item }))),
  ),
);
const itemsSeeded = items.length;
items.length = 0;
const seedSeconds = (performance.now() - seedStarted) / 1000;
process.stderr.write(`seed-scale: ${itemsSeeded} items seeded in ${seedSeconds.toFixed(0)} s\n`);

// ---- the runs, every request counted (by operation, and the rejected writes: a failed condition, or a transaction
// cancelled by a failed condition or a modelled conflict), billed by AWS's rules
const byOperation: Record<string, number> = {};
let rejectedWrites = 0;
const counterName = "seed-scale-request-counter";
dynamoDb.middlewareStack.add(
  (next, context) => async (args) => {
    const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    try {
      return await next(args);
    } catch (error) {
      if (error instanceof Error && /ConditionalCheckFailed|TransactionCanceled/.test(error.name)) rejectedWrites++;
      throw error;
    }
  },
  { step: "initialize", name: counterName, priority: "high" },
);
const meter =
  seedMeter ?? (METER === "re-read" ? meterCapacity({ sizing: "re-read", ...(tag ? { tag } : {}) }) : undefined);
if (PROFILE) profile = profileRequests(dynamoDb);
meter?.reset();
const conflicts = HOLD_MS > 0 ? modelTransactionConflicts(documentClient, HOLD_MS) : null;
let stepRetries = 0;
const loadAtStart = (await import("node:os")).loadavg();
const runStarted = performance.now();
const runs: Awaited<ReturnType<typeof readRun>>[] = [];
const runSeconds: number[] = [];
/** Wall seconds of each run's steps: its searches, its batch steps (a Map at a time), its recount and its end. */
const stepSeconds: { search: number; batches: number; recount: number; end: number }[] = [];
for (const days of RUN_DAYS) {
  const started = performance.now();
  const steps = { search: 0, batches: 0, recount: 0, end: 0 };
  let mark = performance.now();
  const lap = (step: keyof typeof steps) => {
    const time = performance.now();
    steps[step] += (time - mark) / 1000;
    mark = time;
  };
  // Each run starts a little later in its day than the one before (a second per day here), as scheduled runs do in
  // AWS (their start jitters, and a function's clock is `new Date()`): two runs' notices never share an instant, so a
  // notice that keeps its account's outlook target (a cheaper write) is not given to the benchmark for free.
  const at = new Date(now + days * day + days * 1000);
  const run = ticketOf(await beginRun({ dryRun: false, cutoff: iso(at.getTime() - 365 * day) }, at));
  let cursor: CandidateCursor | null = null;
  do {
    const page: Awaited<ReturnType<typeof findCandidates>> = await findCandidates(run, cursor, at);
    lap("search");
    await pool(page.batches, CONCURRENCY, async (batch) => {
      let remaining = batch;
      for (let attempt = 1; remaining.length > 0;) {
        try {
          remaining = (await processBatch(run, remaining, at, 600_000)).remaining;
        } catch (error) {
          if (attempt++ >= STEP_ATTEMPTS) throw error;
          stepRetries++;
        }
      }
    });
    lap("batches");
    cursor = page.cursor;
  } while (cursor);
  while (!(await recountStep(run, at, 600_000)).done);
  lap("recount");
  await succeedRun(run, at);
  runs.push(await readRun(run.runId));
  lap("end");
  stepSeconds.push(steps);
  runSeconds.push((performance.now() - started) / 1000);
  process.stderr.write(`seed-scale: run at day ${days} in ${runSeconds.at(-1)!.toFixed(0)} s\n`);
}
const totalRunSeconds = (performance.now() - runStarted) / 1000;
conflicts?.remove();
profile?.remove();
meter?.stop();
dynamoDb.middlewareStack.remove(counterName);

let mailsSent: number | null = null;
try {
  mailsSent = ((await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[]).length;
} catch (error) {
  process.stderr.write(`seed-scale: could not count the sink's mails: ${String(error)}\n`);
}
await sink.stop();

// ---- the oracle: the author's count, and the audit of the whole table
const expected = FOLLOWERS - INACTIVE;
const author = await getAccount(mainAuthor);
const authorRelations = await countFollowers(mainAuthor);
const auditStarted = performance.now();
const audit = await auditTable({ segments: 4, fix: false, now: new Date(now + RUN_DAYS.at(-1)! * (day + 1000)) });
const auditSeconds = (performance.now() - auditStarted) / 1000;
const sum = (
  field:
    | "accountsDeleted"
    | "accountsDeactivated"
    | "accountsPurged"
    | "followEdgesDeleted"
    | "commentsAnonymized"
    | "noticesSent"
    | "deletionsDeferred",
) => runs.reduce((total, run) => total + run[field], 0);
// A deactivation counts as the run's deletion (accountsDeleted); the purge after the grace counts apart.
const deleted = sum("accountsDeleted");
const purged = sum("accountsPurged");
const requests = Object.values(byOperation).reduce((total, n) => total + n, 0);
const sideReads = meter?.sideReads() ?? { requests: 0, byReason: {} };
const sideReasons = Object.entries(sideReads.byReason)
  .sort(([, a], [, b]) => b - a)
  .map(([reason, n]) => `${n.toLocaleString("en")} ${reason}`)
  .join(", ");
const billedRead = meter?.readUnits() ?? Number.NaN;
const billedWrite = meter?.writeUnits() ?? Number.NaN;
const dollars = (billedWrite * PRICE_PER_MILLION.write + billedRead * PRICE_PER_MILLION.read) / 1e6;
const authorExact = author?.followerCount === expected && authorRelations === expected;
const met = authorExact && deleted === INACTIVE && (!PURGES || purged === INACTIVE) && audit.findings.length === 0;
await environment.stop();

const lines = [
  "## 7. The seed's scale: one author, a whole schedule",
  "",
  `Command: \`npm run bench:seed-scale -- --followers ${FOLLOWERS} --inactive ${INACTIVE}${METER === "cache" ? "" : ` --meter ${METER}`}${PROFILE ? " --profile" : ""}${OTHER_AUTHOR_SHARDS ? ` --other-author-shards ${OTHER_AUTHOR_SHARDS}` : ""}\` (Map concurrency ${CONCURRENCY},`,
  `transaction conflicts modelled with items held ${HOLD_MS} ms). ${machineLine()} Load average at the runs' start: ${loadAtStart
    .map((l) => l.toFixed(2))
    .join(", ")}; at the end: ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}.`,
  "",
  `One author followed by ${FOLLOWERS.toLocaleString("en")} readers, ${INACTIVE.toLocaleString("en")} of them inactive (last active 400–700 days ago; each`,
  `also follows 2 of ${OTHER_AUTHORS} other authors and wrote a comment on one of their posts), seeded with BatchWriteItem`,
  `(${itemsSeeded.toLocaleString("en")} items, ${seedSeconds.toFixed(0)} s). Then a whole notice schedule (P30D,P7D,P1D): runs at day ${RUN_DAYS.join(", ")}`,
  PURGES
    ? `(the notices, the deactivation, and after the grace, DEACTIVATION_GRACE=${config.DEACTIVATION_GRACE.text}, the purge;`
    : "(the notices and the deactivation, `--stop-at-deactivation`, or a deletion without grace;",
  "cutoff: that day − 365 days), each page's batches through a Map of the given concurrency, as the state machine",
  "runs them, the notices over SMTP into the local mail sink. DynamoDB Local serialises requests and never reports",
  "a transaction conflict; the hot-author benchmark's model of them (bench/support/transaction-conflicts.ts) makes",
  "batches that touch the same author's shards at once contend, and the stores' backoff retries them. The capacity",
  "meter (test/support/capacity-meter.ts) bills every request by AWS's rules from the items' sizes,",
  {
    cache:
      "known from the requests themselves and a cache of the items it saw written (it watched the table from its first " +
      "write, the seeding's), reading an item again only where nothing else tells its size " +
      `(${sideReads.requests.toLocaleString("en")} reads of its own over the runs, not counted as requests: ${sideReasons});`,
    "re-read":
      "each item read again by a side client (the reference sizing, `--meter re-read`: slower, the same bill; " +
      `${sideReads.requests.toLocaleString("en")} reads of its own over the runs, not counted as requests);`,
    none: "but not in this run (`--meter none`: no bill, the runs' time without the meter);",
  }[METER],
  "exact for one writer at a time, so with concurrent batches its figure is close, not exact.",
  "",
  `Target: the author ends at exactly ${expected.toLocaleString("en")}${PURGES ? `, the ${INACTIVE.toLocaleString("en")} deactivated accounts purged,` : ""} and the audit finds nothing: ${met ? "met" : "MISSED"} ` +
    `(stored ${author?.followerCount ?? "—"}, relations ${authorRelations}${PURGES ? `; purged ${purged}` : ""}; audit of ${audit.itemsScanned.toLocaleString("en")} items: ${audit.findings.length} findings).`,
  "",
  table(
    [
      "run (day)",
      "notices",
      "deletions deferred",
      "deactivated (deleted)",
      "purged",
      "relations out",
      "comments set aside",
      "count changes",
      "s (machine)",
      "s: begin + search / batch steps / recount / end",
    ],
    runs.map((run, i) => [
      RUN_DAYS[i]!,
      run.noticesSent,
      run.deletionsDeferred,
      run.accountsDeleted,
      run.accountsPurged,
      run.followEdgesDeleted,
      run.commentsAnonymized,
      run.countChangesTotal,
      runSeconds[i]!.toFixed(0),
      [stepSeconds[i]!.search, stepSeconds[i]!.batches, stepSeconds[i]!.recount, stepSeconds[i]!.end]
        .map((seconds) => seconds.toFixed(1))
        .join(" / "),
    ]),
  ),
  "",
  table(
    [
      "requests",
      "per deleted account",
      "rejected writes (conditions and modelled conflicts)",
      "modelled conflicts (transactions / single writes)",
      "batch steps retried",
      "mails in the sink",
      "billed read units",
      "billed write units",
      "write units per deleted account",
      "on-demand $ (us-east-1)",
      "runs s (machine)",
      "audit s",
    ],
    [
      [
        requests,
        deleted ? (requests / deleted).toFixed(1) : "—",
        rejectedWrites,
        conflicts ? `${conflicts.stats.conflicts} / ${conflicts.stats.singleWriteConflicts}` : "not modelled",
        stepRetries,
        mailsSent ?? "—",
        meter ? billedRead.toFixed(0) : "—",
        meter ? billedWrite.toFixed(0) : "—",
        meter && deleted ? (billedWrite / deleted).toFixed(1) : "—",
        meter ? dollars.toFixed(2) : "—",
        totalRunSeconds.toFixed(0),
        auditSeconds.toFixed(0),
      ],
    ],
  ),
  "",
  table(
    ["operation", "requests"],
    Object.entries(byOperation)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([operation, n]) => [operation, n]),
  ),
];
for (const finding of audit.findings.slice(0, 20)) lines.push(`- ${findingLine(finding)}`);
if (profile && meter) {
  lines.push(
    "",
    `### Profile by phase (\`--profile\`: bench/support/cleanup-profile.ts)`,
    "",
    profileTables(profile, meter.requests, deleted),
  );
}
const markdown = lines.join("\n");
process.stdout.write(`${markdown}\n`);
if (!values["no-write"]) writeSection("seed-scale", markdown);
process.exit(met ? 0 : 1);
