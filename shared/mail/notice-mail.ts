import MailComposer from "nodemailer/lib/mail-composer";
import type { NoticeMessage } from "./notice-message";

// A notice as one MIME message (multipart/alternative: text, then HTML), composed by nodemailer's MailComposer.
// Both transports send these very bytes: SES as raw content, SMTP as a raw message.

export interface NoticeSender {
  address: string;
  name?: string | undefined;
}

/** The MIME message of a notice to `to`, dated `date`. */
export function noticeMime(message: NoticeMessage, sender: NoticeSender, to: string, date: Date): Promise<Buffer> {
  const composer = new MailComposer({
    from: sender.name ? { name: sender.name, address: sender.address } : sender.address,
    to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    date,
    textEncoding: "quoted-printable",
    headers: {
      // RFC 3834: no auto-replies (out-of-office) back to the sender.
      "Auto-Submitted": "auto-generated",
      "Content-Language": "de, en",
    },
    xMailer: false,
  });
  return composer.compile().build();
}
