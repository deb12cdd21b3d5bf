// POST /posts as deployed, plus Powertools Tracer (the X-Ray SDK) tracing the shared DynamoDB client: what
// tracing would add to a real function's cold start.
import { Tracer } from "@aws-lambda-powertools/tracer";
import { dynamoDb } from "../../../shared/db/client";

const tracer = new Tracer({ serviceName: "trading-community" });
tracer.captureAWSv3Client(dynamoDb);

export { handler } from "../../../functions/http/post-posts";
