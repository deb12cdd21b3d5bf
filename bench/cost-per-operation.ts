// Part 2: DynamoDB cost per operation. Every route's sample request runs once on fresh data whose posts have
// 50,000-character bodies; an SDK middleware (test/support/capacity-meter.ts) counts the requests and bills the
// capacity each consumes by AWS's rules from the items' sizes, beside what DynamoDB Local reports and what
// docs/data-model.md claims. Then the costs of a post's size: comments, 100-post pages, reading one post.
import { startBenchEnvironment } from "./support/environment";
import { claimedCosts } from "./support/claimed-costs";
import { machineLine, writeSection } from "./support/report";
import { fallbackSample, samplesForAllRoutes, seedFixtures, toIncomingRequest } from "../test/support/route-samples";
import { kb, table } from "./support/stats";

const units = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export async function costPerOperation(): Promise<string> {
  const environment = await startBenchEnvironment("cost");
  try {
    const { dispatch } = await import("../infra/local/server");
    const { meterCapacity } = await import("../test/support/capacity-meter");
    const { inProcessRunsSettled } = await import("../infra/local/cleanup-runner");
    const { postCostScenarios, LONG_POST_CHARACTERS, PAGE, targets } = await import("./support/post-cost-scenarios");
    const fixtures = await seedFixtures({ postBody: "x".repeat(LONG_POST_CHARACTERS) });
    const samples = [
      ...samplesForAllRoutes(fixtures).sort((a, b) => sampleRank(a.routeKey) - sampleRank(b.routeKey)),
      { routeKey: "$default", request: fallbackSample(fixtures) },
    ];
    const meter = meterCapacity();
    const rows: (string | number)[][] = [];
    const mismatches: string[] = [];
    for (const sample of samples) {
      meter.reset();
      const result = await dispatch(toIncomingRequest(sample.request), { jwtSecret: environment.jwtSecret });
      // Read at once: a started cleanup run works on in the background (the local runner), which is not the
      // route's cost and must not count against the next sample.
      const measured = meter.requests.length;
      const [billed, readUnits, writeUnits, localUnits, made] = [
        meter.billedUnits(),
        meter.readUnits(),
        meter.writeUnits(),
        meter.localUnits(),
        meter.commands(),
      ];
      await inProcessRunsSettled();
      const claim = claimedCosts[sample.routeKey];
      const matches = claim !== undefined && claim.requests === measured && claim.units === billed;
      if (!matches) mismatches.push(sample.routeKey);
      rows.push([
        `\`${sample.routeKey}\``,
        result.statusCode ?? 0,
        measured,
        units(readUnits),
        units(writeUnits),
        claim ? `${claim.requests} · ${units(claim.units)} (${claim.pattern})` : "no claim",
        matches ? "equal" : "DIFFERENT",
        units(localUnits),
        made.join(", ") || "none",
      ]);
    }
    // A restore (contract 1.2): a returning reader's first signed-in request, beside the same request of a reader
    // that never left. Its relations: it follows 3 authors, 2 readers follow it; it wrote 2 comments.
    const restore = await aRestoreScenario(fixtures, environment.jwtSecret, dispatch, meter);
    meter.stop();

    const scenarios = postCostScenarios(environment.jwtSecret);
    const short = await scenarios.comment(5);
    const long = await scenarios.comment(LONG_POST_CHARACTERS);
    const commentRatio = (long.readUnits + long.writeUnits) / (short.readUnits + short.writeUnits);
    const pages = {
      ascii: { list: await scenarios.authorList("ascii"), feed: await scenarios.feed("ascii") },
      emoji: { list: await scenarios.authorList("emoji"), feed: await scenarios.feed("emoji") },
    };
    const reads = { ascii: await scenarios.postReads("ascii"), emoji: await scenarios.postReads("emoji") };
    const writes = await scenarios.postWrites();
    const old = await scenarios.oldLayoutList();
    scenarios.stop();
    const { countChangeScenarios, COUNT_CHANGES } = await import("./support/count-change-scenarios");
    const changeReads = await countChangeScenarios(fixtures.admin, environment.jwtSecret);

    const billedOf = (m: { readUnits: number; writeUnits: number }) => m.readUnits + m.writeUnits;
    const pageRows = (["ascii", "emoji"] as const).flatMap((kind) => [
      ["author list", kind, pages[kind].list, targets.authorListUnits] as const,
      ["feed", kind, pages[kind].feed, targets.feedUnits] as const,
    ]);
    const pagesMet = pageRows.every(
      ([, , m, limit]) => m.bytes <= targets.pageBytes && billedOf(m) <= limit && m.status === 200,
    );
    const readRows = (["ascii", "emoji"] as const).flatMap((kind) =>
      (["ultimate", "plus", "anonymous"] as const).map(
        (who) => [kind, who, reads[kind][who], reads[kind].bodyUnits] as const,
      ),
    );
    const readsMet = readRows.every(([, who, m, bodyUnits]) =>
      who === "anonymous" ? m.batchGetReadUnits <= 2 : m.batchGetReadUnits - bodyUnits <= targets.postReadOverhead,
    );
    const kindName = { ascii: "ASCII", emoji: "4-byte emoji" };
    const metOr = (met: boolean) => (met ? "met" : "MISSED");

    return [
      "## 2. DynamoDB cost per operation",
      "",
      `Command: \`npm run bench:cost\`. ${machineLine()}`,
      "",
      "Billed units are computed by an SDK middleware on the shared client (`test/support/capacity-meter.ts`) from",
      "the sizes of the items each request read and wrote, by AWS's published rules: 4 KB read units (strongly",
      "consistent reads at full rate), 1 KB write units per item (an update at the larger of before and after),",
      "twice inside a transaction, a rejected conditional write billed, a Query on the summed size of what it read,",
      "BatchGetItem per item. DynamoDB Local's own figure (ConsumedCapacity) stands beside them: it is not AWS's bill.",
      "These figures do not depend on the machine.",
      "",
      "### Per route",
      "",
      `Each route's sample request (\`test/support/route-samples.ts\`) runs once through the local server's dispatch; the`,
      `samples' posts have bodies of ${LONG_POST_CHARACTERS.toLocaleString("en")} ASCII characters. The claim is the access pattern's requests and`,
      "billed units (reads + writes) in `docs/data-model.md`.",
      `Target: requests and billed units equal to the claim for every route: ${mismatches.length === 0 ? "met" : `MISSED for ${mismatches.join(", ")}`}.`,
      "",
      table(
        [
          "route",
          "status",
          "requests",
          "billed read units",
          "billed write units",
          "claimed: requests · units (pattern)",
          "verdict",
          "DynamoDB Local units",
          "requests made",
        ],
        rows,
      ),
      "",
      "### A restore (contract 1.2)",
      "",
      "A deactivated reader (it follows 3 authors, 2 readers follow it, it wrote 2 comments) signs in: its `GET /me`",
      "restores it within the request (K21-K23, docs/data-model.md), beside the same request of a reader that never left.",
      "The request works on the restore for at most 1 s and the restore sweep finishes it (`Me.restoring` then `true`):",
      "how much of it the request did depends on the load (at a load average of 3 it did all of it: 39 requests, 24 + 136 units).",
      "",
      table(
        ["request", "status", "requests", "billed read units", "billed write units", "Me.restoring", "requests made"],
        restore.map((row) => [
          row.what,
          row.status,
          row.requests,
          units(row.readUnits),
          units(row.writeUnits),
          String(row.restoring),
          row.commands,
        ]),
      ),
      "",
      "### The cost of a post's size",
      "",
      `Posts of ${LONG_POST_CHARACTERS.toLocaleString("en")} characters, published through the API (free posts unless said otherwise: the`,
      "worst case for a list, whose teasers then hold 280 characters). Bytes are the HTTP answer's body.",
      "",
      `A comment (by an Ultimate subscriber, on a free post): ${units(billedOf(long))} billed units on a ${LONG_POST_CHARACTERS.toLocaleString("en")}-character post, ${units(billedOf(short))} on a`,
      `5-character one: ratio ${commentRatio.toFixed(2)} (target ≤ ${targets.commentRatio}: ${metOr(commentRatio <= targets.commentRatio)}).`,
      "",
      table(
        ["post body", "requests", "billed read units", "billed write units", "DynamoDB Local units"],
        [
          [
            "5 characters",
            short.commands.join(", "),
            units(short.readUnits),
            units(short.writeUnits),
            units(short.localUnits),
          ],
          [
            `${LONG_POST_CHARACTERS.toLocaleString("en")} characters`,
            long.commands.join(", "),
            units(long.readUnits),
            units(long.writeUnits),
            units(long.localUnits),
          ],
        ],
      ),
      "",
      `A page of ${PAGE} posts (\`?limit=100\`; the author list anonymously, 101 posts published; the feed of a reader following 4`,
      `authors with 26 posts each). Targets: at most ${kb(targets.pageBytes)} KB, ${targets.authorListUnits} billed units (author list), ${targets.feedUnits} (feed): ${metOr(pagesMet)}.`,
      "",
      table(
        [
          "page",
          "characters",
          "status",
          "items",
          "answer KB",
          "requests",
          "billed units",
          "DynamoDB Local units",
          "KB read",
        ],
        pageRows.map(([page, kind, m]) => [
          page,
          kindName[kind],
          m.status,
          PAGE,
          kb(m.bytes),
          m.commands.length,
          units(billedOf(m)),
          units(m.localUnits),
          kb(m.bytesRead),
        ]),
      ),
      "",
      "`GET /posts/{postId}` of a plus post: by an Ultimate subscriber (the post's body and two absent body keys),",
      "a Plus subscriber (one absent key) and anonymously (locked: the summary and the free body's key, never the",
      `body). Target: the post's read (its BatchGetItem) costs at most ${targets.postReadOverhead} units more than the body's own item requires,`,
      `and a locked read 2: ${metOr(readsMet)}.`,
      "",
      table(
        [
          "characters",
          "caller",
          "status",
          "answer KB",
          "requests",
          "post read units",
          "body item units",
          "caller's read units",
          "DynamoDB Local units",
        ],
        readRows.map(([kind, who, m, bodyUnits]) => [
          kindName[kind],
          who,
          m.status,
          kb(m.bytes),
          m.commands.join(", "),
          units(m.batchGetReadUnits),
          who === "anonymous" ? "(locked)" : bodyUnits,
          units(m.readUnits - m.batchGetReadUnits),
          units(m.localUnits),
        ]),
      ),
      "",
      "Writes of such a post beyond the route samples (ASCII; the answers of P1 and P4 carry the body):",
      "",
      table(
        ["pattern", "request", "status", "requests", "billed read units", "billed write units", "DynamoDB Local units"],
        writes.map(({ pattern, what, measured: m }) => [
          pattern,
          what,
          m.status,
          m.commands.join(", "),
          units(m.readUnits),
          units(m.writeUnits),
          units(m.localUnits),
        ]),
      ),
      "",
      `Side by side, the author list of ${PAGE + 1} ASCII posts stored by version 1 (the body on the post item), then after`,
      `\`npm run migrate\` moved them (${old.migrated} posts):`,
      "",
      table(
        ["layout", "status", "answer KB", "requests", "billed units", "DynamoDB Local units", "KB read"],
        [
          [
            "version 1 (before the migration)",
            old.before.status,
            kb(old.before.bytes),
            old.before.commands.length,
            units(billedOf(old.before)),
            units(old.before.localUnits),
            kb(old.before.bytesRead),
          ],
          [
            "1.1 (after)",
            old.after.status,
            kb(old.after.bytes),
            old.after.commands.length,
            units(billedOf(old.after)),
            units(old.after.localUnits),
            kb(old.after.bytesRead),
          ],
        ],
      ),
      "",
      "### A run's count changes (contract 1.2)",
      "",
      `A finished run with ${COUNT_CHANGES.toLocaleString("en")} count changes (36-character user IDs, stored one item each, as its recount`,
      "stores them): a Run carries its first 100 and `countChangesTotal` (stored at the run's end), and",
      "`GET /admin/cleanup-runs/{runId}/count-changes` pages through all of them. Every answer stays the size of one",
      "page whatever the number of changes; the last row is what the run's answer held before 1.2.",
      "",
      table(
        ["read", "status", "items", "answer KB", "requests", "billed read units", "DynamoDB Local units"],
        changeReads.map((m) => [
          m.what,
          m.status,
          m.items,
          kb(m.bytes),
          m.commands.join(", ") || "-",
          Number.isNaN(m.readUnits) ? "-" : units(m.readUnits),
          Number.isNaN(m.localUnits) ? "-" : units(m.localUnits),
        ]),
      ),
    ].join("\n");
  } finally {
    await environment.stop();
  }
}

