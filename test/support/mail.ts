import { simpleParser, type ParsedMail } from "mailparser";

/** The text a reader sees of an HTML part: tags dropped (blocks apart), entities decoded, whitespace collapsed. */
export function htmlAsText(html: string): string {
  return html
    .replace(/<\/?(a|code|strong|em)\b[^>]*>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!,
    )
    .replace(/\s+/g, " ");
}

interface InboxEntry {
  id: string;
  to: { address: string }[];
}

/**
 * The messages the mail sink holds for `to`, parsed back from their raw source, once there are `count` of them
 * (delivery over SMTP answers before the sink has stored the message, so this waits a little).
 */
export async function mailIn(inboxUrl: string, to: string, count = 1): Promise<ParsedMail[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const entries = (await (await fetch(`${inboxUrl}/api/email`)).json()) as InboxEntry[];
    const mine = entries.filter((entry) => entry.to.some((recipient) => recipient.address === to));
    if (mine.length >= count || Date.now() > deadline) {
      return Promise.all(
        mine.map(async (entry) =>
          simpleParser(Buffer.from(await (await fetch(`${inboxUrl}/api/email/${entry.id}/source`)).arrayBuffer())),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
