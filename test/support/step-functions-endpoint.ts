// An endpoint that answers StartExecution as Step Functions does (its JSON protocol), for the deployed cleanup
// route's code path (CLEANUP_RUNNER=step-functions) where AWS cannot be reached: it keeps each request it got,
// so a test can check what the real SDK sent. It runs nothing.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface StartExecutionRequest {
  target: string;
  body: { stateMachineArn: string; name: string; input: string };
  /** The access key the request was signed with (SigV4's `Credential=<key>/...`). */
  accessKeyId: string | undefined;
}

export function startStepFunctionsEndpoint(): Promise<{
  url: string;
  requests: StartExecutionRequest[];
  close(): void;
}> {
  const requests: StartExecutionRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        target: String(request.headers["x-amz-target"]),
        body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"),
        accessKeyId: /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1],
      });
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      response.end(
        JSON.stringify({
          executionArn: "arn:aws:states:local:000000000000:execution:local:run",
          startDate: Date.now() / 1000,
        }),
      );
    });
  });
  return new Promise((resolveEndpoint) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolveEndpoint({ url: `http://127.0.0.1:${port}`, requests, close: () => server.close() });
    }),
  );
}
