import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { emailClaimToStore, verifiedCognitoAddress } from "../../shared/domain/notice-recipient";
import { isoDuration } from "../../shared/domain/iso-duration";
import { noticeMime } from "../../shared/mail/notice-mail";
import { composeNoticeMessage, type NoticeFacts } from "../../shared/mail/notice-message";
import { htmlAsText } from "../support/mail";

const facts: NoticeFacts = {
  handle: "anna_trades",
  lead: isoDuration("P30D"),
  lastActiveAt: "2025-03-01T12:00:00.000Z",
  deletionNotBefore: "2026-03-02T03:30:00.000Z",
  exportUrl: "https://api.example.com/me/export?format=json&v=1",
  timeZone: "Europe/Berlin",
};
const englishStart = (text: string) => text.indexOf("Hello,");

describe("the notice's words", () => {
  it("names the lead in both languages, German first, in the subject", () => {
    const subjectFor = (lead: string) => composeNoticeMessage({ ...facts, lead: isoDuration(lead) }).subject;
    expect(subjectFor("P30D")).toBe("Ihr Konto wird in 30 Tagen gelöscht / Your account will be deleted in 30 days");
    expect(subjectFor("P1D")).toBe("Ihr Konto wird in einem Tag gelöscht / Your account will be deleted in 1 day");
    expect(subjectFor("P2W")).toBe("Ihr Konto wird in 2 Wochen gelöscht / Your account will be deleted in 2 weeks");
    expect(subjectFor("P1DT12H")).toBe(
      "Ihr Konto wird in einem Tag und 12 Stunden gelöscht / Your account will be deleted in 1 day and 12 hours",
    );
    expect(subjectFor("PT1H30M")).toBe(
      "Ihr Konto wird in einer Stunde und 30 Minuten gelöscht / Your account will be deleted in 1 hour and 30 minutes",
    );
  });

  it("says in German, then in English below, when the account goes, in the stated time zone", () => {
    const { text } = composeNoticeMessage(facts);
    expect(englishStart(text)).toBeGreaterThan(text.indexOf("Guten Tag,"));
    expect(text).toContain(
      "Wir löschen Ihr Konto frühestens am Montag, 2. März 2026, um 04:30 Uhr (Mitteleuropäische Normalzeit), also in 30 Tagen.",
    );
    expect(text).toContain(
      "We will delete your account on Monday, 2 March 2026, at 04:30 (Central European Standard Time) at the earliest, that is in 30 days.",
    );
    expect(text).toContain("Ihr Konto @anna_trades wurde seit dem 1. März 2025 nicht mehr genutzt.");
    expect(text).toContain("Your account @anna_trades has not been used since 1 March 2025.");
  });

  it("states summer time, and other zones, by name", () => {
    const summer = composeNoticeMessage({ ...facts, deletionNotBefore: "2026-07-02T03:30:00.000Z" }).text;
    expect(summer).toContain("Donnerstag, 2. Juli 2026, um 05:30 Uhr (Mitteleuropäische Sommerzeit)");
    expect(summer).toContain("Thursday, 2 July 2026, at 05:30 (Central European Summer Time)");
    const utc = composeNoticeMessage({ ...facts, timeZone: "UTC" }).text;
    expect(utc).toContain("Montag, 2. März 2026, um 03:30 Uhr (Koordinierte Weltzeit)");
    expect(utc).toContain("Monday, 2 March 2026, at 03:30 (Coordinated Universal Time)");
  });

  it("says that signing in keeps the account, what deletion removes and keeps, and how to download one's data", () => {
    const { text } = composeNoticeMessage(facts);
    const german = text.slice(0, englishStart(text));
    const english = text.slice(englishStart(text));
    for (const sentence of [
      "Dann melden Sie sich vorher einfach an. Jede Anmeldung hebt die Löschung auf",
      "Ihr Profil (Handle und Anzeigename); Ihr Handle wird frei und kann von anderen gewählt werden",
      "Ihre gespeicherten Berechtigungen (Plus, Select, Ultimate)",
      "Ihre Follows in beide Richtungen: wem Sie folgen und wer Ihnen folgt",
      "Beiträge, die Sie als Autorin oder Autor veröffentlicht haben, mit allen Kommentaren dazu",
      "Ihre Kommentare bleiben stehen, aber anonym, ohne Ihren Namen",
      "GET https://api.example.com/me/export?format=json&v=1",
    ])
      expect(german).toContain(sentence);
    for (const sentence of [
      "Then simply sign in before that. Any sign-in cancels the deletion",
      "your profile (handle and display name); your handle becomes free for others to choose",
      "your stored entitlements (Plus, Select, Ultimate)",
      "your follows in both directions: whom you follow and who follows you",
      "posts you published as an author, with all their comments",
      "your comments stay, but anonymous, without your name",
      "GET https://api.example.com/me/export?format=json&v=1",
    ])
      expect(english).toContain(sentence);
  });

  it("names the grace and the handle's quarantine (contract 1.2), and links the platform's sign-in page", () => {
    const { text } = composeNoticeMessage({
      ...facts,
      grace: { duration: isoDuration("P30D"), quarantine: isoDuration("P90D") },
      signInUrl: "https://community.example.com/sign-in",
    });
    const [german, english] = [text.slice(0, englishStart(text)), text.slice(englishStart(text))];
    expect(german).toContain("Nach der Löschung können Sie sich noch 30 Tage lang anmelden und erhalten alles zurück");
    expect(german).toContain("Ihr Handle bleibt dann noch 90 Tage lang für Sie reserviert");
    expect(german).toContain("Anmelden: https://community.example.com/sign-in");
    expect(english).toContain("After the deletion you can still sign in for 30 days and get everything back");
    expect(english).toContain("your handle then stays reserved for you for 90 days");
    expect(english).toContain("Sign in: https://community.example.com/sign-in");
    // What does not come back is said too: posts go at once.
    expect(english).toContain("they are deleted at once and do not come back");
    // Without a grace (P0D), the letter is 1.1's: no second chance, and no link without a sign-in page.
    const final = composeNoticeMessage(facts).text;
    expect(final).not.toContain("second chance");
    expect(final).not.toContain("Sign in:");
  });

  it("addresses the reader formally (Sie), never with du", () => {
    const { text } = composeNoticeMessage(facts);
    const german = text.slice(0, englishStart(text));
    expect(german.match(/\b(du|dich|dir|dein\w*|euch|euer)\b/gi)).toBeNull();
    expect(german.match(/\b(Sie|Ihr|Ihre|Ihren|Ihnen)\b/g)!.length).toBeGreaterThan(10);
  });

  it("carries the same letter as HTML, escaped, with each language marked", () => {
    const { text, html } = composeNoticeMessage(facts);
    expect(html).toContain('<div lang="de">');
    expect(html).toContain('<div lang="en">');
    expect(html).toContain('<a href="https://api.example.com/me/export?format=json&amp;v=1">');
    const shown = htmlAsText(html);
    for (const line of text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("---"))) {
      expect(shown).toContain(line.replace(/^- /, ""));
    }
  });
});

