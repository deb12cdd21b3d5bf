// Part 2: DynamoDB cost per operation. Every route's sample request runs once on fresh data; an SDK middleware
// counts the requests it makes and the capacity they consume, beside what docs/data-model.md claims.
import { startBenchEnvironment } from "./support/environment";
import { claimedCosts } from "./support/claimed-costs";
import { machineLine, writeSection } from "./support/report";
import { fallbackSample, samplesForAllRoutes, seedFixtures, toIncomingRequest } from "../test/support/route-samples";
import { table } from "./support/stats";

export async function costPerOperation(): Promise<string> {
  const environment = await startBenchEnvironment("cost");
  try {
    const { dispatch } = await import("../infra/local/server");
    const { countDynamoDbRequests } = await import("../test/support/request-counter");
    const { inProcessRunsSettled } = await import("../infra/local/cleanup-runner");
    const fixtures = await seedFixtures();
    const samples = [...samplesForAllRoutes(fixtures), { routeKey: "$default", request: fallbackSample(fixtures) }];
    const counter = countDynamoDbRequests();
    const rows: (string | number)[][] = [];
    const mismatches: string[] = [];
    for (const sample of samples) {
      counter.reset();
      const result = await dispatch(toIncomingRequest(sample.request), { jwtSecret: environment.jwtSecret });
      const measured = counter.requests.length;
      const capacity = counter.requests.reduce((sum, request) => sum + request.consumedCapacityUnits, 0);
      const made = counter.commands().join(", ") || "none";
      // A started cleanup run works on in the background (the local runner): not the route's cost, and it
      // must not count against the next sample.
      await inProcessRunsSettled();
      const claim = claimedCosts[sample.routeKey];
      const matches = claim !== undefined && claim.requests === measured;
      if (!matches) mismatches.push(sample.routeKey);
      rows.push([
        `\`${sample.routeKey}\``,
        result.statusCode ?? 0,
        measured,
        claim ? `${claim.requests} (${claim.pattern})` : "no claim",
        matches ? "equal" : "DIFFERENT",
        made,
        capacity.toFixed(1),
      ]);
    }
    counter.stop();
    return [
      "## 2. DynamoDB cost per operation",
      "",
      `Command: \`npm run bench:cost\`. ${machineLine()}`,
      "",
      "Each route's sample request (`test/support/route-samples.ts`) runs once through the local server's dispatch on fresh",
      "data; an SDK middleware on the shared client counts every DynamoDB request and the capacity units DynamoDB Local",
      "reports for it. The claim is the access pattern's count in `docs/data-model.md`. These figures do not depend on",
      "the machine.",
      `Target: equal for every route: ${mismatches.length === 0 ? "met" : `MISSED for ${mismatches.join(", ")}`}.`,
      "",
      table(["route", "status", "requests", "claimed (pattern)", "verdict", "requests made", "capacity units"], rows),
    ].join("\n");
  } finally {
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("cost", await costPerOperation());
  process.exit(0);
}
