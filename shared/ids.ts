import { randomBytes } from "node:crypto";

// ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base32, so IDs sort by creation time.
// Within one millisecond the random part is incremented, so IDs made by one process keep creation order.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(time: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function freshRandom(): number[] {
  return [...randomBytes(16)].map((byte) => byte % 32);
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return freshRandom();
}

/** A new ULID for the given time (default now); monotonic for IDs made in the same millisecond. */
export function ulid(time = Date.now()): string {
  if (time === lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = time;
    lastRandom = freshRandom();
  }
  return encodeTime(time) + lastRandom.map((digit) => ALPHABET[digit]).join("");
}

/** The millisecond time a ULID was made at. */
export function ulidTime(id: string): number {
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}

/** The greatest ULID there can be: every ULID sorts at or below it. */
export const MAX_ULID = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";

/** The greatest ULID made at the given millisecond: every ULID of that millisecond or before sorts at or below it. */
export function maxUlidAt(time: number): string {
  return encodeTime(time) + "Z".repeat(16);
}
