// What every operator command (`npm run cleanup`, `migrate`, `audit`) does before it imports the handlers' modules:
// read its arguments (exit 2 on bad ones, print its usage for --help), then settle the environment those modules
// read their configuration from. One place, so that the commands cannot drift apart on how they reach the table.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { applyLocalSettings } from "./local-environment";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The command's options as parsed, or exit 2 with the reason; `--help` prints `usage` and exits 0. */
export function commandArguments<const O extends Options>(command: string, usage: string, options: O) {
  if (process.argv.slice(2).includes("--help")) {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    return badArgument(command, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The environment of an operator command: TABLE_NAME (default `trading-community-local`, as `npm start`) at
 * DYNAMODB_ENDPOINT, or, without it, the AWS table named TABLE_NAME (AWS_REGION must be given: it is never guessed).
 * Quiet logs, and no business metrics: those belong to the functions, and the command's stdout is its report. It
 * verifies no token and makes no cursor, but the configuration requires those settings: local values do.
 */
export function operatorEnvironment(): void {
  process.env.TABLE_NAME ??= "trading-community-local";
  process.env.LOG_LEVEL ??= "warn";
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  applyLocalSettings();
}

/** Exits 2 with the command's name and the reason. */
export function badArgument(command: string, reason: string): never {
  process.stderr.write(`${command}: ${reason}\n`);
  process.exit(2);
}