describe("the notice as MIME", () => {
  it("parses back to the same words, from the sender to the person, marked as automatic", async () => {
    const message = composeNoticeMessage(facts);
    const mime = await noticeMime(
      message,
      { address: "notices@example.com", name: "Trading Community" },
      "anna@example.test",
      new Date("2026-01-31T03:30:00.000Z"),
    );
    const mail = await simpleParser(mime);
    expect(mail.subject).toBe(message.subject);
    expect(mail.text).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(mail.from?.value).toEqual([{ address: "notices@example.com", name: "Trading Community" }]);
    expect(mail.to).toMatchObject({ value: [{ address: "anna@example.test" }] });
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.date?.toISOString()).toBe("2026-01-31T03:30:00.000Z");
  });
});

describe("which address a notice goes to", () => {
  it("in AWS: the Cognito user's email, only when it is verified", () => {
    const attributes = (verified: string) => [
      { Name: "sub", Value: "u-1" },
      { Name: "email", Value: "anna@example.com" },
      { Name: "email_verified", Value: verified },
    ];
    expect(verifiedCognitoAddress(attributes("true"))).toBe("anna@example.com");
    expect(verifiedCognitoAddress(attributes("false"))).toBeNull();
    expect(verifiedCognitoAddress([{ Name: "email_verified", Value: "true" }])).toBeNull();
    expect(verifiedCognitoAddress(undefined)).toBeNull();
  });

  it("locally: the email claim of the last token, when it is an address", () => {
    expect(emailClaimToStore({ sub: "u", email: "anna@example.test" })).toBe("anna@example.test");
    expect(emailClaimToStore({ sub: "u" })).toBeNull();
    expect(emailClaimToStore({ sub: "u", email: "not an address" })).toBeNull();
    expect(emailClaimToStore({ sub: "u", email: "a@example.test\r\nBcc: b@example.test" })).toBeNull();
  });
});
