import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// An HTTP endpoint on loopback that answers the two AWS calls a notice makes, on AWS's own wire protocols, so
// that the SES delivery runs through the real SDK clients (serialising, signing, parsing answers and errors)
// without AWS: Cognito's AdminGetUser (JSON 1.1) and SESv2's SendEmail (REST-JSON). It records each request.

export interface CognitoUser {
  username: string;
  attributes: Record<string, string>;
}

interface RecordedCall {
  operation: "AdminGetUser" | "SendEmail";
  body: Record<string, any>;
  signed: boolean;
}

export interface AwsMailEndpoint {
  url: string;
  calls: RecordedCall[];
  /** SendEmail answers 500 this many times before it accepts (a mail service outage). */
  failSends(times: number): void;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<Record<string, any>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, any>;
}

export async function startAwsMailEndpoint(users: readonly CognitoUser[]): Promise<AwsMailEndpoint> {
  const calls: RecordedCall[] = [];
  let sendFailures = 0;
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await bodyOf(request);
    const signed = /^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? "");
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, {
        "content-type": "application/json",
        "x-amzn-requestid": "test-request",
        ...headers,
      });
      response.end(JSON.stringify(json));
    };
    if (request.headers["x-amz-target"] === "AWSCognitoIdentityProviderService.AdminGetUser") {
      calls.push({ operation: "AdminGetUser", body, signed });
      const user = users.find((candidate) => candidate.username === body.Username);
      if (!user)
        return answer(
          400,
          { __type: "UserNotFoundException", message: "User does not exist." },
          { "content-type": "application/x-amz-json-1.1" },
        );
      return answer(200, {
        Username: user.username,
        Enabled: true,
        UserStatus: "CONFIRMED",
        UserAttributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
      });
    }
    if (request.method === "POST" && request.url === "/v2/email/outbound-emails") {
      calls.push({ operation: "SendEmail", body, signed });
      if (sendFailures > 0) {
        sendFailures--;
        return answer(500, { message: "Internal failure" }, { "x-amzn-errortype": "InternalFailure" });
      }
      return answer(200, { MessageId: `message-${calls.length}` });
    }
    answer(404, { message: `no such operation: ${request.method} ${request.url}` });
  };
  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      response.writeHead(500).end(error instanceof Error ? error.message : "failed");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    failSends: (times) => void (sendFailures = times),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
