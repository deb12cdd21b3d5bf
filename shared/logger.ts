import { Logger } from "@aws-lambda-powertools/logger";
import { config } from "./config";
import { SERVICE_NAME } from "./observability-names";

/**
 * The one logger of every function: Powertools' structured JSON lines, which CloudWatch Logs Insights reads field by
 * field. Each invocation's lines carry its Lambda context (function_name, function_request_id, cold_start) and the
 * keys the HTTP middleware adds (correlation_id: API Gateway's request ID, route, user_id). Never log a token, a
 * request or response body, or a storage key.
 *
 * Where invocations run concurrently in one process (the local host, a Lambda Managed Instance), Powertools keeps
 * each invocation's keys in its own InvokeStore context, so lines never carry another request's ID.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL });
