import type { Duration, DurationParts } from "../domain/iso-duration";

// The words of a notice before deletion (contract: "Notice before deletion"): German first, the English version
// below it, as plain text and as a simple HTML part built from the same letter. Nothing here sends anything.

// What a notice says comes from two places, each a clear slot for what the letter may need next:
// - the account and its schedule as they stood when the notice was recorded (`AccountNoticeFacts`: the
//   notice's schedule entry keeps them while it waits, shared/db/entities/account.ts, and the delivery composes the
//   message from them);
// - the deployment's settings, read when the message is composed (`NoticeLinks`: NOTICE_* settings).

/** What a notice says about the account and its schedule, as decided when the notice was recorded. */
interface AccountNoticeFacts {
  /** The account's handle, to name it (without the `@`). */
  handle: string;
  /** The lead of this notice, e.g. P30D: "in 30 days". */
  lead: Duration;
  lastActiveAt: string;
  /** The earliest the account can be deleted: the notice's record time plus its lead. */
  deletionNotBefore: string;
}

/** What every notice's text takes from the deployment's settings. */
export interface NoticeLinks {
  /** Where a signed-in person downloads their data (`GET /me/export`). */
  exportUrl: string;
  /** The zone in which dates are given, e.g. Europe/Berlin; the letter names it. */
  timeZone: string;
  /**
   * The second chance (contract 1.2): how long after the deletion a sign-in still gives everything back
   * (DEACTIVATION_GRACE), and how long the handle stays reserved after that (HANDLE_QUARANTINE; null: not at all).
   * Absent: no grace, the deletion is final at once (1.1's letter).
   */
  grace?: { duration: Duration; quarantine: Duration | null };
  /** The platform's own sign-in page (NOTICE_SIGN_IN_URL), linked where the letter says to sign in. */
  signInUrl?: string;
}

/** Everything a notice's message is composed from. */
export type NoticeFacts = AccountNoticeFacts & NoticeLinks;

export interface NoticeMessage {
  subject: string;
  text: string;
  html: string;
}

type Inline = string | { code: string } | { link: string };
type Paragraph = Inline[];
interface Section {
  heading?: string;
  paragraphs?: Paragraph[];
  items?: Paragraph[];
}
interface Letter {
  language: "de" | "en";
  sections: Section[];
}

// Each unit as [one, many] per language. German after "in" takes the dative: "in einem Tag", "in 30 Tagen"; a
// duration ("30 Tage lang", "einen Tag lang") the accusative.
const unitNames: Record<keyof DurationParts, Record<"de" | "de-accusative" | "en", [string, string]>> = {
  weeks: { de: ["einer Woche", "Wochen"], "de-accusative": ["eine Woche", "Wochen"], en: ["1 week", "weeks"] },
  days: { de: ["einem Tag", "Tagen"], "de-accusative": ["einen Tag", "Tage"], en: ["1 day", "days"] },
  hours: { de: ["einer Stunde", "Stunden"], "de-accusative": ["eine Stunde", "Stunden"], en: ["1 hour", "hours"] },
  minutes: {
    de: ["einer Minute", "Minuten"],
    "de-accusative": ["eine Minute", "Minuten"],
    en: ["1 minute", "minutes"],
  },
  seconds: {
    de: ["einer Sekunde", "Sekunden"],
    "de-accusative": ["eine Sekunde", "Sekunden"],
    en: ["1 second", "seconds"],
  },
};

/** A lead in words, e.g. "30 Tagen" / "30 days", "einem Tag und 12 Stunden" / "1 day and 12 hours". */
function leadInWords(parts: DurationParts, language: "de" | "de-accusative" | "en"): string {
  const words = (Object.keys(unitNames) as (keyof DurationParts)[])
    .filter((unit) => parts[unit] > 0)
    .map((unit) => {
      const [one, many] = unitNames[unit][language];
      return parts[unit] === 1 ? one : `${parts[unit]} ${many}`;
    });
  return new Intl.ListFormat(language === "en" ? "en" : "de", { type: "conjunction" }).format(words);
}

const locales = { de: "de-DE", en: "en-GB" } as const;

