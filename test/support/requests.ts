import { randomUUID } from "node:crypto";
import { documentClient } from "../../shared/db/client";

/** Records the DynamoDB operations sent through the document client, in order, until removed. */
export function recordRequests(): { operations: string[]; remove(): void } {
  const name = `record-requests-${randomUUID()}`;
  const operations: string[] = [];
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      operations.push((context.commandName ?? "unknown").replace(/Command$/, ""));
      return next(args);
    },
    { step: "initialize", name, priority: "high" },
  );
  return { operations, remove: () => void documentClient.middlewareStack.remove(name) };
}
