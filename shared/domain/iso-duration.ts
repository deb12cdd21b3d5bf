// A strict reader of ISO-8601 durations for settings such as DELETION_NOTICE_LEADS. Only durations of a fixed
// length are accepted: weeks (`P2W`, on their own, as ISO 8601:2004 has it) or days, hours, minutes and seconds
// (`P1DT12H`, `PT90S`), in whole numbers. Refused, with the reason: years and months (their length depends on the
// calendar: `P1M` would mean 28 to 31 days), fractions (`P1.5D`), signs, lower-case designators, `P` or `T`
// without a number after it, and a duration of zero.

export interface DurationParts {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export interface Duration {
  /** The duration as written, e.g. `P30D`. */
  text: string;
  /** Its length in milliseconds. */
  ms: number;
  parts: DurationParts;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

const weeksForm = /^P(\d+)W$/;
const dayTimeForm = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Why `text` is not a duration this reader accepts (null when it is one). */
function refusal(text: string): string | null {
  if (/^[+-]/.test(text)) return "must not carry a sign";
  if (!text.startsWith("P")) return "must start with P, e.g. P30D or PT12H";
  if (/[a-z]/.test(text)) return "must use upper-case designators (P, W, D, T, H, M, S)";
  if (/[.,]\d/.test(text)) return "must use whole numbers (write PT36H rather than P1.5D)";
  const datePart = text.split("T")[0]!;
  if (/\d+Y/.test(datePart) || /\d+M/.test(datePart)) {
    return "must not use years or months, whose length depends on the calendar (write days, e.g. P30D)";
  }
  if (/\d+[HS]/.test(datePart)) return "must write hours, minutes and seconds after T, e.g. PT12H";
  if (/\d+W/.test(text) && !weeksForm.test(text)) return "must not combine weeks with other units (write days instead)";
  return null;
}

/**
 * Reads one ISO-8601 duration (see the top of this file for what is accepted), or says why not. The answer's
 * `problem` is a phrase that completes a sentence naming the value, e.g. "P1M: must not use years or months...".
 */
export function parseIsoDuration(
  text: string,
  options: { zero?: "allowed" | "refused" } = {},
): { duration: Duration } | { problem: string } {
  const refused = refusal(text);
  if (refused) return { problem: refused };
  const weeks = weeksForm.exec(text);
  const dayTime = weeks ? null : dayTimeForm.exec(text);
  if (!weeks && (!dayTime || text === "P"))
    return { problem: "is not an ISO-8601 duration such as P30D, PT12H or P2W" };
  const number = (digits: string | undefined) => (digits === undefined ? 0 : Number(digits));
  const parts: DurationParts = {
    weeks: number(weeks?.[1]),
    days: number(dayTime?.[1]),
    hours: number(dayTime?.[2]),
    minutes: number(dayTime?.[3]),
    seconds: number(dayTime?.[4]),
  };
  const ms =
    parts.weeks * WEEK_MS +
    parts.days * DAY_MS +
    parts.hours * HOUR_MS +
    parts.minutes * MINUTE_MS +
    parts.seconds * SECOND_MS;
  if (!Number.isSafeInteger(ms)) return { problem: "is too long" };
  if (ms === 0 && options.zero !== "allowed") return { problem: "must be longer than zero" };
  return { duration: { text, ms, parts } };
}

/** Reads a duration the program itself wrote (a constant, a stored lead); a bad one is a programming error. */
export function isoDuration(text: string): Duration {
  const parsed = parseIsoDuration(text);
  if ("problem" in parsed) throw new Error(`${text}: ${parsed.problem}`);
  return parsed.duration;
}
