import { createHash } from "node:crypto";
import {
  getIdempotencyRecord,
  putIdempotencyRecord,
  unexpiredRecord,
  type IdempotencyScope,
} from "../db/idempotency-store";
import { TransactionCancelled, type TransactItems } from "../db/transactions";
import { idempotencyKeyReused, unavailable } from "../errors";

/** A request that may carry an Idempotency-Key: who sends it, on which route, and its (parsed) input. */
export interface IdempotentRequest {
  userId: string;
  route: string;
  key: string | undefined;
  input: unknown;
}

/** A successful answer, as it is replayed. */
export interface IdempotentAnswer {
  statusCode: number;
  body: unknown;
}

/**
 * JSON with sorted keys, so the same input always hashes the same, whatever order its fields came in. Written
 * with its own stack (no recursion), as every walk over a request's input is.
 */
function canonicalJson(value: unknown): string {
  const text: (string | undefined)[] = [];
  const steps: ({ text: string } | { value: unknown })[] = [{ value }];
  while (steps.length > 0) {
    const step = steps.pop()!;
    if ("text" in step) {
      text.push(step.text);
      continue;
    }
    const current = step.value;
    // Pushed last to first, so that they come out first to last.
    if (Array.isArray(current)) {
      steps.push({ text: "]" });
      for (let index = current.length - 1; index >= 0; index--) {
        steps.push({ value: current[index] });
        if (index > 0) steps.push({ text: "," });
      }
      steps.push({ text: "[" });
    } else if (current && typeof current === "object") {
      const entries = Object.entries(current as Record<string, unknown>)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      steps.push({ text: "}" });
      for (let index = entries.length - 1; index >= 0; index--) {
        const [name, field] = entries[index]!;
        steps.push({ value: field }, { text: `${JSON.stringify(name)}:` });
        if (index > 0) steps.push({ text: "," });
      }
      steps.push({ text: "{" });
    } else {
      text.push(JSON.stringify(current));
    }
  }
  return text.join("");
}

const requestHash = (input: unknown): string => createHash("sha256").update(canonicalJson(input)).digest("base64url");

/**
 * Runs a request's write at most once per Idempotency-Key. `write` must run ONE transaction made of its own
 * items followed by `alsoWrite` (the idempotency record, always last), and must rethrow a TransactionCancelled
 * in which the last item failed. When the key is already held: the same input replays the stored answer (the
 * loser of a concurrent race included), another input answers 409 `idempotency_key_reused`. Only successes
 * are stored, so a failed try may be retried with the same key. Without a key, `write` simply runs.
 */
export async function writeIdempotently(
  request: IdempotentRequest,
  answer: IdempotentAnswer,
  write: (alsoWrite: TransactItems) => Promise<void>,
  now = new Date(),
): Promise<IdempotentAnswer> {
  if (request.key === undefined) {
    await write([]);
    return answer;
  }
  const scope: IdempotencyScope = { userId: request.userId, route: request.route, key: request.key };
  const hash = requestHash(request.input);
  // Two rounds: a record that expired between our condition and our read is gone, and the retry writes anew.
  for (let round = 0; round < 2; round++) {
    try {
      await write([putIdempotencyRecord(scope, { requestHash: hash, ...answer }, now)]);
      return answer;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || !error.failedAt(error.reasons.length - 1)) throw error;
      const held =
        unexpiredRecord(error.oldItems[error.reasons.length - 1], now) ?? (await getIdempotencyRecord(scope, now));
      if (!held) continue;
      if (held.requestHash !== hash) throw idempotencyKeyReused();
      return { statusCode: held.statusCode, body: held.body };
    }
  }
  throw unavailable(1);
}

/**
 * The stored answer to replay for a request whose checks refused it before it could write (its post was
 * deleted, the caller's subscription lapsed, the rate limit is reached): when an earlier try of the very same
 * request with this key succeeded, the client gets that answer again, as the contract promises (1 GetItem, on
 * refusals only). Null without a key, without a record, or when the key holds another request.
 */
export async function storedAnswerFor(request: IdempotentRequest, now = new Date()): Promise<IdempotentAnswer | null> {
  if (request.key === undefined) return null;
  const held = await getIdempotencyRecord({ userId: request.userId, route: request.route, key: request.key }, now);
  if (!held || held.requestHash !== requestHash(request.input)) return null;
  return { statusCode: held.statusCode, body: held.body };
}
