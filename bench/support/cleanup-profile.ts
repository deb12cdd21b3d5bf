import { appendFileSync } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { MeteredRequest } from "../../test/support/capacity-meter";
import { table } from "./stats";

// A profile of the cleanup's requests by phase (issue 20): which step of a run sent each DynamoDB request, told
// from the stack of the request as it is sent (the SDK calls the first middleware synchronously from the store's
// `send`, and V8's async stack traces carry the awaiting callers beyond it: processBatch, deleteMarkedAccount,
// sendNotice...). Nothing in the cleanup's own code knows of it. Each request is named once, at the initialize
// step, and the capacity meter (test/support/capacity-meter.ts, option `tag`) looks the name up by the request's
// context, so its billed units land in the same phase; the billed write units are also split by the kind of item
// they were billed for (from its key: shared/db/keys.ts). test/integration/cleanup-profile.test.ts runs a whole 1.2
// schedule under it and fails when a step's requests land in no phase. With CLEANUP_PROFILE_DUMP=<file>, the
// profile also appends each distinct (phase, operation, partitions, callers) with its count to that file when removed:
// how a new step's stacks look, to name it.

/**
 * Phases in the order of a schedule (contract 1.2: notices, deactivation, purge after the grace; a restore where one
 * is reached; the 1.1 deletion with DEACTIVATION_GRACE=P0D); a request whose stack matches none is `other`.
 */
const PHASES = [
  "begin (lease, run record)",
  "search (candidate pages)",
  "batch step: lease renewal",
  "candidate: first read (account state)",
  "candidate: gone (pending deletion, outlook sync dropped)",
  "notice: deliver a queued one",
  "notice: clear a withdrawn schedule",
  "notice: record (schedule entry with its facts, run tally)",
  "notice: settle (facts off the schedule; an old outbox item deleted)",
  "notice: tally a deferral alone",
  "outlook sync: account re-read",
  "outlook sync: relation pages",
  "outlook sync: relations (one transaction per 32, the finish in the last)",
  "outlook sync: follower-count fallback read (guessed shard missing)",
  "outlook sync: relation re-read",
  "outlook sync: finish alone (none due: outlookDirty, registry)",
  "mark (deactivation; 1.1: deletion)",
  "candidate: re-read after the mark",
  "touch survivors (read, record)",
  "deactivation: account re-reads (start, finish)",
  "deactivation: still-marked checks",
  "deactivation: relation pages",
  "deactivation: relations, comments, finish (one transaction where they fit)",
  "deactivation: follower-count fallback read (guessed shard missing)",
  "deactivation: pending-deletion reads (comments' position, finish)",
  "deactivation: comments (pages, set aside)",
  "deactivation: posts",
  "deactivation: finish (dormant, pending, run totals)",
  "purge: account reads (due?, finish)",
  "purge: mark (purging, pending)",
  "purge: reads of what is left (own partition's range, dormant index, history)",
  "purge: one transaction (relations, comments, records, finish)",
  "purge: dormant relations",
  "purge: comments (writer, index entries)",
  "purge: records and history",
  "purge: finish (profile, shards, handle quarantine, pending)",
  "restore: flip",
  "restore: reads (account, restore entry)",
  "restore: relations",
  "restore: comments",
  "restore: history points and finish",
  "dry run: judgement",
  "deletion (1.1): relations",
  "deletion (1.1): comments",
  "deletion (1.1): posts",
  "deletion (1.1): records and history",
  "deletion (1.1): finished-elsewhere checks",
  "deletion (1.1): finish (reads)",
  "deletion (1.1): finish (profile, shards, handle, pending)",
  "recount: lease and touched pages",
  "recount: account read",
  "recount: count queries",
  "recount: write (counts, change, touch end)",
  "report (run totals, end)",
  "the benchmark: each run's report (readRun)",
  "other (unrecognised)",
] as const;
type Phase = (typeof PHASES)[number];
const OTHER: Phase = "other (unrecognised)";

/** The function names on a stack, innermost first (each once). */
function callers(stack: string): string[] {
  const names: string[] = [];
  for (const match of stack.matchAll(/^\s*at (?:async )?(?:[\w$]+\.)?([\w$]+) /gm)) {
    if (!names.includes(match[1]!)) names.push(match[1]!);
  }
  return names;
}

/**
 * The phase of a request, from its callers' names (innermost first) and, where a store function that returns its
 * transaction's promise without awaiting it is missing from the async part of a stack (a retry after a conflict's
 * backoff), from the request itself: its operation and what its input names.
 */
