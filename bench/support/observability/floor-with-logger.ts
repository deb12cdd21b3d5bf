// The floor plus Powertools Logger as the functions use it: its Lambda context added, one line per request.
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { handler as floor } from "../floor-handler";

const logger = new Logger({ serviceName: "bench" });

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const result = await floor();
  logger.info("request", { status: result.statusCode });
  logger.resetKeys();
  return result;
};
