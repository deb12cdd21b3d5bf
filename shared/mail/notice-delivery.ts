import type { NoticeMessage } from "./notice-message";

// Delivery of a notice (its message, composed from the queued notice) to its person: Amazon SES in AWS
// (ses-delivery.ts), SMTP to the local mail sink (smtp-delivery.ts). The address is found when the notice is sent
// (notice-recipient.ts).

/** What became of a notice: accepted by the mail service, or no address to send it to. */
type DeliveryOutcome = "sent" | "undeliverable";

/** A notice to send: its person and its composed message. */
export interface QueuedNotice {
  userId: string;
  /**
   * The `email` claim of the account's last token, as the account stores it (null: none). Only the local
   * delivery reads it; in AWS the address comes from Cognito.
   */
  lastEmailClaim: string | null;
  message: NoticeMessage;
}

/**
 * Sends one notice. Answers "undeliverable" when the person has no address to send to; throws when the mail
 * service failed (the notice stays queued and is tried again).
 */
export interface NoticeDelivery {
  deliver(notice: QueuedNotice): Promise<DeliveryOutcome>;
}
