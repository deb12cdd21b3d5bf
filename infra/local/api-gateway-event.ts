import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { HttpApiEvent } from "../../shared/http/event";

export interface IncomingRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
}

const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

function joinHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === "cookie") continue;
    joined[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  return joined;
}

/** Builds the API Gateway HTTP API payload format 2.0 event that Lambda receives for this request. */
export function toHttpApiEvent(
  request: IncomingRequest,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  claims: Record<string, string> | undefined,
): HttpApiEvent {
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const contentType = String(request.headers["content-type"] ?? "application/json");
  const isText = TEXT_TYPES.test(contentType) || request.body.length === 0;
  const now = new Date();
  const cookieHeader = request.headers.cookie;
  return {
    version: "2.0",
    routeKey,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.replace(/^\?/, ""),
    ...(cookieHeader ? { cookies: cookieHeader.split(/;\s*/) } : {}),
    headers: joinHeaders(request.headers),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: String(request.headers.host ?? "localhost"),
      domainPrefix: "localhost",
      http: {
        method: request.method,
        path: request.url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: String(request.headers["user-agent"] ?? ""),
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(request.body.length > 0
      ? { body: isText ? request.body.toString("utf8") : request.body.toString("base64"), isBase64Encoded: !isText }
      : { isBase64Encoded: false }),
  };
}
