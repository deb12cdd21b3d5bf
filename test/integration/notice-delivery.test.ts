import { randomUUID } from "node:crypto";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startMailSink, type RunningMailSink } from "../../infra/local/mail-sink";
import { isoDuration } from "../../shared/domain/iso-duration";
import type { QueuedNotice } from "../../shared/mail/notice-delivery";
import { composeNoticeMessage } from "../../shared/mail/notice-message";
import { sesDelivery } from "../../shared/mail/ses-delivery";
import { smtpDelivery, smtpTransport } from "../../shared/mail/smtp-delivery";
import { startAwsMailEndpoint, type AwsMailEndpoint } from "../support/aws-mail-endpoint";
import { htmlAsText, mailIn } from "../support/mail";

// A notice, composed as the cleanup will compose it, delivered by each transport: over SMTP into the local mail
// sink (MailDev), read back through its inbox API; and through the real SES and Cognito SDK clients to an
// endpoint that speaks their wire protocols.

const sender = { address: "notices@example.test", name: "Trading Community" };
const message = composeNoticeMessage({
  handle: "anna_trades",
  lead: isoDuration("P7D"),
  lastActiveAt: "2025-03-01T12:00:00.000Z",
  deletionNotBefore: "2026-03-02T03:30:00.000Z",
  exportUrl: "http://localhost:3000/me/export",
  timeZone: "Europe/Berlin",
});
const aNotice = (overrides: Partial<QueuedNotice> = {}): QueuedNotice => ({
  userId: `user-${randomUUID()}`,
  lastEmailClaim: `anna-${randomUUID()}@example.test`,
  message,
  ...overrides,
});

