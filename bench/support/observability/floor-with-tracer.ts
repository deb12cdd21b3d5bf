// The floor plus Powertools Tracer (the X-Ray SDK) tracing its DynamoDB client. Outside Lambda the tracer is off,
// so this measures what importing and setting it up costs, not the segments it would send.
import { Tracer } from "@aws-lambda-powertools/tracer";
import { client, handler as floor } from "../floor-handler";

const tracer = new Tracer({ serviceName: "bench" });
tracer.captureAWSv3Client(client);

export const handler = floor;