function phaseOf(names: readonly string[], operation: string, input: string): Phase {
  const has = (...fns: string[]) => fns.some((fn) => names.includes(fn));
  /** Whether `fn` is on the stack inside (called, directly or not, by) the innermost of `outer`. */
  const within = (fn: string, ...outer: string[]) => {
    const at = names.indexOf(fn);
    const outerAt = outer.map((name) => names.indexOf(name)).filter((index) => index >= 0);
    return at >= 0 && outerAt.length > 0 && at < Math.min(...outerAt);
  };
  const transaction = operation === "TransactWriteItems";
  if (has("recountStep")) {
    if (operation === "UpdateItem" || (input.includes("CLEANUP#TOUCHED") && operation === "Query"))
      return "recount: lease and touched pages";
    if (transaction) return "recount: write (counts, change, touch end)";
    if (input.includes('"COUNT"')) return "recount: count queries";
    return "recount: account read";
  }
  if (has("readRun")) return "the benchmark: each run's report (readRun)";
  if (has("succeedRun", "endRun", "endUndo", "noticeTotals")) return "report (run totals, end)";
  if (has("beginRun", "beginOrContinueRun", "requestUndo", "createRunWithLease", "createUndoWithLease"))
    return "begin (lease, run record)";
  if (has("findCandidates")) return "search (candidate pages)";
  if (!has("processBatch")) return OTHER;
  if (has("renewLease")) return "batch step: lease renewal";
  // The batch's one read of its candidates (BatchGetItem of the profiles; a Query for an account with shards).
  if (has("getStoredAccountStates")) return "candidate: first read (account state)";
  if (has("dryRunCandidate")) return "dry run: judgement";
  if (has("flipForUndo", "continueRestore", "restoreOnSignIn", "undoCandidate")) {
    if (has("settleDormantRelation", "dormantRelationsPage")) return "restore: relations";
    if (has("restoreComment", "restoreCommentsAfter", "commentIndexPage")) return "restore: comments";
    if (has("settleRestorePoints", "finishRestore")) return "restore: history points and finish";
    if (has("flipForUndo", "flipToRestoring")) return "restore: flip";
    return "restore: reads (account, restore entry)";
  }
  // A survivor's counts recorded before a relation to it moves (deactivation or 1.1 deletion alike).
  if (has("touch", "recordTouched")) return "touch survivors (read, record)";
  // The follower outlook's sync: after a notice is recorded, a withdrawal, or a sync a crash cut short.
  if (has("syncOutlook")) {
    if (has("existingFollowerCountTargets"))
      return "outlook sync: follower-count fallback read (guessed shard missing)";
    // A retry after a conflict's backoff may lose the store function's frame: its relations' conditions name it.
    if (has("syncRelationsOutlook") || (transaction && input.includes('":followId"')))
      return "outlook sync: relations (one transaction per 32, the finish in the last)";
    if (has("relationItemsOf")) return "outlook sync: relation pages";
    if (has("getRelation")) return "outlook sync: relation re-read";
    if (has("getStoredAccountState")) return "outlook sync: account re-read";
    return "outlook sync: finish alone (none due: outlookDirty, registry)";
  }
  if (has("purgeAccount")) {
    if (has("purgeableOf")) return "purge: reads of what is left (own partition's range, dormant index, history)";
    if (has("purgeTogether")) return "purge: one transaction (relations, comments, records, finish)";
    if (has("dropDormantRelations")) return "purge: dormant relations";
    // batchDelete of the comment index entries (USER#<writer>, COMMENT#...) after their round.
    if (has("purgeComment", "commentIndexPage") || (operation === "BatchWriteItem" && input.includes('"sk":"COMMENT#')))
      return "purge: comments (writer, index entries)";
    if (has("idempotencyKeysPage", "historyKeysOf", "batchDelete")) return "purge: records and history";
    if (has("markPurge") || (input.includes('":purging":"purging"') && input.includes('":dormant"')))
      return "purge: mark (purging, pending)";
    if (has("finishPurge") || transaction) return "purge: finish (profile, shards, handle quarantine, pending)";
    return "purge: account reads (due?, finish)";
  }
  if (has("deactivateMarkedAccount")) {
    if (has("stillMarked")) return "deactivation: still-marked checks";
    if (has("existingFollowerCountTargets"))
      return "deactivation: follower-count fallback read (guessed shard missing)";
    if (has("moveIntoDormancy", "dormancyTransaction")) {
      // A refused transaction's reads: the account again (restored? ended elsewhere?), the pending deletion's figures.
      if (has("getStoredAccountState")) return "deactivation: still-marked checks";
      if (has("getPendingDeletion")) return "deactivation: pending-deletion reads (comments' position, finish)";
      return "deactivation: relations, comments, finish (one transaction where they fit)";
    }
    if (has("allFollowing", "allFollowers")) return "deactivation: relation pages";
    if (has("commentIndexRound", "commentIndexPage") || input.includes("dormantAuthorId"))
      return "deactivation: comments (pages, set aside)";
    if (has("postsPage", "deletePostWithComments")) return "deactivation: posts";
    if (has("getPendingDeletion")) return "deactivation: pending-deletion reads (comments' position, finish)";
    if (has("finishDeactivation") || transaction) return "deactivation: finish (dormant, pending, run totals)";
    return "deactivation: account re-reads (start, finish)";
  }
  if (has("deleteMarkedAccount", "deleteFromWhereItStopped")) {
    if (has("removeRelations", "deleteFollow", "removeFollow", "withFollowerCount", "allFollowing", "allFollowers"))
      return "deletion (1.1): relations";
    if (has("dropDormantRelations")) return "deletion (1.1): relations";
    if (has("anonymizeComment", "commentIndexPage")) return "deletion (1.1): comments";
    if (has("postsPage", "deletePostWithComments")) return "deletion (1.1): posts";
    if (has("idempotencyKeysPage", "historyKeysOf")) return "deletion (1.1): records and history";
    if (has("finishedElsewhere")) return "deletion (1.1): finished-elsewhere checks";
    if (has("finishAccountDeletion") || transaction) return "deletion (1.1): finish (profile, shards, handle, pending)";
    // batchDelete (the comment index entries, idempotency records, history points): in this seed, the comments'.
    if (has("batchDelete")) return "deletion (1.1): comments";
    return "deletion (1.1): finish (reads)";
  }
  if (has("deliverAndSettle", "settleNotice", "settleOutboxNotice", "dropOutboxNotice"))
    return "notice: settle (facts off the schedule; an old outbox item deleted)";
  if (has("deliverQueuedNotice")) return "notice: deliver a queued one";
  if (has("clearSchedule")) return "notice: clear a withdrawn schedule";
  if (has("recordNotice", "sendNotice")) return "notice: record (schedule entry with its facts, run tally)";
  if (has("tally")) return "notice: tally a deferral alone";
  if (has("markAccountDeletion") || (transaction && input.includes("SET deletion = :mark")))
    return "mark (deactivation; 1.1: deletion)";
  if (within("getStoredAccountState", "finishMarked")) return "candidate: re-read after the mark";
  if (has("dropPendingDeletion", "dropOutlookSync")) return "candidate: gone (pending deletion, outlook sync dropped)";
  if (within("getStoredAccountState", "processCandidate")) return "candidate: first read (account state)";
  return OTHER;
}