/** The restore's cost: a returning reader's GET /me, and a live reader's, metered alike. */
async function aRestoreScenario(
  fixtures: import("../test/support/route-samples").Fixtures,
  jwtSecret: string,
  dispatch: typeof import("../infra/local/server").dispatch,
  meter: ReturnType<typeof import("../test/support/capacity-meter").meterCapacity>,
) {
  const { given } = await import("../test/support/given");
  const { when } = await import("../test/support/when");
  const { getStoredAccountState } = await import("../shared/db/account-store");
  const { markAccountDeletion } = await import("../shared/db/account-deletion-store");
  const { deactivateMarkedAccount } = await import("../shared/use-cases/cleanup/deactivate");
  const { inProcessRunsSettled } = await import("../infra/local/cleanup-runner");
  const returning = await given.aReader();
  const stayed = await given.aReader();
  await given.entitlements(fixtures.admin, returning, [{ tier: "plus" }]);
  const authors = [fixtures.author, await given.anAuthor(), await given.anAuthor()];
  for (const author of authors) await given.aFollow(returning, author);
  for (const follower of [await given.aReader(), await given.aReader()]) await given.aFollow(follower, returning);
  const post = await given.aPost(fixtures.author, { access: "free" });
  for (const body of ["First", "Second"]) await when.comments(returning, post.postId, body);
  const now = new Date();
  const state = (await getStoredAccountState(returning.userId))!;
  const mark = {
    reason: "inactive" as const,
    runId: null,
    at: now.toISOString(),
    graceUntil: new Date(now.getTime() + 30 * 24 * 3600_000).toISOString(),
    phase: "deactivating" as const,
  };
  await markAccountDeletion(state, mark, null);
  await deactivateMarkedAccount(returning.userId, {
    run: null,
    deadline: Date.now() + 60_000,
    now,
    touched: new Set(),
  });
  const rows = [];
  for (const [what, user] of [
    ["`GET /me`, returning (the restore)", returning],
    ["`GET /me`, never left", stayed],
  ] as const) {
    meter.reset();
    const result = await dispatch(toIncomingRequest({ method: "GET", path: "/me", token: user.token }), { jwtSecret });
    rows.push({
      what,
      status: result.statusCode ?? 0,
      requests: meter.requests.length,
      readUnits: meter.readUnits(),
      writeUnits: meter.writeUnits(),
      restoring: (JSON.parse(result.body ?? "{}") as { restoring?: boolean }).restoring,
      commands: summarized(meter.commands()),
    });
    await inProcessRunsSettled();
  }
  return rows;
}

