import { useSmtpTransport } from "../../shared/mail/configured-delivery";
import { smtpDelivery, smtpTransport } from "../../shared/mail/smtp-delivery";

/** Lets the local host's notices go over SMTP (MAIL_TRANSPORT=smtp) to the mail sink. */
export function registerSmtpTransport(): void {
  useSmtpTransport((settings, sender) => smtpDelivery(sender, smtpTransport({ host: settings.SMTP_HOST, port: settings.SMTP_PORT })));
}