/** A day, e.g. "1. März 2025" / "1 March 2025". */
function dayOf(instant: string, language: "de" | "en", timeZone: string): string {
  return new Intl.DateTimeFormat(locales[language], {
    timeZone,
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(instant));
}

/**
 * An instant with its zone named, e.g. "Montag, 2. März 2026, um 04:30 Uhr (Mitteleuropäische Normalzeit)" /
 * "Monday, 2 March 2026, at 04:30 (Central European Standard Time)".
 */
function momentOf(instant: string, language: "de" | "en", timeZone: string): string {
  const date = new Date(instant);
  const day = new Intl.DateTimeFormat(locales[language], {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(date);
  const time = new Intl.DateTimeFormat(locales[language], {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
  const zone = new Intl.DateTimeFormat(locales[language], { timeZone, timeZoneName: "long" })
    .formatToParts(date)
    .find((part) => part.type === "timeZoneName")!.value;
  return language === "de" ? `${day}, um ${time} Uhr (${zone})` : `${day}, at ${time} (${zone})`;
}

/** The words of the letter in one language; `letterOf` lays them out the same way for both. */
interface Words {
  greeting: string;
  /** Why: not used since when, and why inactive accounts go. */
  why: (handle: string, lastActiveDay: string) => string;
  /** When: the earliest moment, and the lead in words. */
  when: (moment: string, lead: string) => string;
  keepHeading: string;
  keep: string;
  signIn: string;
  /** The second chance: the grace in words, then the quarantine in words (or null). */
  graceHeading: string;
  grace: (grace: string, quarantine: string | null) => string;
  /** What the deletion removes at once even with a grace, and the handle's fate with one. */
  removesWithGrace: string[];
  removesHeading: string;
  removes: string[];
  staysHeading: string;
  stays: string;
  downloadHeading: string;
  download: string;
  /** Around `DELETE /me`. */
  afterDownload: [string, string];
  automatic: string;
}

const words: Record<"de" | "en", Words> = {
  de: {
    greeting: "Guten Tag,",
    why: (handle, day) =>
      `Ihr Konto @${handle} wurde seit dem ${day} nicht mehr genutzt. ` +
      "Inaktive Konten löschen wir, damit öffentliche Zahlen wie die Followerzahl eines Autors nur aktive Menschen zählen.",
    when: (moment, lead) => `Wir löschen Ihr Konto frühestens am ${moment}, also in ${lead}.`,
    keepHeading: "Sie möchten Ihr Konto behalten?",
    keep: "Dann melden Sie sich vorher einfach an. Jede Anmeldung hebt die Löschung auf, und Sie erhalten keine weiteren Erinnerungen.",
    signIn: "Anmelden: ",
    graceHeading: "Auch danach noch eine zweite Chance",
    grace: (grace, quarantine) =>
      `Nach der Löschung können Sie sich noch ${grace} lang anmelden und erhalten alles zurück: ` +
      "Profil, Handle, Berechtigungen, Ihre Follows in beide Richtungen und Ihren Namen an Ihren Kommentaren. " +
      "Bis dahin zählt Ihr Konto nirgends mit und ist für niemanden sichtbar. Erst danach wird es endgültig gelöscht" +
      (quarantine ? `; Ihr Handle bleibt dann noch ${quarantine} lang für Sie reserviert.` : "."),
    removesWithGrace: [
      "Ihr Profil (Handle und Anzeigename); Ihr Handle kann bis zur endgültigen Löschung niemand anders wählen",
      "Ihre gespeicherten Berechtigungen (Plus, Select, Ultimate)",
      "Ihre Follows in beide Richtungen: wem Sie folgen und wer Ihnen folgt",
      "Beiträge, die Sie als Autorin oder Autor veröffentlicht haben, mit allen Kommentaren dazu: sie werden sofort gelöscht und kommen nicht zurück",
    ],
    removesHeading: "Was die Löschung entfernt",
    removes: [
      "Ihr Profil (Handle und Anzeigename); Ihr Handle wird frei und kann von anderen gewählt werden",
      "Ihre gespeicherten Berechtigungen (Plus, Select, Ultimate)",
      "Ihre Follows in beide Richtungen: wem Sie folgen und wer Ihnen folgt",
      "Beiträge, die Sie als Autorin oder Autor veröffentlicht haben, mit allen Kommentaren dazu",
    ],
    staysHeading: "Was bleibt",
    stays:
      "Ihre Kommentare bleiben stehen, aber anonym, ohne Ihren Namen; nur Kommentare unter Ihren eigenen Beiträgen werden mit diesen gelöscht",
    downloadHeading: "Laden Sie Ihre Daten vorher herunter",
    download:
      "Angemeldet erhalten Sie alle Ihre Daten (Profil, Berechtigungen, gefolgte Konten, Beiträge und Kommentare) unter:",
    afterDownload: [
      "Auch das zählt als Anmeldung und erhält Ihr Konto. Wünschen Sie die Löschung dennoch, können Sie Ihr Konto danach selbst löschen (",
      ").",
    ],
    automatic: "Diese Nachricht wurde automatisch versandt.",
  },
  en: {
    greeting: "Hello,",
    why: (handle, day) =>
      `Your account @${handle} has not been used since ${day}. ` +
      "We delete inactive accounts so that public counts, such as an author's followers, include active people only.",
    when: (moment, lead) => `We will delete your account on ${moment} at the earliest, that is in ${lead}.`,
    keepHeading: "Want to keep your account?",
    keep: "Then simply sign in before that. Any sign-in cancels the deletion, and you will get no further reminders.",
    signIn: "Sign in: ",
    graceHeading: "A second chance, even after that",
    grace: (grace, quarantine) =>
      `After the deletion you can still sign in for ${grace} and get everything back: ` +
      "your profile, handle, entitlements, your follows in both directions and your name on your comments. " +
      "Until then your account counts nowhere and nobody sees it. Only then is it deleted for good" +
      (quarantine ? `; your handle then stays reserved for you for ${quarantine}.` : "."),
    removesWithGrace: [
      "your profile (handle and display name); nobody else can choose your handle until the final deletion",
      "your stored entitlements (Plus, Select, Ultimate)",
      "your follows in both directions: whom you follow and who follows you",
      "posts you published as an author, with all their comments: they are deleted at once and do not come back",
    ],
    removesHeading: "What deletion removes",
    removes: [
      "your profile (handle and display name); your handle becomes free for others to choose",
      "your stored entitlements (Plus, Select, Ultimate)",
      "your follows in both directions: whom you follow and who follows you",
      "posts you published as an author, with all their comments",
    ],
    staysHeading: "What stays",
    stays:
      "your comments stay, but anonymous, without your name; only comments under your own posts are deleted with them",
    downloadHeading: "Download your data first",
    download: "Signed in, you get all your data (profile, entitlements, accounts you follow, posts and comments) at:",
    afterDownload: [
      "That counts as signing in too and keeps your account. If you still want it deleted, you can then delete it yourself (",
      ").",
    ],
    automatic: "This message was sent automatically.",
  },
};

function letterOf(facts: NoticeFacts, language: "de" | "en"): Letter {
  const w = words[language];
  return {
    language,
    sections: [
      {
        paragraphs: [
          [w.greeting],
          [w.why(facts.handle, dayOf(facts.lastActiveAt, language, facts.timeZone))],
          [
            w.when(
              momentOf(facts.deletionNotBefore, language, facts.timeZone),
              leadInWords(facts.lead.parts, language),
            ),
          ],
        ],
      },
      {
        heading: w.keepHeading,
        paragraphs: [[w.keep], ...(facts.signInUrl ? [[w.signIn, { link: facts.signInUrl }]] : [])],
      },
      ...(facts.grace
        ? [
            {
              heading: w.graceHeading,
              paragraphs: [
                [
                  w.grace(
                    leadInWords(facts.grace.duration.parts, language === "de" ? "de-accusative" : "en"),
                    facts.grace.quarantine
                      ? leadInWords(facts.grace.quarantine.parts, language === "de" ? "de-accusative" : "en")
                      : null,
                  ),
                ],
              ],
            },
          ]
        : []),
      { heading: w.removesHeading, items: (facts.grace ? w.removesWithGrace : w.removes).map((item) => [item]) },
      { heading: w.staysHeading, items: [[w.stays]] },
      {
        heading: w.downloadHeading,
        paragraphs: [
          [w.download],
          [{ code: "GET " }, { link: facts.exportUrl }],
          [w.afterDownload[0], { code: "DELETE /me" }, w.afterDownload[1]],
        ],
      },
      { paragraphs: [[w.automatic]] },
    ],
  };
}

const inlineText = (inline: Inline): string =>
  typeof inline === "string" ? inline : "code" in inline ? inline.code : inline.link;

function letterText(letter: Letter): string {
  const blocks = letter.sections.flatMap((section) => [
    ...(section.heading ? [section.heading] : []),
    ...(section.paragraphs ?? []).map((paragraph) => paragraph.map(inlineText).join("")),
    ...(section.items ? [section.items.map((item) => `- ${item.map(inlineText).join("")}`).join("\n")] : []),
  ]);
  return blocks.join("\n\n");
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

function inlineHtml(inline: Inline): string {
  if (typeof inline === "string") return escapeHtml(inline);
  if ("code" in inline) return `<code>${escapeHtml(inline.code)}</code>`;
  return `<a href="${escapeHtml(inline.link)}"><code>${escapeHtml(inline.link)}</code></a>`;
}

function letterHtml(letter: Letter): string {
  const sections = letter.sections.map((section) =>
    [
      section.heading ? `<h3>${escapeHtml(section.heading)}</h3>` : "",
      ...(section.paragraphs ?? []).map((paragraph) => `<p>${paragraph.map(inlineHtml).join("")}</p>`),
      section.items
        ? `<ul>${section.items.map((item) => `<li>${item.map(inlineHtml).join("")}</li>`).join("")}</ul>`
        : "",
    ].join(""),
  );
  return `<div lang="${letter.language}">${sections.join("\n")}</div>`;
}

/** The notice: German, then English below it; the same letter as text and as HTML. */
export function composeNoticeMessage(facts: NoticeFacts): NoticeMessage {
  const letters = [letterOf(facts, "de"), letterOf(facts, "en")];
  const subject =
    `Ihr Konto wird in ${leadInWords(facts.lead.parts, "de")} gelöscht / ` +
    `Your account will be deleted in ${leadInWords(facts.lead.parts, "en")}`;
  const rule = "-".repeat(72);
  return {
    subject,
    text: `${letters.map(letterText).join(`\n\n${rule}\n\n`)}\n`,
    html:
      `<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
      `<body style="font-family: sans-serif; max-width: 40em">\n${letters.map(letterHtml).join("\n<hr>\n")}\n</body></html>\n`,
  };
}
