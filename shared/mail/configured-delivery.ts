import { parseMailSettings, type MailSettings } from "../schemas/notice-settings";
import type { NoticeDelivery } from "./notice-delivery";
import type { NoticeSender } from "./notice-mail";

// The notice delivery the environment names (MAIL_TRANSPORT), for the functions that send notices. The settings
// are read when this module loads, so such a function stops at cold start on a missing or bad one; the delivery
// and its clients are made once per process, on first use: SES's, with the Cognito client and the MIME composer,
// are loaded then too (ses-transport.ts), so that a batch step that sends nothing never loads them.
// SMTP is for the local host only: it registers it (`useSmtpTransport`, from infra/local/mail.ts), so that no
// deployed function bundles an SMTP client, just as the cleanup's in-process runner registers itself.

export const mailSettings: MailSettings = parseMailSettings(process.env);

/** What every notice's text needs from the settings. */
export const noticeLinks = {
  exportUrl: mailSettings.NOTICE_EXPORT_URL,
  timeZone: mailSettings.NOTICE_TIME_ZONE,
  ...(mailSettings.NOTICE_SIGN_IN_URL ? { signInUrl: mailSettings.NOTICE_SIGN_IN_URL } : {}),
};

type SmtpSettings = Extract<MailSettings, { MAIL_TRANSPORT: "smtp" }>;
type SmtpDeliveryFactory = (settings: SmtpSettings, sender: NoticeSender) => NoticeDelivery;

const sender: NoticeSender = { address: mailSettings.NOTICE_SENDER_ADDRESS, name: mailSettings.NOTICE_SENDER_NAME };
let smtpFactory: SmtpDeliveryFactory | undefined;
let delivery: NoticeDelivery | undefined;

/** Called by the local host: MAIL_TRANSPORT=smtp then sends through this factory's delivery. */
export function useSmtpTransport(factory: SmtpDeliveryFactory): void {
  smtpFactory = factory;
}

export function configuredNoticeDelivery(): NoticeDelivery {
  delivery ??= deliveryFor(mailSettings);
  return delivery;
}

function deliveryFor(settings: MailSettings): NoticeDelivery {
  if (settings.MAIL_TRANSPORT === "ses") {
    const { AWS_REGION: region, COGNITO_USER_POOL_ID: userPoolId } = settings;
    let ses: Promise<NoticeDelivery> | undefined;
    return {
      async deliver(notice, limit) {
        ses ??= import("./ses-transport").then(({ sesTransport }) => sesTransport(region, { sender, userPoolId }));
        return (await ses).deliver(notice, limit);
      },
    };
  }
  if (!smtpFactory)
    throw new Error("MAIL_TRANSPORT is smtp, but this host registered no SMTP transport (only the local host has one)");
  return smtpFactory(settings, sender);
}
