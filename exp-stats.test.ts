import fc from "fast-check";
import { it } from "vitest";
import { play, timelineArbitrary } from "./test/support/deletion-timeline";
it("stats", () => {
  const samples = fc.sample(timelineArbitrary, { numRuns: 400, seed: 1 });
  let deleted = 0, withdrawAct = 0, withdrawEx = 0, notices = 0, fullSchedDeleted = 0, pending = 0, emptyLeads = 0;
  for (const t of samples) { const o = play(t); if (o.deletedAt) { deleted++; if (t.leads.length >= 2) fullSchedDeleted++; } if (t.leads.length===0) emptyLeads++;
    for (const r of o.runs) { if (r.decision.action === "withdraw") r.decision.reason === "activity" ? withdrawAct++ : withdrawEx++; if (r.decision.action === "notify") notices++; if (r.decision.action==="defer" && r.decision.reason==="delivery-pending") pending++; } }
  console.log({ deleted, fullSchedDeleted, withdrawAct, withdrawEx, notices, pending, emptyLeads });
});
