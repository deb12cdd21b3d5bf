import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { routes } from "../../infra/routes";
import { apiDescriptionDocument } from "../../infra/api-description";
import { statusOf } from "../../shared/http/status-codes";
import { matchRoute } from "../../shared/http/routing";
import type { ErrorCode } from "../../shared/errors";

// Every answer a test receives is checked against the OpenAPI document (GET /openapi.json): its status must be one
// the operation documents, its body must match that status's schema, its documented headers must be there.

export const openApiDocument = apiDescriptionDocument();

type JsonObject = Record<string, unknown>;
interface ResponseObject {
  content?: Record<string, { schema: JsonObject }>;
  headers?: Record<string, { required?: boolean }>;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
ajv.addSchema(openApiDocument, "openapi.json");

const validators = new Map<string, ValidateFunction>();
/** The validator of the schema at a JSON pointer of the document, compiled once. */
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escapePointer = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

export interface ReceivedAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as text, decoded (base64 and gzip undone). */
  text: string;
}

function fail(request: string, answer: ReceivedAnswer, problem: string): never {
  throw new Error(
    `${request} answered ${answer.status}, which the OpenAPI document does not allow: ${problem}\n${answer.text.slice(0, 2000)}`,
  );
}

function parseJson(request: string, answer: ReceivedAnswer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return fail(request, answer, "the body is not JSON");
  }
}

function expectValid(request: string, answer: ReceivedAnswer, pointer: string, body: unknown): void {
  const validate = validatorAt(pointer);
  if (!validate(body)) fail(request, answer, `the body does not match ${pointer}: ${ajv.errorsText(validate.errors)}`);
}

/** Contract: 429 `too_many_requests` and 503 `unavailable` come with `retry-after`. */
function expectRetryAfterWithRetryableErrors(request: string, answer: ReceivedAnswer, body: unknown): void {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
  if (
    (code === "too_many_requests" || code === "unavailable") &&
    !/^[1-9]\d*$/.test(answer.headers["retry-after"] ?? "")
  ) {
    fail(request, answer, `${code} without a retry-after header in seconds`);
  }
}

/** Requests no route matches get the `$default` route's answers: the error shape, its code fitting the status. */
function expectFallbackAnswer(request: string, answer: ReceivedAnswer): void {
  const body = parseJson(request, answer);
  expectValid(request, answer, "/components/schemas/Error", body);
  const code = (body as { error: { code: string } }).error.code;
  const status = code === "internal" ? 500 : statusOf(code as ErrorCode);
  if (status !== answer.status) fail(request, answer, `code ${code} belongs to status ${status}`);
}

/** Throws, naming what is wrong, unless the answer is one the document allows for this request. */
export function expectDocumentedAnswer(method: string, url: string, answer: ReceivedAnswer): void {
  const path = new URL(url, "http://localhost").pathname;
  const request = `${method} ${path}`;
  const { match } = matchRoute(routes, method, path);
  if (!match) return expectFallbackAnswer(request, answer);
  const routeKey = `${match.route.method} ${match.route.path}`;
  const operationPointer = `/paths/${escapePointer(match.route.path)}/${method.toLowerCase()}`;
  const operation = openApiDocument.paths[match.route.path]?.[method.toLowerCase()];
  if (!operation) fail(request, answer, `${routeKey} is not in the document`);
  const responses = operation.responses as Record<string, ResponseObject>;
  const response = responses[String(answer.status)];
  if (!response) fail(request, answer, `${routeKey} documents ${Object.keys(responses).join(", ")}`);

  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (header.required && answer.headers[name.toLowerCase()] === undefined)
      fail(request, answer, `header ${name} is missing`);
  }
  if (!response.content) {
    if (answer.text !== "") fail(request, answer, "this answer has no body");
    return;
  }
  const [mediaType] = Object.keys(response.content) as [string];
  if (!(answer.headers["content-type"] ?? "").startsWith(mediaType)) {
    fail(request, answer, `content-type ${answer.headers["content-type"]} is not ${mediaType}`);
  }
  if (mediaType !== "application/json") {
    if (answer.text === "") fail(request, answer, "the body is empty");
    return;
  }
  const body = parseJson(request, answer);
  expectRetryAfterWithRetryableErrors(request, answer, body);
  const schemaPointer = `${operationPointer}/responses/${answer.status}/content/${escapePointer(mediaType)}/schema`;
  expectValid(request, answer, schemaPointer, JSON.parse(JSON.stringify(body)));
}
