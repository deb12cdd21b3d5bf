import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { localFunctionEnv } from "../support/function-environments";
import { parseNoticeLeads } from "../../shared/domain/deletion-schedule";
import { parseIsoDuration } from "../../shared/domain/iso-duration";
import { parseMailSettings } from "../../shared/schemas/notice-settings";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const problemOf = (text: string) => {
  const parsed = parseIsoDuration(text);
  return "problem" in parsed ? parsed.problem : "accepted";
};

describe("the ISO-8601 duration reader", () => {
  it("reads weeks, days, hours, minutes and seconds to their exact length", () => {
    expect(parseIsoDuration("P30D")).toEqual({
      duration: { text: "P30D", ms: 30 * DAY, parts: { weeks: 0, days: 30, hours: 0, minutes: 0, seconds: 0 } },
    });
    expect(parseIsoDuration("P2W")).toMatchObject({ duration: { ms: 14 * DAY } });
    expect(parseIsoDuration("P1DT12H30M15S")).toMatchObject({
      duration: { ms: DAY + 12 * HOUR + 30 * 60_000 + 15_000 },
    });
    expect(parseIsoDuration("PT90S")).toMatchObject({ duration: { ms: 90_000, parts: { seconds: 90 } } });
    expect(parseIsoDuration("PT36H")).toMatchObject({ duration: { ms: 36 * HOUR } });
  });

  it("refuses years and months, whose length depends on the calendar", () => {
    expect(problemOf("P1M")).toMatch(/years or months/);
    expect(problemOf("P1Y")).toMatch(/years or months/);
    expect(problemOf("P1Y2M3D")).toMatch(/years or months/);
    expect(problemOf("PT1M")).toBe("accepted");
  });

  it("refuses fractions, signs, lower case, weeks mixed with days, and empty or zero durations", () => {
    expect(problemOf("P1.5D")).toMatch(/whole numbers/);
    expect(problemOf("PT0,5H")).toMatch(/whole numbers/);
    expect(problemOf("-P1D")).toMatch(/sign/);
    expect(problemOf("p1d")).toMatch(/start with P/);
    expect(problemOf("P1d")).toMatch(/upper-case/);
    expect(problemOf("P1W2D")).toMatch(/weeks/);
    expect(problemOf("P1H")).toMatch(/after T/);
    expect(problemOf("P")).toMatch(/not an ISO-8601 duration/);
    expect(problemOf("PT")).toMatch(/not an ISO-8601 duration/);
    expect(problemOf("P1DT")).toMatch(/not an ISO-8601 duration/);
    expect(problemOf("PT1M1H")).toMatch(/not an ISO-8601 duration/);
    expect(problemOf("30 days")).toMatch(/start with P/);
    expect(problemOf("PT0S")).toMatch(/longer than zero/);
    expect(problemOf("P99999999999999D")).toMatch(/too long/);
  });
});

