import type middy from "@middy/core";
import { malformedJson, payloadTooLarge } from "../../errors";
import type { HttpApiResult, StatefulEvent } from "../event";

export const MAX_BODY_BYTES = 256 * 1024;

/** Checks the size (413 over 256 KiB) and parses JSON (400 `malformed_json`); an absent body reads as `{}`. */
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
    try {
      request.event.state.body = JSON.parse(bytes.toString("utf8"));
    } catch {
      throw malformedJson();
    }
  },
});