/** The kind of item a key names (shared/db/keys.ts), for the write units' split. */
function itemKind(pk: string, sk: string): string {
  if (pk.startsWith("USER#")) {
    if (sk === "PROFILE") return "profile";
    if (sk.startsWith("PROFILE#FOLLOWER_COUNT#")) return "follower-count shard";
    if (sk.startsWith("FOLLOWS#")) return "follow (pair)";
    if (sk.startsWith("COMMENT#")) return "comment index entry";
    if (sk.startsWith("POST#")) return "post summary";
    if (sk.startsWith("IDEMPOTENCY#")) return "idempotency record";
    return "user partition, other";
  }
  if (pk.startsWith("HANDLE#")) return "handle claim (or quarantine)";
  if (pk.startsWith("DORMANT#")) return "dormant relation (holder's index)";
  if (pk.startsWith("OUTLOOK#")) return "outlook entry";
  if (pk.startsWith("POST#")) return sk.startsWith("COMMENT#") ? "comment" : "post body";
  if (pk.startsWith("FOLLOWERS#")) return "follower row";
  if (pk.startsWith("FOLLOWING#")) return "following row";
  if (pk === "CLEANUP#OUTBOX") return "queued notice (outbox)";
  if (pk === "CLEANUP#PENDING") return "pending deletion";
  if (pk === "CLEANUP#TOUCHED") return "touched account";
  if (pk === "CLEANUP#LEASE") return "lease";
  if (pk === "CLEANUP#RUNS") return "run record";
  if (pk === "CLEANUP#DORMANT") return "dormant account (by grace)";
  if (pk === "CLEANUP#OUTLOOK") return "outlook sync registry";
  if (pk === "CLEANUP#RESTORING") return "restore under way";
  if (pk.startsWith("CLEANUP#RUN#"))
    return sk.startsWith("CHANGE#")
      ? "count change"
      : sk.startsWith("TALLY#")
        ? "run tally (notice and deferral)"
        : sk.startsWith("NOTICE#")
          ? "notice tally"
          : sk.startsWith("DEACTIVATED#")
            ? "deactivated by the run"
            : "deferral tally";
  if (pk.startsWith("HISTORY#")) return "history point";
  return "other";
}

