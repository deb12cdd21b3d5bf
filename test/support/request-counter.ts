import { dynamoDb } from "../../shared/db/client";

export interface CountedRequest {
  command: string;
  consumedCapacityUnits: number;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
}

/**
 * Counts the DynamoDB requests the code under test makes, with the capacity each consumed, by an SDK
 * middleware on the shared client: what the data model claims per access pattern is checked against this.
 */
export function countDynamoDbRequests() {
  const requests: CountedRequest[] = [];
  const name = `requestCounter-${Math.random()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (!("ReturnConsumedCapacity" in input)) input.ReturnConsumedCapacity = "TOTAL";
      const command = String(context.commandName ?? "unknown").replace(/Command$/, "");
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        // A refused request (a failed condition, a cancelled transaction) is a request all the same.
        requests.push({ command, consumedCapacityUnits: 0 });
        throw error;
      }
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const consumed = [output.ConsumedCapacity ?? []].flat();
      requests.push({
        command,
        consumedCapacityUnits: consumed.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0),
      });
      return result;
    },
    { step: "initialize", name },
  );
  return {
    requests,
    reset: () => requests.splice(0),
    commands: () => requests.map((request) => request.command),
    stop: () => dynamoDb.middlewareStack.remove(name),
  };
}