/** A list of commands with repeats counted: `Query × 3, TransactWriteItems × 7`. */
function summarized(commands: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const command of commands) counts.set(command, (counts.get(command) ?? 0) + 1);
  return [...counts].map(([command, count]) => (count > 1 ? `${command} × ${count}` : command)).join(", ");
}

/**
 * The order the samples run in: each measures the state the ones before it left (GET /me/export counts the
 * entitlement and the post written before it; GET /posts/{postId} reads the long body POST /posts stored), so the
 * claims in docs/data-model.md hold for this order, whatever order the route table lists its routes in.
 */
const SAMPLE_ORDER = [
  "GET /health",
  "GET /openapi.json",
  "GET /docs",
  "GET /docs/reference.js",
  "PUT /me",
  "GET /me",
  "GET /me/export",
  "GET /me/follower-outlook",
  "DELETE /me",
  "GET /users/{userId}",
  "GET /handles/{handle}",
  "PUT /admin/users/{userId}/entitlements",
  "POST /posts",
  "GET /posts/{postId}",
  "PATCH /posts/{postId}",
  "DELETE /posts/{postId}",
  "GET /users/{userId}/posts",
  "PUT /users/{userId}/follow",
  "DELETE /users/{userId}/follow",
  "GET /users/{userId}/follow",
  "GET /users/{userId}/followers",
  "GET /users/{userId}/following",
  "POST /posts/{postId}/comments",
  "GET /posts/{postId}/comments",
  "DELETE /posts/{postId}/comments/{commentId}",
  "GET /users/{userId}/follower-history",
  "POST /admin/cleanup-runs",
  "GET /admin/cleanup-runs",
  "GET /admin/cleanup-runs/{runId}",
  "POST /admin/cleanup-runs/{runId}/restore",
  "GET /admin/cleanup-runs/{runId}/count-changes",
  "GET /admin/users/{userId}/notices",
  "GET /feed",
];
/** A route missing from the order is an error: its sample would measure an unplanned state. */
function sampleRank(routeKey: string): number {
  const rank = SAMPLE_ORDER.indexOf(routeKey);
  if (rank < 0) throw new Error(`bench/cost-per-operation.ts: ${routeKey} has no place in SAMPLE_ORDER`);
  return rank;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("cost", await costPerOperation());
  process.exit(0);
}