describe("delivery over SMTP to the local mail sink", () => {
  let sink: RunningMailSink;
  beforeAll(async () => {
    sink = await startMailSink();
  });
  afterAll(() => sink.stop());

  it("arrives in the sink and reads right in both languages", async () => {
    // Given a notice for an account whose last token carried an email claim.
    const notice = aNotice();
    const delivery = smtpDelivery(sender, smtpTransport({ host: sink.smtpHost, port: sink.smtpPort }));
    // When it is delivered.
    expect(await delivery.deliver(notice)).toBe("sent");
    // Then the inbox holds it once, and it parses back to the composed words.
    const [mail, ...more] = await mailIn(sink.inboxUrl, notice.lastEmailClaim!);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe("Ihr Konto wird in 7 Tagen gelöscht / Your account will be deleted in 7 days");
    expect(mail!.from?.value).toEqual([{ address: "notices@example.test", name: "Trading Community" }]);
    expect(mail!.text).toBe(message.text);
    const german = mail!.text!.slice(0, mail!.text!.indexOf("Hello,"));
    const english = mail!.text!.slice(mail!.text!.indexOf("Hello,"));
    expect(german).toContain(
      "Wir löschen Ihr Konto frühestens am Montag, 2. März 2026, um 04:30 Uhr (Mitteleuropäische Normalzeit), also in 7 Tagen.",
    );
    expect(german).toContain("GET http://localhost:3000/me/export");
    expect(english).toContain(
      "We will delete your account on Monday, 2 March 2026, at 04:30 (Central European Standard Time) at the earliest, that is in 7 days.",
    );
    expect(english).toContain("Any sign-in cancels the deletion");
    const html = htmlAsText(String(mail!.html));
    expect(html).toContain("Ihre Kommentare bleiben stehen, aber anonym, ohne Ihren Namen");
    expect(html).toContain("your comments stay, but anonymous, without your name");
  });

  it("answers undeliverable, and sends nothing, when the account's last token had no email claim", async () => {
    const before = (await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[];
    const delivery = smtpDelivery(sender, smtpTransport({ host: sink.smtpHost, port: sink.smtpPort }));
    expect(await delivery.deliver(aNotice({ lastEmailClaim: null }))).toBe("undeliverable");
    expect(await delivery.deliver(aNotice({ lastEmailClaim: "no address" }))).toBe("undeliverable");
    expect((await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[]).toHaveLength(before.length);
  });

  it("is what the local host's configured delivery sends to (MAIL_TRANSPORT=smtp, as npm start sets it)", async () => {
    // Given the environment npm start sets for the mail sink.
    vi.resetModules();
    Object.assign(process.env, {
      MAIL_TRANSPORT: "smtp",
      SMTP_HOST: sink.smtpHost,
      SMTP_PORT: String(sink.smtpPort),
      NOTICE_SENDER_ADDRESS: "notices@localhost.test",
      NOTICE_EXPORT_URL: "http://localhost:3000/me/export",
    });
    const configured = await import("../../shared/mail/configured-delivery");
    // Then: no delivery before the local host registers SMTP (deployed functions never do), and after it, mail.
    expect(() => configured.configuredNoticeDelivery()).toThrow(
      "MAIL_TRANSPORT is smtp, but this host registered no SMTP transport",
    );
    await (await import("../../infra/local/mail")).useLocalMail("http://localhost:3000");
    const notice = aNotice();
    expect(await configured.configuredNoticeDelivery().deliver(notice)).toBe("sent");
    const [mail] = await mailIn(sink.inboxUrl, notice.lastEmailClaim!);
    expect(mail!.from?.value).toEqual([{ address: "notices@localhost.test", name: "" }]);
    expect(configured.noticeLinks).toEqual({ exportUrl: "http://localhost:3000/me/export", timeZone: "Europe/Berlin" });
  });

  it("shows a web inbox", async () => {
    const page = await fetch(sink.inboxUrl, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>MailDev</title>");
  });
});

describe("delivery through Amazon SES to the Cognito user's verified address", () => {
  const userPoolId = "eu-central-1_Test123";
  const verified = {
    username: `user-${randomUUID()}`,
    attributes: { email: "anna@example.com", email_verified: "true" },
  };
  const unverified = {
    username: `user-${randomUUID()}`,
    attributes: { email: "ben@example.com", email_verified: "false" },
  };
  let endpoint: AwsMailEndpoint;
  let clients: { ses: SESv2Client; cognito: CognitoIdentityProviderClient };
  beforeAll(async () => {
    endpoint = await startAwsMailEndpoint([verified, unverified]);
    const settings = {
      region: "eu-central-1",
      endpoint: endpoint.url,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      maxAttempts: 2,
    };
    clients = { ses: new SESv2Client(settings), cognito: new CognitoIdentityProviderClient(settings) };
  });
  afterAll(() => endpoint.close());
  const delivery = () => sesDelivery({ sender, userPoolId }, clients);
  const callsFor = (userId: string) => {
    const start = endpoint.calls.findIndex(
      (call) => call.operation === "AdminGetUser" && call.body.Username === userId,
    );
    return endpoint.calls.slice(start).filter((call, i) => i === 0 || call.operation === "SendEmail");
  };

  it("looks the address up when sending and sends the composed MIME as raw content", async () => {
    // The stored email claim plays no part in AWS: Cognito decides.
    const notice = aNotice({ userId: verified.username, lastEmailClaim: "stale@example.test" });
    expect(await delivery().deliver(notice)).toBe("sent");
    const [lookup, send] = callsFor(verified.username);
    expect(lookup).toEqual({
      operation: "AdminGetUser",
      body: { UserPoolId: userPoolId, Username: verified.username },
      signed: true,
    });
    expect(send).toMatchObject({
      operation: "SendEmail",
      signed: true,
      body: { FromEmailAddress: "notices@example.test", Destination: { ToAddresses: ["anna@example.com"] } },
    });
    const mail = await simpleParser(Buffer.from(send!.body.Content.Raw.Data as string, "base64"));
    expect(mail.to).toMatchObject({ value: [{ address: "anna@example.com" }] });
    expect(mail.subject).toBe(message.subject);
    expect(mail.text).toBe(message.text);
  });

  it("answers undeliverable without sending when the address is unverified or the user is gone", async () => {
    expect(await delivery().deliver(aNotice({ userId: unverified.username }))).toBe("undeliverable");
    const gone = `user-${randomUUID()}`;
    expect(await delivery().deliver(aNotice({ userId: gone }))).toBe("undeliverable");
    expect(callsFor(unverified.username).map((call) => call.operation)).toEqual(["AdminGetUser"]);
    expect(callsFor(gone).map((call) => call.operation)).toEqual(["AdminGetUser"]);
  });

  it("throws when SES keeps failing, so that the notice stays queued; a passing failure is retried by the SDK", async () => {
    endpoint.failSends(2);
    await expect(delivery().deliver(aNotice({ userId: verified.username }))).rejects.toMatchObject({
      name: "InternalFailure",
    });
    endpoint.failSends(1);
    expect(await delivery().deliver(aNotice({ userId: verified.username }))).toBe("sent");
  });
});
