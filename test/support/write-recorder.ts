import { randomUUID } from "node:crypto";
import { dynamoDb } from "../../shared/db/client";

const WRITES = /^(Put|PutItem|Update|UpdateItem|Delete|DeleteItem|BatchWrite|BatchWriteItem|TransactWrite|TransactWriteItems)$/;

/**
 * Records every DynamoDB write that succeeded (an SDK middleware on the shared client): a refused conditional
 * write or a cancelled transaction wrote nothing, so it is not recorded.
 */
export function recordSuccessfulWrites(): { writes: string[]; remove(): void } {
  const name = `record-writes-${randomUUID()}`;
  const writes: string[] = [];
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = String(context.commandName ?? "").replace(/Command$/, "");
      if (WRITES.test(command)) writes.push(`${command} ${JSON.stringify(args.input).slice(0, 300)}`);
      return result;
    },
    { step: "initialize", name },
  );
  return { writes, remove: () => void dynamoDb.middlewareStack.remove(name) };
}
