import { describedRoutes } from "../../shared/api/description";
import { methodNotAllowed, notFound } from "../../shared/errors";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { matchRoute } from "../../shared/http/routing";

/**
 * API Gateway's `$default` route: 405 for a known path with another method, 404 for an unknown path. A CORS
 * preflight (OPTIONS with Origin and Access-Control-Request-Method) gets 204: API Gateway answers preflights
 * itself when CORS is configured, and adds its CORS headers should one ever reach this route; without CORS the
 * answer carries none, and the browser refuses the request.
 */
export const handler = httpHandler({ auth: "none" }, async ({ method, rawPath, headers }) => {
  if (method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined) {
    return noContent();
  }
  // The routes as the API's description lists them (beside the bundle in AWS, as for GET /openapi.json).
  const { allowedMethods } = matchRoute(describedRoutes(), method, rawPath);
  if (allowedMethods.length > 0 && !allowedMethods.includes(method)) {
    throw methodNotAllowed(method, allowedMethods);
  }
  throw notFound("The route");
});
