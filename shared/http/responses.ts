/** What a handler answers; the middleware stack turns it into API Gateway's result. */
export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (statusCode: number, body: unknown, headers?: Record<string, string>): HttpResult => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});

export const ok = (body: unknown) => json(200, body);
export const created = (body: unknown) => json(201, body);
export const accepted = (body: unknown) => json(202, body);
export const noContent = (): HttpResult => ({ statusCode: 204 });

/** A page of a list, in the contract's shape. */
export const page = <T>(items: T[], nextCursor: string | null) => ok({ items, nextCursor });
