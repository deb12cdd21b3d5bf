import type * as z from "zod/mini";
import type { ErrorCode } from "../errors";
import type { RouteOptions } from "../http/handler";
import type { AuthMode } from "../http/middleware/authentication";

// What one route takes and answers, in one place: its handler runs with it (auth, roles, the input schemas) and
// the OpenAPI document is generated from it (shared/api/openapi.ts), so the two cannot disagree.

export type Tag = "Accounts" | "Posts" | "Following" | "Comments" | "Cleanup" | "Service";

type SuccessStatus = 200 | 201 | 202 | 204;

interface Answer {
  description: string;
  /** The JSON body's schema (it must carry a documented `id`); absent: no body, or not JSON (see `contentType`). */
  schema?: z.ZodMiniType;
  /** A body that is not JSON: its media type (`text/html`...). */
  contentType?: string;
}

export interface Operation<
  A extends Exclude<AuthMode, "none">,
  B extends z.ZodMiniType | undefined,
  Q extends z.ZodMiniType | undefined,
  H extends z.ZodMiniObject | undefined,
> extends RouteOptions<A, B, Q, H> {
  tag: Tag;
  /** A few words, shown as the operation's title. */
  summary: string;
  /** For a client developer: what it does, who may call it, what to expect; Markdown. */
  description: string;
  /** Every successful answer. */
  answers: Partial<Record<SuccessStatus, Answer>>;
  /**
   * The error codes particular to this operation. Those its shape implies are added by the document generator:
   * every operation's `validation_failed`, `malformed_json`, `payload_too_large`, `unauthorized`, `unavailable`;
   * `forbidden` with `roles`, `invalid_cursor` for lists, `not_found` for paths with parameters.
   */
  errors?: readonly ErrorCode[];
}

/** Declares an operation, keeping its schemas' types for the handler that runs with it. */
export function operation<
  A extends Exclude<AuthMode, "none">,
  B extends z.ZodMiniType | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  H extends z.ZodMiniObject | undefined = undefined,
>(spec: Operation<A, B, Q, H>): Operation<A, B, Q, H> {
  return spec;
}

export type AnyOperation = Operation<
  "required" | "optional",
  z.ZodMiniType | undefined,
  z.ZodMiniType | undefined,
  z.ZodMiniObject | undefined
>;
