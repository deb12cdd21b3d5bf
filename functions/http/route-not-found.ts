import { routes } from "../../infra/routes";
import { DomainError, notFound } from "../../shared/errors";
import { httpHandler } from "../../shared/http/handler";
import { matchRoute } from "../../shared/http/routing";

/** API Gateway's `$default` route: 405 for a known path with another method, 404 for an unknown path. */
export const handler = httpHandler({ auth: "none" }, async ({ method, rawPath }) => {
  const { allowedMethods } = matchRoute(routes, method, rawPath);
  if (allowedMethods.length > 0 && !allowedMethods.includes(method)) {
    throw new DomainError("method_not_allowed", `This path does not answer ${method}.`, { allow: allowedMethods });
  }
  throw notFound("The route");
});
