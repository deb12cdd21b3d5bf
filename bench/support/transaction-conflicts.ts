import { TransactionCanceledException, TransactionConflictException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

// DynamoDB Local never reports a transaction conflict. DynamoDB does: a TransactWriteItems that touches an item
// which another TransactWriteItems still holds is cancelled with reason TransactionConflict, and a PutItem,
// UpdateItem or DeleteItem on such an item fails with TransactionConflictException. This model applies that
// documented rule on the client: a transaction that gets through holds its items for `holdMs` from the moment it
// is sent, standing for the server-side duration of a transaction in a region. (Holding them for the local round
// trip instead would measure DynamoDB Local's own queueing, hundreds of milliseconds under load.) It is a model,
// not a measurement of DynamoDB: its figures compare designs under the same rule.

type Key = { pk?: unknown; sk?: unknown };
type TransactItem = {
  Put?: { Item?: Key };
  Update?: { Key?: Key };
  Delete?: { Key?: Key };
  ConditionCheck?: { Key?: Key };
};

const keyOf = (key: Key | undefined) => `${String(key?.pk)}\u0000${String(key?.sk)}`;

function transactKeys(input: { TransactItems?: TransactItem[] }): string[] {
  return (input.TransactItems ?? []).map((item) =>
    keyOf(item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key),
  );
}

export interface ConflictModel {
  readonly stats: { transactions: number; conflicts: number; singleWriteConflicts: number };
  remove(): void;
}

export function modelTransactionConflicts(client: DynamoDBDocumentClient, holdMs: number): ConflictModel {
  const held = new Set<string>();
  const stats = { transactions: 0, conflicts: 0, singleWriteConflicts: 0 };
  const name = "model-transaction-conflicts";
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (context.commandName === "TransactWriteItemsCommand") {
        stats.transactions++;
        const itemKeys = transactKeys(input);
        const busy = itemKeys.map((key) => held.has(key));
        if (busy.some(Boolean)) {
          stats.conflicts++;
          throw new TransactionCanceledException({
            message:
              "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: busy.map((isBusy) => (isBusy ? { Code: "TransactionConflict" } : { Code: "None" })),
          });
        }
        for (const key of itemKeys) held.add(key);
        setTimeout(() => {
          for (const key of itemKeys) held.delete(key);
        }, holdMs);
        return next(args);
      }
      if (
        [
          "PutCommand",
          "UpdateCommand",
          "DeleteCommand",
          "PutItemCommand",
          "UpdateItemCommand",
          "DeleteItemCommand",
        ].includes(context.commandName ?? "")
      ) {
        const key = keyOf((input.Item ?? input.Key) as Key | undefined);
        if (held.has(key)) {
          stats.singleWriteConflicts++;
          throw new TransactionConflictException({
            message: "Transaction is ongoing for the item",
            $metadata: { httpStatusCode: 400 },
          });
        }
      }
      return next(args);
    },
    { step: "initialize", name },
  );
  return { stats, remove: () => void client.middlewareStack.remove(name) };
}

/** Counts the DynamoDB requests a client sends, by operation. */
export function countRequests(client: DynamoDBDocumentClient): { counts: Map<string, number>; remove(): void } {
  const counts = new Map<string, number>();
  const name = "count-requests";
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "unknown").replace(/Command$/, "");
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name, priority: "high" },
  );
  return { counts, remove: () => void client.middlewareStack.remove(name) };
}
