import type { Context } from "aws-lambda";
import { config } from "./config";
import { invocationScoped, invokeStore } from "./invocation-scope";
import { SERVICE_NAME } from "./observability-names";

// The one logger of every function: structured JSON lines, which CloudWatch Logs Insights reads field by field, in
// Powertools Logger's format, field for field (test/unit/observability-format.test.ts writes the same calls through
// Powertools and compares). It was Powertools itself until issue 20: 31 KB of every bundle (log buffering, sampling,
// child loggers, correlation-ID search) for the few calls below. Each invocation's lines carry its Lambda context
// (function_name, function_request_id, cold_start) and the keys the HTTP middleware adds (correlation_id: API
// Gateway's request ID, route, user_id). Never log a token, a request or response body, or a storage key.
//
// Where invocations run concurrently in one process (the local host, a Lambda Managed Instance), each invocation's
// keys and context live in its own InvokeStore context (invocation-scope.ts), so lines never carry another's.

type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";
type Attributes = Record<string, unknown>;

const thresholds: Readonly<Record<string, number>> = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
};
/** Keys a log line sets itself: appended keys with these names are dropped (with a warning, as Powertools did). */
const reservedKeys = new Set(["level", "message", "sampling_rate", "service", "timestamp"]);

interface LambdaContextFields {
  invokedFunctionArn: string;
  coldStart: boolean;
  awsRequestId: string;
  memoryLimitInMB: string;
  functionName: string;
  tenantId: string | undefined;
}

/** The X-Ray trace's root ID of the running invocation (the runtime's store, or the environment), if traced. */
function xRayTraceId(): string | undefined {
  const header = invokeStore()?.getXRayTraceId() ?? process.env._X_AMZN_TRACE_ID?.trim() ?? "";
  if (header === "") return undefined;
  if (!header.includes("=")) return header;
  const fields = new Map(
    header.split(";").map((field): [string, string | undefined] => {
      const [key = "", value] = field.split("=");
      return [key, value];
    }),
  );
  return fields.get("Root");
}

/** An error as a log line shows it: name, where it was thrown, message, stack, cause, and its own fields. */
function formatError(error: Error): Attributes {
  const { name, message, stack, cause, ...own } = error;
  return {
    name,
    location: codeLocation(stack),
    message,
    stack,
    cause: cause instanceof Error ? formatError(cause) : cause,
    ...own,
  };
}

/** `file:line` of the first stack frame that names one. */
function codeLocation(stack: string | undefined): string {
  for (const line of (stack ?? "").split("\n")) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return "";
}

/** JSON.stringify's replacer: errors formatted, bigints as text, a circular reference left out. */
function jsonReplacer() {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown) {
    const replaced = value instanceof Error ? formatError(value) : value;
    if (typeof replaced === "bigint") return replaced.toString();
    if (typeof replaced === "object" && replaced !== null) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(replaced)) return undefined;
      ancestors.push(replaced);
    }
    return replaced;
  };
}

/** The timestamp as Powertools wrote it: UTC ISO-8601, or with the offset of the TZ time zone when one is set. */
function timestamp(now: Date): string {
  const zone = process.env.TZ?.trim() ?? "";
  if (!zone || zone.includes("UTC")) return now.toISOString();
  let resolved = zone;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    resolved = "UTC";
  }
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en", {
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZone: resolved,
    })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
  const offset = resolved === zone ? -now.getTimezoneOffset() : 0;
  const pad = (value: number) => Math.abs(value).toString().padStart(2, "0");
  const sign = offset >= 0 ? "+" : "-";
  const millis = now.getMilliseconds().toString().padStart(3, "0");
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${millis}${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
}

export class StructuredLogger {
  readonly #service: string;
  readonly #threshold: number;
  readonly #keys = invocationScoped<Attributes>("logger.keys", { fresh: () => ({}) });
  readonly #context = invocationScoped<LambdaContextFields | undefined>("logger.context", { initial: undefined });
  #coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === "on-demand";

  constructor(options: { serviceName: string; logLevel: Lowercase<LogLevel> | "silent" }) {
    this.#service = options.serviceName;
    const configured = options.logLevel.toUpperCase();
    // Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL), when set, win over LOG_LEVEL, as with Powertools.
    const controlled = process.env.AWS_LAMBDA_LOG_LEVEL?.trim().replace(/^FATAL$/, "CRITICAL") ?? "";
    const alc = thresholds[controlled];
    this.#threshold = alc ?? thresholds[configured]!;
    if (alc !== undefined && thresholds[configured]! < alc) {
      this.warn(
        `Current log level (${configured}) does not match AWS Lambda Advanced Logging Controls minimum log level (${controlled}). This can lead to data loss, consider adjusting them.`,
      );
    }
  }

  debug(message: string, attributes: Attributes = {}): void {
    this.#log("DEBUG", message, attributes);
  }

  info(message: string, attributes: Attributes = {}): void {
    this.#log("INFO", message, attributes);
  }

  warn(message: string, attributes: Attributes = {}): void {
    this.#log("WARN", message, attributes);
  }

  error(message: string, attributes: Attributes = {}): void {
    this.#log("ERROR", message, attributes);
  }

  /** The invocation's Lambda context on every later line; the environment's first invocation is its cold start. */
  addContext(context: Context): void {
    const coldStart = this.#coldStart;
    this.#coldStart = false;
    this.#context.set({
      invokedFunctionArn: context.invokedFunctionArn,
      coldStart,
      awsRequestId: context.awsRequestId,
      memoryLimitInMB: context.memoryLimitInMB,
      functionName: context.functionName,
      tenantId: (context as Context & { tenantId?: string }).tenantId,
    });
  }

  /** Keys on every later line of the invocation, until `resetKeys`. */
  appendKeys(attributes: Attributes): void {
    const keys = this.#keys.get();
    for (const [key, value] of Object.entries(attributes)) {
      if (reservedKeys.has(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else keys[key] = value;
    }
  }

  setCorrelationId(value: string | undefined): void {
    this.appendKeys({ correlation_id: value });
  }

  resetKeys(): void {
    this.#keys.reset();
  }

  #log(level: LogLevel, message: string, attributes: Attributes): void {
    if (thresholds[level]! < this.#threshold) return;
    const context = this.#context.get();
    const line: Attributes = {
      level,
      message,
      timestamp: timestamp(new Date()),
      service: this.#service,
      cold_start: context?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: 0,
      xray_trace_id: xRayTraceId(),
      tenant_id: context?.tenantId,
    };
    for (const [key, value] of Object.entries({ ...this.#keys.get(), ...attributes })) {
      if (value === undefined) continue;
      if (reservedKeys.has(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else line[key] = value;
    }
    for (const key of Object.keys(line))
      if (line[key] === undefined || line[key] === "" || line[key] === null) delete line[key];
    const text = `${JSON.stringify(line, jsonReplacer())}\n`;
    if (level === "WARN" || level === "ERROR") process.stderr.write(text);
    else process.stdout.write(text);
  }
}

export const logger = new StructuredLogger({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL });
