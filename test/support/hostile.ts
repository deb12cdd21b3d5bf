import { onHandlerTiming, type HandlerTiming } from "../../infra/local/server";
import { api } from "./api/in-process";
import type { AnyAnswer, UncheckedInit } from "./api/client";

// Hostile request bodies (issue 23's red-team cases) and the measures the API is held to against them: an error
// answer of at most 8 KiB, and at most a second of its function's own work (contract 1.2, Conventions).

/** Contract 1.2: an error answer is at most 8 KiB. */
export const MAX_ERROR_ANSWER_BYTES = 8 * 1024;
/**
 * Contract 1.2: no request of at most 256 KiB takes a function past a second of work. Held to the handler's CPU
 * time (`cpuMs`): its wall time on a shared 2-core machine measures the machine too (a DynamoDB Local request
 * waits behind other processes' work), and is reported beside it.
 */
export const MAX_HANDLER_MS = 1000;

/** JSON's escape of a lone high surrogate, as a client sends it. */
const LONE_SURROGATE_JSON = '"\\ud800"';

/** `levels` objects `{"<key>": ...}` around `inner` (raw JSON text). */
export function nestedInObjects(levels: number, inner: string, key = "k"): string {
  return `${`{${JSON.stringify(key)}:`.repeat(levels)}${inner}${"}".repeat(levels)}`;
}

/** `count` lone surrogates in one array (raw JSON text). */
const loneSurrogates = (count: number): string => `[${Array(count).fill(LONE_SURROGATE_JSON).join(",")}]`;

/** The red team's first body: 500 levels of `{"k": ...}` around 1,030 `"\ud800"` (12,271 bytes). */
export const redTeamSurrogateBody = (): string => nestedInObjects(500, loneSurrogates(1030));

/** The red team's second body: 20 levels of 500-character keys around as many lone surrogates as fit 256 KiB. */
export function redTeamLongKeysBody(): string {
  const key = "K".repeat(500);
  const shell = nestedInObjects(20, "[]", key).length;
  const count = Math.floor((256 * 1024 - shell) / (LONE_SURROGATE_JSON.length + 1));
  return nestedInObjects(20, loneSurrogates(count), key);
}

/** Arrays `[[[...]]]` nested `depth` deep. */
export const deepArrays = (depth: number): string => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** Objects `{"a":{"a":...{}}}` nested `depth` deep. */
export const deepObjects = (depth: number): string => nestedInObjects(depth - 1, "{}", "a");

export interface MeasuredAnswer extends AnyAnswer {
  /** The answer's body in bytes, as it travels. */
  bytes: number;
  /** The function's own time on the request (from the local host; not the wait for an environment). */
  handlerMs: number | undefined;
  /** The CPU time the process spent meanwhile: the function's work (requests are sent one at a time). */
  cpuMs: number | undefined;
}

/** Sends a request as it is (`unchecked`) and measures the answer's size and its handler's time. */
export async function measuredCall(method: string, path: string, options: UncheckedInit): Promise<MeasuredAnswer> {
  const timings = new Map<string, HandlerTiming>();
  const stop = onHandlerTiming((timing) => timings.set(timing.requestId, timing));
  try {
    const answer = await api.unchecked(method, path, options);
    return Object.assign(answer, {
      bytes: Buffer.byteLength(answer.text, "utf8"),
      handlerMs: timings.get(answer.headers["apigw-requestid"] ?? "")?.handlerMs,
      cpuMs: timings.get(answer.headers["apigw-requestid"] ?? "")?.cpuMs,
    });
  } finally {
    stop();
  }
}
