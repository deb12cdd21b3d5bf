// `npm run notice:preview -- [--lead P7D] [--format text|html|mime]`: prints the notice a person receives,
// composed by the very code that sends it, for a sample account (the README shows its output).
import { parseArgs } from "node:util";
import { deletionNotBefore } from "../../shared/domain/deletion-schedule";
import { parseIsoDuration } from "../../shared/domain/iso-duration";
import { noticeMime } from "../../shared/mail/notice-mail";
import { composeNoticeMessage } from "../../shared/mail/notice-message";

const { values } = parseArgs({
  options: {
    lead: { type: "string", default: "P30D" },
    format: { type: "string", default: "text" },
    handle: { type: "string", default: "anna_trades" },
    "recorded-at": { type: "string", default: "2026-01-31T03:30:00.000Z" },
    "last-active-at": { type: "string", default: "2025-03-01T12:00:00.000Z" },
    "export-url": { type: "string", default: "https://api.example.com/me/export" },
    "time-zone": { type: "string", default: "Europe/Berlin" },
    "sign-in-url": { type: "string", default: "https://community.example.com/sign-in" },
    grace: { type: "string", default: "P30D" },
    quarantine: { type: "string", default: "P90D" },
  },
});
const lead = parseIsoDuration(values.lead);
const grace = parseIsoDuration(values.grace, { zero: "allowed" });
const quarantine = parseIsoDuration(values.quarantine, { zero: "allowed" });
if (
  "problem" in lead ||
  "problem" in grace ||
  "problem" in quarantine ||
  !["text", "html", "mime"].includes(values.format)
) {
  process.stderr.write(
    "usage: npm run notice:preview -- [--lead P30D] [--grace P30D] [--quarantine P90D] [--format text|html|mime] [--handle h] [--recorded-at ISO] [--last-active-at ISO] [--sign-in-url URL]\n",
  );
  process.exit(2);
}
const message = composeNoticeMessage({
  handle: values.handle,
  lead: lead.duration,
  lastActiveAt: values["last-active-at"],
  deletionNotBefore: deletionNotBefore(values["recorded-at"], lead.duration),
  exportUrl: values["export-url"],
  timeZone: values["time-zone"],
  ...(values["sign-in-url"] ? { signInUrl: values["sign-in-url"] } : {}),
  ...(grace.duration.ms > 0
    ? { grace: { duration: grace.duration, quarantine: quarantine.duration.ms > 0 ? quarantine.duration : null } }
    : {}),
});
if (values.format === "mime") {
  const sender = { address: "notices@example.com", name: "Trading Community" };
  process.stdout.write(
    await noticeMime(message, sender, `${values.handle}@example.test`, new Date(values["recorded-at"])),
  );
} else {
  process.stdout.write(values.format === "html" ? message.html : `Subject: ${message.subject}\n\n${message.text}`);
}
