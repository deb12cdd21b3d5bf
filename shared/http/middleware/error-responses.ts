import type middy from "@middy/core";
import { errorToResult } from "../errors";
import type { HttpApiResult, StatefulEvent } from "../event";

/** Registered last so that it handles errors first: every thrown error becomes the contract's error shape. */
export const errorResponses = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => ({
  name: "errorResponses",
  onError: (request) => {
    request.response = errorToResult(request.error);
  },
});
