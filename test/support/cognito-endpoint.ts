import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tokenFor } from "./api/in-process";

// A Cognito user pool on loopback, speaking Cognito's own wire protocol (JSON 1.1, `X-Amz-Target`) for the calls
// that make, sign in and remove test users, so that test/support/cognito-users.ts runs through the real SDK client
// (serialising, signing, parsing answers and errors) without AWS. Like the pool it keeps users, a password policy and
// groups; its ID tokens are the local host's own (HS256), so the local host accepts whom it signs in.

/** What a request of the calls played here may carry, as the SDK sends it. */
interface CognitoRequest {
  UserPoolId?: string;
  Username?: string;
  UserAttributes?: { Name: string; Value: string }[];
  MessageAction?: string;
  Password?: string;
  Permanent?: boolean;
  GroupName?: string;
  ClientId?: string;
  AuthFlow?: string;
  AuthParameters?: { USERNAME?: string; PASSWORD?: string };
}

interface RecordedCognitoCall {
  operation: string;
  body: CognitoRequest;
  signed: boolean;
}

interface PoolUser {
  sub: string;
  password?: string;
  permanent: boolean;
  groups: string[];
}

export interface CognitoEndpoint {
  url: string;
  userPoolId: string;
  clientId: string;
  calls: RecordedCognitoCall[];
  /** The pool's users now, by user name. */
  users(): ReadonlyMap<string, PoolUser>;
  close(): Promise<void>;
}

const GROUPS = ["admins", "authors"];
const meetsPolicy = (password: string) =>
  password.length >= 12 &&
  /[a-z]/.test(password) &&
  /[A-Z]/.test(password) &&
  /\d/.test(password) &&
  /\W/.test(password);

async function bodyOf(request: IncomingMessage): Promise<CognitoRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as CognitoRequest;
}

function answer(response: ServerResponse, status: number, json: unknown): void {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() });
  response.end(JSON.stringify(json));
}

const failure = (type: string, message: string) => ({ status: 400, json: { __type: type, message } });

export async function startCognitoEndpoint(): Promise<CognitoEndpoint> {
  const userPoolId = "local-1_TestPool";
  const clientId = "local-test-client";
  const calls: RecordedCognitoCall[] = [];
  const users = new Map<string, PoolUser>();

  function handle(operation: string, body: CognitoRequest): { status: number; json: unknown } {
    if (body.UserPoolId !== userPoolId) return failure("ResourceNotFoundException", "User pool does not exist.");
    const username = body.Username ?? "";
    const user = users.get(username);
    const noUser = () => failure("UserNotFoundException", "User does not exist.");
    switch (operation) {
      case "AdminCreateUser": {
        if (user) return failure("UsernameExistsException", "User account already exists.");
        if (!/^[^@\s]+@[^@\s]+$/.test(username))
          return failure("InvalidParameterException", "Username is not an email.");
        const sub = randomUUID();
        users.set(username, { sub, permanent: false, groups: [] });
        const attributes = [{ Name: "sub", Value: sub }, ...(body.UserAttributes ?? [])];
        return {
          status: 200,
          json: { User: { Username: body.Username, Attributes: attributes, UserStatus: "FORCE_CHANGE_PASSWORD" } },
        };
      }
      case "AdminSetUserPassword":
        if (!user) return noUser();
        if (!meetsPolicy(body.Password ?? ""))
          return failure("InvalidPasswordException", "Password does not conform to policy.");
        Object.assign(user, { password: body.Password, permanent: body.Permanent === true });
        return { status: 200, json: {} };
      case "AdminAddUserToGroup":
        if (!user) return noUser();
        if (!GROUPS.includes(body.GroupName ?? "")) return failure("ResourceNotFoundException", "Group not found.");
        user.groups.push(body.GroupName!);
        return { status: 200, json: {} };
      case "AdminInitiateAuth": {
        if (body.ClientId !== clientId) return failure("ResourceNotFoundException", "User pool client does not exist.");
        if (body.AuthFlow !== "ADMIN_USER_PASSWORD_AUTH")
          return failure("InvalidParameterException", "Auth flow not enabled.");
        const signingIn = users.get(body.AuthParameters?.USERNAME ?? "");
        if (!signingIn || signingIn.password !== body.AuthParameters?.PASSWORD)
          return failure("NotAuthorizedException", "Incorrect username or password.");
        if (!signingIn.permanent)
          return { status: 200, json: { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" } };
        const IdToken = tokenFor(signingIn.sub, signingIn.groups, { aud: clientId, token_use: "id" });
        return { status: 200, json: { AuthenticationResult: { IdToken, TokenType: "Bearer", ExpiresIn: 3600 } } };
      }
      case "AdminDeleteUser":
        if (!user) return noUser();
        users.delete(username);
        return { status: 200, json: {} };
      default:
        return failure("UnknownOperationException", `not played here: ${operation}`);
    }
  }

  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const operation = String(request.headers["x-amz-target"] ?? "").replace("AWSCognitoIdentityProviderService.", "");
      const signed = /^AWS4-HMAC-SHA256 Credential=/.test(request.headers.authorization ?? "");
      calls.push({ operation, body, signed });
      const { status, json } = handle(operation, body);
      answer(response, status, json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    userPoolId,
    clientId,
    calls,
    users: () => users,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
