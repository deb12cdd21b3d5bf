// A notice before deletion waiting to go out, as an earlier release queued it in the outbox (`CLEANUP#OUTBOX`,
// `USER#<userId>`): written with the notice's record, deleted with its settlement. This release queues a notice's
// facts on the account's own schedule entry (./account.ts, `queued`) and writes no outbox item; it still reads,
// delivers and settles (or drops) the ones an earlier release left queued, for one release (docs/data-model.md,
// "Notices before deletion"; docs/deploy.md, "Queued notices across a deployment").
import type { NoticeMessage } from "../../mail/notice-message";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { entityTypes, type ItemKey } from "../keys";
import type { QueuedNotice, QueuedNoticeFacts } from "./account";

/**
 * An outbox item of the release before facts: it holds the composed message, delivered as it is.
 */
interface ComposedQueuedNotice extends Omit<QueuedNotice, "facts"> {
  message: NoticeMessage;
}

/** A queued notice as an earlier release's outbox item holds it: its facts, or (before that) its composed message. */
export type OutboxNotice = QueuedNotice | ComposedQueuedNotice;

/** An earlier release's outbox item (this release deletes them, never writes one). */
export interface QueuedNoticeItem extends ItemKey, Omit<QueuedNotice, "facts">, Partial<QueuedNoticeFacts> {
  entityType: typeof entityTypes.queuedNotice;
  runId: string;
  message?: NoticeMessage;
}

/** The queued notice an outbox item holds (facts, or an earlier release's composed message); null when not one. */
export function fromQueuedNoticeItem(item: RawItem | undefined): OutboxNotice | null {
  if (!isEntity(item, entityTypes.queuedNotice)) return null;
  const attributes = attributesOf(item, entityTypes.queuedNotice);
  const header = {
    userId: attributes.string("userId"),
    lead: attributes.string("lead"),
    recordedAt: attributes.string("recordedAt"),
  };
  const composed = attributes.optionalMap("message");
  if (composed) {
    const message = attributesOf(composed, "queued notice message");
    return {
      ...header,
      message: { subject: message.string("subject"), text: message.string("text"), html: message.string("html") },
    };
  }
  return {
    ...header,
    facts: {
      handle: attributes.string("handle"),
      lastActiveAt: attributes.string("lastActiveAt"),
      deletionNotBefore: attributes.string("deletionNotBefore"),
    },
  };
}

/** The account a queued notice is for: what the search for candidates reads (the rest is not needed there). */
export const queuedNoticeAccount = {
  projection: projectionOf(["userId"]),
  read: (item: RawItem): string => attributesOf(item, entityTypes.queuedNotice).string("userId"),
};
