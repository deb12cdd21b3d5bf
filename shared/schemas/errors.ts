import * as z from "zod/mini";
import { errorCodes, type FieldProblem, type RequiredEntitlement } from "../errors";

// The error answers (contract: Conventions), checked against the domain's FieldProblem and RequiredEntitlement.

/**
 * Contract 1.2: hostile input answers small. An error answer is at most 8 KiB: at most 20 details, each field named
 * in at most 200 characters; an answer that stops short says so (`detailsTruncated`). shared/http/errors.ts builds
 * every error answer within these limits.
 */
export const errorAnswerLimits = {
  bytes: 8 * 1024,
  details: 20,
  fieldLength: 200,
  problemMessageLength: 200,
  messageLength: 300,
} as const;

export const fieldProblemSchema = z
  .strictObject({
    field: z
      .string()
      .check(
        z.describe(
          `The field, query parameter or header, e.g. \`title\`, \`tags.2\`, \`limit\`; \`body\` for the body as a whole. A name longer than ${errorAnswerLimits.fieldLength} characters is cut, ending in \`…\`.`,
        ),
        z.meta({ maxLength: errorAnswerLimits.fieldLength }),
      ),
    message: z.string().check(z.meta({ maxLength: errorAnswerLimits.problemMessageLength })),
  })
  .check(
    z.meta({ id: "FieldProblem", description: "What is wrong with one field of the request." }),
  ) satisfies z.ZodMiniType<FieldProblem>;

export const requiredEntitlementSchema = z
  .strictObject({
    tier: z.enum(["plus", "ultimate", "select"]),
    authorId: z.optional(z.string().check(z.meta({ maxLength: 128 }))),
  })
  .check(
    z.meta({
      id: "RequiredEntitlement",
      description:
        "An entitlement that would allow the request; `select` without `authorId` means any author's Select.",
    }),
  ) satisfies z.ZodMiniType<RequiredEntitlement>;

const message = z
  .string()
  .check(
    z.describe("A sentence for people, which may change: branch on `code`."),
    z.meta({ maxLength: errorAnswerLimits.messageLength }),
  );
/** Codes without extra fields; `internal` is the generic answer to a failure on the API's side. */
const plainCodes = [
  ...errorCodes.filter((code) => code !== "validation_failed" && code !== "subscription_required"),
  "internal",
];

export const errorSchema = z
  .strictObject({
    error: z.discriminatedUnion("code", [
      z.strictObject({
        code: z.literal("validation_failed"),
        message,
        details: z
          .array(fieldProblemSchema)
          .check(
            z.describe(
              `One entry per field, at most ${errorAnswerLimits.details}, and no more than fit an answer of 8 KiB: the first problems found.`,
            ),
            z.meta({ maxItems: errorAnswerLimits.details }),
          ),
        detailsTruncated: z.optional(
          z
            .literal(true)
            .check(
              z.describe(
                "Present (true) when the request had more problems than `details` lists; the message says so too.",
              ),
            ),
        ),
      }),
      z.strictObject({
        code: z.literal("subscription_required"),
        message,
        requiredEntitlements: z
          .array(requiredEntitlementSchema)
          .check(z.describe("Any one of them would allow it."), z.meta({ maxItems: 3 })),
      }),
      z.strictObject({ code: z.enum(plainCodes), message }),
    ]),
  })
  .check(z.meta({ id: "Error", description: "Every error the API itself answers." }));

/** An answer API Gateway makes itself, before or instead of the API's function: `{"message": ...}`. */
const gatewayAnswer = (id: string, text: string, description: string) =>
  z.strictObject({ message: z.literal(text) }).check(z.meta({ id, description }));

export const gatewayUnauthorizedSchema = gatewayAnswer(
  "GatewayUnauthorized",
  "Unauthorized",
  "API Gateway's JWT authorizer: the bearer token is missing, malformed, expired or not signed by the user pool.",
);
export const gatewayTooLargeSchema = gatewayAnswer(
  "GatewayPayloadTooLarge",
  "Request Entity Too Large",
  "API Gateway: the request body is over 10 MB.",
);
export const gatewayThrottledSchema = gatewayAnswer(
  "GatewayThrottled",
  "Too Many Requests",
  "API Gateway's stage throttling: the API as a whole is over its request rate. Retry with backoff.",
);
export const gatewayInternalSchema = gatewayAnswer(
  "GatewayInternalError",
  "Internal Server Error",
  "API Gateway: the function failed, ran past its timeout, or answered more than 6 MB.",
);
