// A notice before deletion waiting to go out (`CLEANUP#OUTBOX`, `USER#<userId>`): written in the same transaction
// that records the notice on the account's schedule, deleted in the one that records its delivery. A run (or the
// next one, after a crash) finds it here and delivers it once. docs/data-model.md, "Notices before deletion".
import type { NoticeMessage } from "../../mail/notice-message";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

export interface QueuedNoticeRecord {
  userId: string;
  /** The run that recorded it. */
  runId: string;
  /** The notice's lead as written (`P30D`) and when it was recorded: which entry of the schedule it is. */
  lead: string;
  recordedAt: string;
  /** The composed message, sent as it was queued. */
  message: NoticeMessage;
}

export interface QueuedNoticeItem extends ItemKey, QueuedNoticeRecord {
  entityType: typeof entityTypes.queuedNotice;
}

export function toQueuedNoticeItem(notice: QueuedNoticeRecord): QueuedNoticeItem {
  return { ...cleanupKeys.queuedNotice(notice.userId), entityType: entityTypes.queuedNotice, ...notice };
}

/** The queued notice a stored item holds; null when the item is not one. */
export function fromQueuedNoticeItem(item: RawItem | undefined): QueuedNoticeRecord | null {
  if (!isEntity(item, entityTypes.queuedNotice)) return null;
  const attributes = attributesOf(item, entityTypes.queuedNotice);
  const message = attributesOf(attributes.optionalMap("message"), "queued notice message");
  return {
    userId: attributes.string("userId"),
    runId: attributes.string("runId"),
    lead: attributes.string("lead"),
    recordedAt: attributes.string("recordedAt"),
    message: { subject: message.string("subject"), text: message.string("text"), html: message.string("html") },
  };
}

/** The account a queued notice is for: what the search for candidates reads (the message is not needed there). */
export const queuedNoticeAccount = {
  projection: projectionOf(["userId"]),
  read: (item: RawItem): string => attributesOf(item, entityTypes.queuedNotice).string("userId"),
};