interface PhaseFigures {
  requests: number;
  /** Requests that failed with a rejected condition or a cancelled transaction (modelled conflicts included). */
  rejected: number;
  /** Summed request latency (ms): concurrent requests overlap, so this is the phase's share, not wall time. */
  latencyMs: number;
  byOperation: Map<string, number>;
}

/**
 * Names every request the client sends by its phase (an initialize-step middleware of high priority, run
 * synchronously from `send`), counts them with their latency and outcome, and answers the name of a request's
 * context for the capacity meter's `tag`.
 */
export function profileRequests(client: DynamoDBClient) {
  const phaseOfContext = new WeakMap<object, Phase>();
  const figures = new Map<Phase, PhaseFigures>();
  const name = "cleanup-profile";
  const dumpPath = process.env.CLEANUP_PROFILE_DUMP;
  const dump = dumpPath ? new Map<string, number>() : null;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 100;
      const stack = new Error().stack ?? "";
      Error.stackTraceLimit = limit;
      const operation = String(context.commandName ?? "unknown").replace(/Command$/, "");
      const phase = phaseOf(callers(stack), operation, JSON.stringify(args.input));
      phaseOfContext.set(context, phase);
      if (dump) {
        const frames = [...stack.matchAll(/^\s*at (?:async )?(?:[\w$]+\.)?([\w$<>]+) \(?([^)\n]*)/gm)]
          .filter((m) => /\/(shared|bench)\//.test(m[2]!) && !m[2]!.includes("cleanup-profile"))
          .map((m) => m[1]);
        const pks = [...JSON.stringify(args.input).matchAll(/"pk":"([A-Z_]+)#?/g)].map((m) => m[1]);
        const signature = `${phase}\t${operation}\t${[...new Set(pks)].join(",")}\t${[...new Set(frames)].join(" < ")}`;
        dump.set(signature, (dump.get(signature) ?? 0) + 1);
      }
      const entry = figures.get(phase) ?? { requests: 0, rejected: 0, latencyMs: 0, byOperation: new Map() };
      figures.set(phase, entry);
      entry.requests++;
      entry.byOperation.set(operation, (entry.byOperation.get(operation) ?? 0) + 1);
      const started = performance.now();
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && /ConditionalCheckFailed|TransactionCanceled|TransactionConflict/.test(error.name))
          entry.rejected++;
        throw error;
      } finally {
        entry.latencyMs += performance.now() - started;
      }
    },
    { step: "initialize", name, priority: "high" },
  );
  return {
    figures,
    /** For the capacity meter's `tag` option. */
    tagOf: (context: object): string | undefined => phaseOfContext.get(context),
    remove: () => {
      client.middlewareStack.remove(name);
      if (dump && dumpPath)
        appendFileSync(
          dumpPath,
          [...dump]
            .sort(([, a], [, b]) => b - a)
            .map(([signature, n]) => `${n}\t${signature}\n`)
            .join(""),
        );
    },
  };
}

const per = (value: number, deleted: number, digits = 2) => (deleted ? (value / deleted).toFixed(digits) : "—");

/**
 * The profile's tables (markdown): per phase, requests and billed units per deleted account; the write units per
 * phase and item kind; the transactions per deleted account with their sizes.
 */
