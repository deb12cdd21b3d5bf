import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { gunzipSync } from "node:zlib";
import { apiClient, type ReceivedAnswer, type SentRequest } from "./client";

// The end-to-end tests' host: a running one over HTTP, the local server or a deployed stage (API_URL). node:http
// rather than fetch: it sends any method with any body (fetch refuses a GET with one) and hands over the bytes as
// they came, so gzip is undone here as the in-process host undoes it.

function send(request: SentRequest): Promise<ReceivedAnswer> {
  const sendVia = request.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = sendVia(
      request.url,
      { method: request.method, headers: { ...request.headers, "content-length": String(request.body.length) } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          let bytes = Buffer.concat(chunks);
          if (headers["content-encoding"] === "gzip") bytes = gunzipSync(bytes);
          resolve({ status: incoming.statusCode ?? 0, headers, text: bytes.toString("utf8") });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}

/** A client of the API at `baseUrl` (`http://localhost:3000`, a stage's ApiUrl). */
export const httpApi = (baseUrl: string) => apiClient({ baseUrl, transport: send });
