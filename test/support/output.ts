/** The JSON lines (logs, EMF metrics) this process writes while captured, kept from the terminal. */
export interface CapturedOutput {
  /** Every line written so far that is a JSON object, parsed. */
  jsonLines(): Record<string, unknown>[];
  /** Everything written so far, as text. */
  text(): string;
  stop(): void;
}

/** Captures what the functions write to stdout and stderr (the logger writes both through the streams). */
export function captureOutput(): CapturedOutput {
  let written = "";
  const streams = [process.stdout, process.stderr];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back on the very stream it was taken from
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    };
  }
  return {
    jsonLines: () =>
      written
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => written,
    stop: () => streams.forEach((stream, i) => (stream.write = originals[i]!)),
  };
}
