import { randomUUID } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { documentClient } from "../../shared/db/client";

export interface InjectedConflicts {
  /** How many TransactWriteItems calls were refused so far. */
  readonly count: number;
  remove(): void;
}

/**
 * Makes the next `times` TransactWriteItems calls fail as DynamoDB does when another transaction holds one of
 * their items (TransactionCanceledException, reason TransactionConflict), before they reach the database.
 * DynamoDB Local never reports conflicts, so tests inject them.
 */
export function injectTransactionConflicts(times = Number.POSITIVE_INFINITY): InjectedConflicts {
  const name = `inject-transaction-conflicts-${randomUUID()}`;
  let count = 0;
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "TransactWriteItemsCommand" || count >= times) return next(args);
      count++;
      const items = (args.input as { TransactItems?: unknown[] }).TransactItems ?? [];
      throw new TransactionCanceledException({
        message: "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: items.map((_, index) =>
          index === items.length - 1
            ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }
            : { Code: "None" },
        ),
      });
    },
    { step: "initialize", name },
  );
  return {
    get count() {
      return count;
    },
    remove: () => void documentClient.middlewareStack.remove(name),
  };
}
