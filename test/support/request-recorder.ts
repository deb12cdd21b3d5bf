// The one recorder of the DynamoDB requests the code under test makes: an SDK middleware on the shared client that
// keeps each request's command, input, output or error, and the capacity DynamoDB (Local) reported. What the data
// model claims per access pattern, and that a refused request writes nothing, are checked against it. Plain code,
// no vitest: the benchmarks record with it too. (IAM's view of the same requests, per function, is aws-calls.ts;
// capacity as AWS bills it is capacity-meter.ts.)
import { randomUUID } from "node:crypto";
import { dynamoDb } from "../../shared/db/client";

interface RecordedRequest {
  /** The operation, e.g. `Query` or `TransactWriteItems`. */
  command: string;
  input: Record<string, unknown>;
  /** What DynamoDB answered; absent when the request failed. */
  output?: Record<string, unknown>;
  /** Why it failed (a refused condition, a cancelled transaction, an injected fault). */
  error?: unknown;
  /** The capacity DynamoDB (Local) reported: not AWS's bill (capacity-meter.ts computes that). */
  consumedCapacityUnits: number;
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

interface ConsumedCapacity {
  CapacityUnits?: number;
}

/** Records every request sent through the shared client from now until `stop()`. */
export function recordDynamoDbRequests() {
  const requests: RecordedRequest[] = [];
  const name = `request-recorder-${randomUUID()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (!("ReturnConsumedCapacity" in input)) input.ReturnConsumedCapacity = "TOTAL";
      const command = String(context.commandName ?? "unknown").replace(/Command$/, "");
      try {
        const result = await next(args);
        const { ConsumedCapacity } = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
        const consumed = [ConsumedCapacity ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        requests.push({ command, input, output: { ...result.output }, consumedCapacityUnits: consumed });
        return result;
      } catch (error) {
        // A refused request (a failed condition, a cancelled transaction) is a request all the same.
        requests.push({ command, input, error, consumedCapacityUnits: 0 });
        throw error;
      }
    },
    { step: "initialize", name },
  );
  return {
    requests,
    /** The operations in the order they were sent. */
    commands: () => requests.map((request) => request.command),
    /** The writes that succeeded (a refused conditional write or a cancelled transaction wrote nothing), briefly. */
    successfulWrites: () =>
      requests
        .filter((request) => !request.error && WRITES.test(request.command))
        .map((request) => `${request.command} ${JSON.stringify(request.input).slice(0, 300)}`),
    reset: () => void requests.splice(0),
    stop: () => void dynamoDb.middlewareStack.remove(name),
  };
}
