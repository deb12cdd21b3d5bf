import type { HandlerOptions } from "../api/route";
import { type HandlerInput, middlewareStack } from "./handler";
import type { HttpResult } from "./responses";
import { verifyToken } from "./token-verifier";
import type * as z from "zod/mini";

/**
 * The handler of a public route (its definition's auth is "optional"): anyone may call, and a token sent all the
 * same is verified here (Cognito's keys in AWS, the HS256 secret locally), since no authorizer guards the route.
 * Only these handlers bundle a verifier.
 */
export function publicHttpHandler<
  B extends z.ZodMiniType | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  H extends z.ZodMiniObject | undefined = undefined,
  P extends string = string,
>(
  options: HandlerOptions<"optional", B, Q, H> & { path?: P },
  run: (input: HandlerInput<P, "optional", B, Q, H>) => Promise<HttpResult>,
) {
  return middlewareStack(options, run, verifyToken);
}
