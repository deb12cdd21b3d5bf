import { createTransport, type Transporter } from "nodemailer";
import { usableAddress } from "../domain/notice-recipient";
import type { NoticeDelivery } from "./notice-delivery";
import { noticeMime, type NoticeSender } from "./notice-mail";

// Locally: a notice goes over SMTP to the mail sink `npm start` runs, to the `email` claim of the account's
// last token.

/** An SMTP transport to the local sink, which speaks plain SMTP on a loopback port. */
export function smtpTransport(server: { host: string; port: number }): Transporter {
  return createTransport({ host: server.host, port: server.port, secure: false, ignoreTLS: true });
}

export function smtpDelivery(
  sender: NoticeSender,
  transport: Transporter,
  clock: () => Date = () => new Date(),
): NoticeDelivery {
  return {
    async deliver(notice) {
      const to = usableAddress(notice.lastEmailClaim);
      if (to === null) return "undeliverable";
      const raw = await noticeMime(notice.message, sender, to, clock());
      await transport.sendMail({ envelope: { from: sender.address, to: [to] }, raw });
      return "sent";
    },
  };
}
