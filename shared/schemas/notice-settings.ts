import * as z from "zod/mini";
import { parseNoticeLeads } from "../domain/deletion-schedule";
import { parseIsoDuration, type Duration } from "../domain/iso-duration";

// The settings of the notices before deletion (contract: "Notice before deletion"). DELETION_NOTICE_LEADS is
// part of every function's configuration (shared/config.ts); the mail settings only of functions that send
// notices (shared/mail/mail-settings.ts), so that no other function needs them.

const DEFAULT_NOTICE_LEADS = "P30D,P7D,P1D";

/** DELETION_NOTICE_LEADS: ISO-8601 durations, longest first; empty: no notices. Read into `Duration`s. */
export const noticeLeadsSetting = z.pipe(
  z._default(z.string(), DEFAULT_NOTICE_LEADS),
  z.transform((text: string, context) => {
    const parsed = parseNoticeLeads(text);
    if ("leads" in parsed) return parsed.leads;
    context.issues.push({ code: "custom", message: parsed.problem, input: text });
    return z.NEVER;
  }),
);

/**
 * A duration setting of the second chance (contract 1.2): an ISO-8601 duration as DELETION_NOTICE_LEADS reads them,
 * zero (`P0D`) allowed: DEACTIVATION_GRACE (`P0D`: no grace, 1.1's deletion), HANDLE_QUARANTINE (`P0D`: none).
 */
export const durationSetting = (fallback: string) =>
  z.pipe(
    z._default(z.string(), fallback),
    z.transform((text: string, context) => {
      const parsed = parseIsoDuration(text.trim(), { zero: "allowed" });
      if ("duration" in parsed) return parsed.duration;
      context.issues.push({ code: "custom", message: parsed.problem, input: text });
      return z.NEVER;
    }),
  );

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The first notice must come after the account was last active: with a lead as long as the inactivity period,
 * accounts active a moment ago would be warned at every run.
 */
export const leadsShorterThanInactivity = z.superRefine(
  (env: { DELETION_NOTICE_LEADS: readonly Duration[]; INACTIVE_AFTER_DAYS: number }, context) => {
    const longest = env.DELETION_NOTICE_LEADS[0];
    if (longest === undefined || longest.ms < env.INACTIVE_AFTER_DAYS * DAY_MS) return;
    context.addIssue({
      code: "custom",
      message: `the longest lead (${longest.text}) must be shorter than INACTIVE_AFTER_DAYS (${env.INACTIVE_AFTER_DAYS} days)`,
      path: ["DELETION_NOTICE_LEADS"],
      input: env.DELETION_NOTICE_LEADS,
    });
  },
);

const timeZone = z.string().check(
  z.refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: "must be an IANA time zone such as Europe/Berlin" },
  ),
);

const mailCommon = {
  /** The sender of notices: in AWS an address of the SES identity the stack declares. */
  NOTICE_SENDER_ADDRESS: z.email({ message: "must be an e-mail address" }),
  /** The sender's display name, e.g. the platform's name (without it, the bare address). */
  NOTICE_SENDER_NAME: z.optional(
    z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[^\r\n"<>]+$/, { message: "must be plain text" })),
  ),
  /** Where a signed-in person downloads their data (the API's `GET /me/export`), named in every notice. */
  NOTICE_EXPORT_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }),
  /** The platform's own sign-in page, linked where a notice says to sign in (contract 1.2; absent: no link). */
  NOTICE_SIGN_IN_URL: z.optional(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" })),
  /** The zone in which notices state the deletion date (besides naming it). */
  NOTICE_TIME_ZONE: z._default(timeZone, "Europe/Berlin"),
};

const mailSettingsSchema = z.discriminatedUnion(
  "MAIL_TRANSPORT",
  [
    // AWS: Amazon SES, to the Cognito user's verified address.
    z.object({
      ...mailCommon,
      MAIL_TRANSPORT: z.literal("ses"),
      NOTICE_EXPORT_URL: z.url({ protocol: /^https$/, message: "must be an https URL" }),
      NOTICE_SIGN_IN_URL: z.optional(z.url({ protocol: /^https$/, message: "must be an https URL" })),
      COGNITO_USER_POOL_ID: z
        .string({ error: "is required" })
        .check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/, { message: "must be a user pool ID" })),
      AWS_REGION: z
        .string({ error: "is required" })
        .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: "must be an AWS region" })),
    }),
    // Locally: SMTP to the mail sink `npm start` runs, to the address of the account's last token.
    z.object({
      ...mailCommon,
      MAIL_TRANSPORT: z.literal("smtp"),
      SMTP_HOST: z.string({ error: "is required" }).check(z.minLength(1, { error: "is required" })),
      SMTP_PORT: z.coerce.number({ error: "must be a port number" }).check(z.int(), z.gte(1), z.lte(65535)),
    }),
  ],
  { error: "must be ses (Amazon SES, in AWS) or smtp (a local mail sink)" },
);

export type MailSettings = z.infer<typeof mailSettingsSchema>;

/**
 * Reads the mail settings, failing closed: no transport, sender or export URL is assumed. A missing or
 * malformed variable throws with every problem named.
 */
export function parseMailSettings(env: Record<string, string | undefined>): MailSettings {
  const result = mailSettingsSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
  throw new Error(`Invalid mail configuration: ${problems.join("; ")}`);
}
