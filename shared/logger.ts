import { config } from "./config";

// A few lines of structured JSON logging: CloudWatch Logs Insights reads the fields, and the bundle stays small.
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof levels, "silent">;

let context: Record<string, unknown> = {};
const threshold = levels[config.LOG_LEVEL];

function write(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (levels[level] < threshold) return;
  const line = JSON.stringify({ level, timestamp: new Date().toISOString(), message, ...context, ...fields });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const logger = {
  /** Fields (such as the request id) added to every line until the next call. */
  setContext(fields: Record<string, unknown>): void {
    context = fields;
  },
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
};

export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message, stack: error.stack };
  return { errorValue: String(error) };
}