describe("DELETION_NOTICE_LEADS", () => {
  it("reads durations longest first, with spaces after commas; the empty string means no notices", () => {
    const leads = parseNoticeLeads("P30D, P7D,PT12H");
    expect("leads" in leads && leads.leads.map((lead) => lead.ms)).toEqual([30 * DAY, 7 * DAY, 12 * HOUR]);
    expect(parseNoticeLeads("")).toEqual({ leads: [] });
  });

  it("refuses leads that are not strictly shorter each, and empty items", () => {
    expect(parseNoticeLeads("P7D,P30D")).toEqual({
      problem: "must list the leads longest first, each shorter than the one before (P30D comes after P7D)",
    });
    expect(parseNoticeLeads("P7D,P1W")).toEqual({
      problem: "must list the leads longest first, each shorter than the one before (P1W comes after P7D)",
    });
    expect(parseNoticeLeads("P30D,,P1D")).toEqual({ problem: "has an empty item (write e.g. P30D,P7D,P1D)" });
  });

  it("refuses a lead longer than 32 characters (notices show it as written: their answer stays bounded)", () => {
    expect(parseNoticeLeads(`P${"0".repeat(28)}30D`)).toMatchObject({ leads: [{ text: `P${"0".repeat(28)}30D` }] });
    expect(parseNoticeLeads(`P${"0".repeat(29)}30D`)).toEqual({ problem: "has a lead longer than 32 characters" });
  });

  it("is part of every function's configuration: P30D,P7D,P1D by default, a bad value stops the function", () => {
    // Given the configuration a function reads at cold start.
    const leadsOf = (env: Record<string, string>) =>
      parseConfig({ ...localFunctionEnv, ...env }).DELETION_NOTICE_LEADS.map((lead) => lead.text);
    // Then: the default, an empty list, or a clear configuration error naming the variable.
    expect(leadsOf({})).toEqual(["P30D", "P7D", "P1D"]);
    expect(leadsOf({ DELETION_NOTICE_LEADS: "" })).toEqual([]);
    expect(leadsOf({ DELETION_NOTICE_LEADS: "PT30S,PT10S" })).toEqual(["PT30S", "PT10S"]);
    expect(() => leadsOf({ DELETION_NOTICE_LEADS: "P1D,P7D" })).toThrow(
      /^Invalid configuration \(see the README's Configuration table\): DELETION_NOTICE_LEADS: must list the leads longest first/,
    );
    expect(() => leadsOf({ DELETION_NOTICE_LEADS: "P1M" })).toThrow(
      "DELETION_NOTICE_LEADS: P1M must not use years or months",
    );
  });

  it("must warn after an account was last active: the longest lead stays under INACTIVE_AFTER_DAYS", () => {
    expect(() => parseConfig({ ...localFunctionEnv, INACTIVE_AFTER_DAYS: "30" })).toThrow(
      "DELETION_NOTICE_LEADS: the longest lead (P30D) must be shorter than INACTIVE_AFTER_DAYS (30 days)",
    );
    expect(parseConfig({ ...localFunctionEnv, INACTIVE_AFTER_DAYS: "31" }).INACTIVE_AFTER_DAYS).toBe(31);
    expect(
      parseConfig({ ...localFunctionEnv, INACTIVE_AFTER_DAYS: "1", DELETION_NOTICE_LEADS: "" }).DELETION_NOTICE_LEADS,
    ).toEqual([]);
  });
});

describe("the mail settings of functions that send notices", () => {
  const smtp = {
    MAIL_TRANSPORT: "smtp",
    NOTICE_SENDER_ADDRESS: "notices@example.test",
    NOTICE_EXPORT_URL: "http://localhost:3000/me/export",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: "1025",
  };
  const ses = {
    MAIL_TRANSPORT: "ses",
    NOTICE_SENDER_ADDRESS: "notices@example.com",
    NOTICE_EXPORT_URL: "https://api.example.com/me/export",
    COGNITO_USER_POOL_ID: "eu-central-1_AbCdEf123",
    AWS_REGION: "eu-central-1",
  };

  it("reads SMTP settings locally and SES settings in AWS, the time zone defaulting to Europe/Berlin", () => {
    expect(parseMailSettings(smtp)).toEqual({ ...smtp, SMTP_PORT: 1025, NOTICE_TIME_ZONE: "Europe/Berlin" });
    expect(parseMailSettings({ ...ses, NOTICE_SENDER_NAME: "Trading Community", NOTICE_TIME_ZONE: "UTC" })).toEqual({
      ...ses,
      NOTICE_SENDER_NAME: "Trading Community",
      NOTICE_TIME_ZONE: "UTC",
    });
  });

  it("fails closed: no transport, sender or export address is assumed", () => {
    expect(() => parseMailSettings({})).toThrow(
      "Invalid mail configuration: MAIL_TRANSPORT: must be ses (Amazon SES, in AWS) or smtp (a local mail sink)",
    );
    const { NOTICE_SENDER_ADDRESS: _sender, NOTICE_EXPORT_URL: _url, ...withoutSender } = smtp;
    expect(() => parseMailSettings(withoutSender)).toThrow(
      "Invalid mail configuration: NOTICE_SENDER_ADDRESS: must be an e-mail address; NOTICE_EXPORT_URL: must be an http(s) URL",
    );
    expect(() => parseMailSettings({ ...smtp, SMTP_HOST: undefined, SMTP_PORT: "0" })).toThrow(
      /SMTP_HOST: is required; SMTP_PORT:/,
    );
  });

  it("refuses in AWS what only works locally: an http export link, a missing pool or region", () => {
    expect(() => parseMailSettings({ ...ses, NOTICE_EXPORT_URL: "http://api.example.com/me/export" })).toThrow(
      "NOTICE_EXPORT_URL: must be an https URL",
    );
    expect(() => parseMailSettings({ ...ses, AWS_REGION: "local" })).toThrow("AWS_REGION: must be an AWS region");
    expect(() => parseMailSettings({ ...ses, COGNITO_USER_POOL_ID: undefined })).toThrow(
      "COGNITO_USER_POOL_ID: is required",
    );
  });

  it("refuses an unknown time zone and a sender name that could break the From header", () => {
    expect(() => parseMailSettings({ ...smtp, NOTICE_TIME_ZONE: "Mars/Olympus" })).toThrow(
      "NOTICE_TIME_ZONE: must be an IANA time zone",
    );
    expect(() => parseMailSettings({ ...smtp, NOTICE_SENDER_NAME: "Evil\r\nBcc: x@y.z" })).toThrow(
      "NOTICE_SENDER_NAME: must be plain text",
    );
  });
});
