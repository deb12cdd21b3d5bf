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
 * What a delivery's requests end with: the running invocation's deadline (shared/deadline.ts, `untilDeadline`), given
 * by the caller. The SES delivery is a bundle of its own in a deployed function (infra/bundling.ts), with its own copy
 * of every module it imports: it could not read the function's deadline itself.
 */
export interface DeliveryLimit {
  abortSignal?: AbortSignal;
}

/**
 * Sends one notice, its requests aborted at `limit`. Answers "undeliverable" when the person has no address to send
 * to; throws when the mail service failed (the notice stays queued and is tried again).
 */
export interface NoticeDelivery {
  deliver(notice: QueuedNotice, limit?: DeliveryLimit): Promise<DeliveryOutcome>;
}
