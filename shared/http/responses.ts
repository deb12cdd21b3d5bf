/** What a handler answers; the middleware stack turns it into API Gateway's result. */
export interface HttpResult {
  statusCode: number;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** A body that is not JSON (a page, a script), sent as it is; bytes travel base64-encoded, as Lambda returns them. */
  raw?: string | Buffer;
}

export const json = (statusCode: number, body: unknown, headers?: Record<string, string>): HttpResult => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});

export const ok = (body: unknown) => json(200, body);
export const accepted = (body: unknown) => json(202, body);
export const noContent = (): HttpResult => ({ statusCode: 204 });

/** 200 with a body that is not JSON; `headers` must name its content-type. */
export const content = (
  raw: string | Buffer,
  headers: Record<string, string> & { "content-type": string },
): HttpResult => ({
  statusCode: 200,
  raw,
  headers,
});

/** A page of a list, in the contract's shape. */
export const page = <T>(items: T[], nextCursor: string | null) => ok({ items, nextCursor });
