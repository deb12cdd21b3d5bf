// A notice before deletion waiting to go out (`CLEANUP#OUTBOX`, `USER#<userId>`): written in the same transaction
// that records the notice on the account's schedule, deleted in the one that records its delivery. A run (or the
// next one, after a crash) finds it here and delivers it once. It holds what the message is composed from, not
// the message: the delivery composes it (docs/data-model.md, "Notices before deletion").
import type { NoticeMessage } from "../../mail/notice-message";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

/** Which notice of which account's schedule is queued. */
interface QueuedNoticeHeader {
  userId: string;
  /** The run that recorded it. */
  runId: string;
  /** The notice's lead as written (`P30D`) and when it was recorded: which entry of the schedule it is. */
  lead: string;
  recordedAt: string;
}

/** What a notice's message says of the account and its schedule, as they stood when the notice was recorded. */
interface QueuedNoticeFacts {
  /** The account's handle (without the `@`). */
  handle: string;
  lastActiveAt: string;
  /** The earliest the account can be deleted, as the run decided it: the record time plus the lead. */
  deletionNotBefore: string;
}

/** A queued notice as this release writes it: the facts its message is composed from at delivery. */
export interface QueuedNoticeRecord extends QueuedNoticeHeader {
  facts: QueuedNoticeFacts;
}

/**
 * A queued notice written by a release before the outbox held facts: it holds the composed message, delivered as
 * it is (docs/deploy.md, "Queued notices across a deployment").
 */
interface ComposedQueuedNotice extends QueuedNoticeHeader {
  message: NoticeMessage;
}

/** A queued notice as read: either kind may be in the outbox while a deployment rolls. */
export type StoredQueuedNotice = QueuedNoticeRecord | ComposedQueuedNotice;

export interface QueuedNoticeItem extends ItemKey, QueuedNoticeHeader, QueuedNoticeFacts {
  entityType: typeof entityTypes.queuedNotice;
}

export function toQueuedNoticeItem(notice: QueuedNoticeRecord): QueuedNoticeItem {
  const { facts, ...header } = notice;
  return { ...cleanupKeys.queuedNotice(notice.userId), entityType: entityTypes.queuedNotice, ...header, ...facts };
}

/** The queued notice a stored item holds (facts, or an earlier release's composed message); null when not one. */
export function fromQueuedNoticeItem(item: RawItem | undefined): StoredQueuedNotice | null {
  if (!isEntity(item, entityTypes.queuedNotice)) return null;
  const attributes = attributesOf(item, entityTypes.queuedNotice);
  const header: QueuedNoticeHeader = {
    userId: attributes.string("userId"),
    runId: attributes.string("runId"),
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
