// Steps for the notices before deletion: accounts whose tokens carry an `email` claim, the local mail sink with the
// local host's SMTP delivery, cleanup runs at a moving clock (the schedule's leads are seconds), and reads of what
// an account's schedule and the sink hold.
import { randomUUID } from "node:crypto";
import type { ParsedMail } from "mailparser";
import { asStepFunction } from "../../infra/local/cleanup-runner";
import { startMailSink, type RunningMailSink } from "../../infra/local/mail-sink";
import { useLocalMail } from "../../infra/local/mail";
import { defaultCutoff } from "../../shared/domain/cleanup";
import { config } from "../../shared/config";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { configuredMailer, type MailerSource } from "../../shared/use-cases/notices";
import { api, tokenFor } from "./api/in-process";
import type { components } from "./api/types";
import { mailIn } from "./mail";
import { expectStatus, type TestUser, uniqueHandle, uniqueUserId } from "./host";

export interface MailedUser extends TestUser {
  email: string | null;
}

/**
 * The mail sink `npm start` runs, and the local host's SMTP delivery to it (MAIL_TRANSPORT=smtp), as npm start
 * sets them. Call once per file, before the first run that sends.
 */
export async function theLocalMailSink(): Promise<RunningMailSink> {
  const sink = await startMailSink();
  Object.assign(process.env, {
    MAIL_TRANSPORT: "smtp",
    SMTP_HOST: sink.smtpHost,
    SMTP_PORT: String(sink.smtpPort),
    NOTICE_SENDER_ADDRESS: "notices@trading-community.test",
    NOTICE_EXPORT_URL: "http://localhost:3000/me/export",
  });
  await useLocalMail("http://localhost:3000");
  return sink;
}

/** A reader whose tokens carry an `email` claim (null: none, as when Cognito holds no verified address). */
export async function aReaderWithEmail(email: string | null = `${randomUUID()}@example.test`): Promise<MailedUser> {
  const userId = uniqueUserId("reader");
  const token = tokenFor(userId, [], email === null ? {} : { email });
  const user = { userId, token, handle: uniqueHandle(), email };
  expectStatus(await api.PUT("/me", { token, body: { handle: user.handle, displayName: "Anna Trades" } }), 201);
  return user;
}

/**
 * A whole cleanup run at the instant `at` (every step sees it), run by the local runner's step functions; its
 * cutoff is the default one for `at` unless given. A run that fails is answered as it ended.
 */
export async function aRunAt(
  at: Date,
  options: { dryRun?: boolean; cutoff?: string; mailer?: MailerSource } = {},
): ReturnType<typeof readRun> {
  const run = await beginRun(
    { dryRun: options.dryRun ?? false, cutoff: options.cutoff ?? defaultCutoff(at, config.INACTIVE_AFTER_DAYS) },
    at,
  );
  await runToCompletion(
    ticketOf(run),
    { now: () => at, budgetMs: 60_000 },
    asStepFunction,
    options.mailer ?? configuredMailer,
  ).catch(() => undefined);
  return readRun(run.runId);
}

/**
 * A mailer whose first delivery to `user` fails as a lost SMTP connection does (before the mail service accepted
 * anything); every other delivery goes through.
 */
export function aMailerFailingOnceFor(user: TestUser): MailerSource {
  let failed = false;
  return async () => {
    const mailer = await configuredMailer();
    return {
      ...mailer,
      delivery: {
        deliver: async (notice) => {
          if (!failed && notice.userId === user.userId) {
            failed = true;
            throw new Error("SMTP connection lost");
          }
          return mailer.delivery.deliver(notice);
        },
      },
    };
  };
}

/** The account's schedule as support staff see it (GET /admin/users/{userId}/notices). */
export async function noticesShown(admin: TestUser, user: TestUser): Promise<components["schemas"]["Notice"][]> {
  const response = await api.GET("/admin/users/{userId}/notices", {
    path: { userId: user.userId },
    token: admin.token,
  });
  expectStatus(response, 200);
  return response.data.items;
}

/** The notices the sink holds for one address, once there are `count` (waits a little for SMTP to land). */
export const noticesMailedTo = (sink: RunningMailSink, user: MailedUser, count = 1): Promise<ParsedMail[]> =>
  mailIn(sink.inboxUrl, user.email!, count);

/** `ms` after `at`. */
export const plus = (at: Date, ms: number): Date => new Date(at.getTime() + ms);
