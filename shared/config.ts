import * as z from "zod/mini";
import { leadsShorterThanInactivity, noticeLeadsSetting } from "./schemas/notice-settings";

// Read once at cold start: a missing or malformed variable fails the function before it serves a request.
const positiveInt = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const base = {
  TABLE_NAME: z.string().check(z.minLength(1)),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), "local"),
  CURSOR_SECRET: z._default(z.string().check(z.minLength(16)), "local-cursor-secret-not-for-production"),
  COMMENT_RATE_PER_MINUTE: positiveInt(30),
  INACTIVE_AFTER_DAYS: positiveInt(365),
  /**
   * Follower-count shard items each new account gets (0: the count lives on the profile item alone). Safe to
   * change: reads sum the shards an account has, and a write that picks a shard the account lacks falls back
   * to one it has. docs/data-model.md ("Hot authors") gives the measurements behind the default.
   */
  FOLLOWER_COUNT_SHARDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(50)), 16),
  LOG_LEVEL: z._default(z.enum(["debug", "info", "warn", "error", "silent"]), "info"),
  /**
   * Who runs the steps of a cleanup run that `POST /admin/cleanup-runs` starts: `in-process` (the local server:
   * in the background of the same process) or `step-functions` (AWS: StartExecution of the state machine whose
   * ARN CLEANUP_STATE_MACHINE_ARN gives; required then).
   */
  CLEANUP_RUNNER: z._default(z.enum(["in-process", "step-functions"]), "in-process"),
  CLEANUP_STATE_MACHINE_ARN: z.optional(z.string().check(z.regex(/^arn:[\w-]+:states:/, { message: "must be a state machine ARN" }))),
  /**
   * How long a run's lease holds without being renewed. Every step renews it, so this only bounds how long a run
   * that died without releasing it blocks the next one.
   */
  CLEANUP_LEASE_SECONDS: positiveInt(900),
  /** The notices before deletion, longest lead first (contract: "Notice before deletion"); see notice-settings.ts. */
  DELETION_NOTICE_LEADS: noticeLeadsSetting,
};

const tokenConfigSchema = z.discriminatedUnion("TOKEN_VERIFIER", [
  z.object({
    ...base,
    TOKEN_VERIFIER: z.literal("cognito"),
    COGNITO_USER_POOL_ID: z.string().check(z.minLength(1)),
    COGNITO_CLIENT_ID: z.string().check(z.minLength(1)),
  }),
  z.object({
    ...base,
    TOKEN_VERIFIER: z.literal("local-hs256"),
    LOCAL_JWT_SECRET: z._default(z.string().check(z.minLength(1)), "local-dev-secret"),
  }),
]);

const configSchema = tokenConfigSchema.check(
  z.refine((env) => env.CLEANUP_RUNNER !== "step-functions" || env.CLEANUP_STATE_MACHINE_ARN !== undefined, {
    message: "is required when CLEANUP_RUNNER is step-functions",
    path: ["CLEANUP_STATE_MACHINE_ARN"],
  }),
  leadsShorterThanInactivity,
);

export type Config = z.infer<typeof configSchema>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const withDefaults = { TOKEN_VERIFIER: "local-hs256", ...env };
  const result = configSchema.safeParse(withDefaults);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  return result.data;
}

export const config: Config = parseConfig(process.env);
