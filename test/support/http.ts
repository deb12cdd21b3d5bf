import { expectDocumentedAnswer } from "./documented-answers";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  // Tests read bodies loosely; the document has checked their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** `fetch` for the end-to-end tests: an answer the OpenAPI document does not allow fails the test that got it. */
export async function fetchDocumented(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const answer = {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: await response.text(),
  };
  expectDocumentedAnswer(init.method ?? "GET", url, answer);
  const isJson = (answer.headers["content-type"] ?? "").startsWith("application/json");
  return { ...answer, body: isJson && answer.text ? (JSON.parse(answer.text) as unknown) : undefined };
}
