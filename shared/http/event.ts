import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Caller, Identity } from "../domain/account";

/** API Gateway's JWT authorizer adds its claims to the v2 event; the aws-lambda types leave them out. */
export type HttpApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};

/** What the middleware stack learns about a request before its handler runs. */
interface RequestState {
  identity: Identity | null;
  caller: Caller;
  body: unknown;
  startedAt: number;
}

export type StatefulEvent = HttpApiEvent & { state: RequestState };

export type HttpApiResult = APIGatewayProxyStructuredResultV2;
