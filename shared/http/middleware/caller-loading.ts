import type middy from "@middy/core";
import { resolveCaller } from "../../use-cases/caller";
import type { HttpApiResult, StatefulEvent } from "../event";

/**
 * Loads the signed-in caller's account right after the token is verified, before the request itself is judged:
 * every signed-in request marks the caller active and refreshes the stored role, refused ones included.
 */
export const callerLoading = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => ({
  name: "callerLoading",
  before: async (request) => {
    request.event.state.caller = await resolveCaller(request.event.state.identity);
  },
});