export function profileTables(
  profile: ReturnType<typeof profileRequests>,
  metered: readonly MeteredRequest[],
  deleted: number,
): string {
  const units = new Map<string, { read: number; write: number; rejectedWrite: number; metered: number }>();
  const kinds = new Map<string, Map<string, number>>();
  const transactionSizes = new Map<string, { transactions: number; items: number; units: number }>();
  for (const request of metered) {
    const phase = request.tag ?? OTHER;
    const entry = units.get(phase) ?? { read: 0, write: 0, rejectedWrite: 0, metered: 0 };
    entry.read += request.readUnits;
    entry.write += request.writeUnits;
    if (request.failed) entry.rejectedWrite += request.writeUnits;
    entry.metered++;
    units.set(phase, entry);
    for (const write of request.writes) {
      const kind = itemKind(write.pk, write.sk);
      const byKind = kinds.get(kind) ?? new Map<string, number>();
      byKind.set(phase, (byKind.get(phase) ?? 0) + write.units);
      kinds.set(kind, byKind);
    }
    if (request.command === "TransactWriteItems") {
      const sizes = transactionSizes.get(phase) ?? { transactions: 0, items: 0, units: 0 };
      sizes.transactions++;
      sizes.items += request.writes.length;
      sizes.units += request.writeUnits;
      transactionSizes.set(phase, sizes);
    }
  }
  const phases = PHASES.filter((phase) => profile.figures.has(phase) || units.has(phase));
  const totals = { requests: 0, rejected: 0, read: 0, write: 0, rejectedWrite: 0, latency: 0 };
  const phaseRows = phases.map((phase) => {
    const figures = profile.figures.get(phase);
    const billed = units.get(phase) ?? { read: 0, write: 0, rejectedWrite: 0, metered: 0 };
    totals.requests += figures?.requests ?? 0;
    totals.rejected += figures?.rejected ?? 0;
    totals.read += billed.read;
    totals.write += billed.write;
    totals.rejectedWrite += billed.rejectedWrite;
    totals.latency += figures?.latencyMs ?? 0;
    return [
      phase,
      figures?.requests ?? 0,
      per(figures?.requests ?? 0, deleted),
      figures?.rejected ?? 0,
      per(billed.write, deleted),
      per(billed.rejectedWrite, deleted),
      per(billed.read, deleted),
      [...(figures?.byOperation ?? [])]
        .sort(([, a], [, b]) => b - a)
        .map(([operation, n]) => `${operation} ${n}`)
        .join(", "),
      ((figures?.latencyMs ?? 0) / 1000).toFixed(0),
    ];
  });
  phaseRows.push([
    "**all**",
    totals.requests,
    per(totals.requests, deleted),
    totals.rejected,
    per(totals.write, deleted),
    per(totals.rejectedWrite, deleted),
    per(totals.read, deleted),
    "",
    (totals.latency / 1000).toFixed(0),
  ]);
  const kindColumns = phases.filter((phase) => [...kinds.values()].some((byKind) => byKind.has(phase)));
  const kindRows = [...kinds.entries()]
    .map(([kind, byPhase]) => ({ kind, byPhase, total: [...byPhase.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total)
    .map(({ kind, byPhase, total }) => [
      kind,
      per(total, deleted),
      ...kindColumns.map((phase) => (byPhase.has(phase) ? per(byPhase.get(phase)!, deleted) : "")),
    ]);
  const transactionRows = PHASES.filter((phase) => transactionSizes.has(phase)).map((phase) => {
    const sizes = transactionSizes.get(phase)!;
    return [
      phase,
      sizes.transactions,
      per(sizes.transactions, deleted),
      (sizes.items / sizes.transactions).toFixed(1),
      per(sizes.units, deleted),
    ];
  });
  return [
    "Per phase, over the runs (per deleted account: divided by the accounts deleted, or deactivated). Requests as sent, modelled",
    "conflicts and rejected writes included; billed units by the capacity meter (rejected writes billed, modelled",
    "conflicts not: the model refuses them before DynamoDB Local sees them). Latency: the phase's requests' summed",
    "round trips on this machine (concurrent batches overlap, so the sum exceeds the wall time).",
    "",
    table(
      [
        "phase",
        "requests",
        "per deleted account",
        "rejected",
        "billed write units per deleted account",
        "of them, rejected writes'",
        "billed read units per deleted account",
        "operations",
        "summed latency s (machine)",
      ],
      phaseRows,
    ),
    "",
    "Billed write units per deleted account, by the kind of item billed (rows) and phase (columns):",
    "",
    table(["item kind", "all phases", ...kindColumns], kindRows),
    "",
    "Transactions (TransactWriteItems that reached DynamoDB Local) by phase:",
    "",
    table(
      [
        "phase",
        "transactions",
        "per deleted account",
        "items per transaction",
        "billed write units per deleted account",
      ],
      transactionRows,
    ),
  ].join("\n");
}
