import type middy from "@middy/core";
import { malformedJson, payloadTooLarge, validationFailed } from "../../errors";
import type { HttpApiResult, StatefulEvent } from "../event";

const MAX_BODY_BYTES = 256 * 1024;
/** Contract 1.2: JSON nested deeper than this answers 400 `validation_failed`. */
const MAX_JSON_DEPTH = 32;

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text nests arrays and objects deeper than `maxDepth` (`{}` and `[]` are one level): one pass over
 * its characters, no recursion, no allocation. Brackets inside strings do not count. Meant for a text that parsed.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_ARRAY || char === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (char === CLOSE_ARRAY || char === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/**
 * The cheap checks of a body, before anything walks it: its size (413 over 256 KiB), JSON (400 `malformed_json`;
 * V8's JSON.parse does not recurse), and its depth (400 `validation_failed` deeper than 32 levels, judged on the
 * text by one linear pass). An absent body reads as `{}`.
 */
export const jsonBody = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => ({
  name: "jsonBody",
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined || body === null || body === "") {
      request.event.state.body = {};
      return;
    }
    const bytes = isBase64Encoded ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
    if (bytes.length > MAX_BODY_BYTES) {
      throw payloadTooLarge("256 KiB");
    }
    const text = bytes.toString("utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw malformedJson();
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw validationFailed([{ field: "body", message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    }
    request.event.state.body = parsed;
  },
});
