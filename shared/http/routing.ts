/** Matching of request paths against API Gateway path templates, as the HTTP API itself does it. */

export interface RouteLike {
  method: string;
  path: string;
}

export interface RouteMatch<R extends RouteLike> {
  route: R;
  pathParameters: Record<string, string>;
}

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const templateParts = template.split("/");
  const pathParts = path.split("/");
  if (templateParts.length !== pathParts.length) return null;
  const parameters: Record<string, string> = {};
  for (let i = 0; i < templateParts.length; i++) {
    const expected = templateParts[i]!;
    const actual = pathParts[i]!;
    const parameter = /^\{(\w+)\}$/.exec(expected);
    if (parameter) {
      if (actual === "") return null;
      try {
        parameters[parameter[1]!] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return parameters;
}

/** The route for a method and path; literal segments win over parameters, as in API Gateway. */
export function matchRoute<R extends RouteLike>(
  routes: readonly R[],
  method: string,
  path: string,
): { match: RouteMatch<R> | null; allowedMethods: string[] } {
  const candidates = routes
    .map((route) => ({ route, pathParameters: matchTemplate(route.path, path) }))
    .filter((candidate): candidate is RouteMatch<R> => candidate.pathParameters !== null)
    .sort((a, b) => Object.keys(a.pathParameters).length - Object.keys(b.pathParameters).length);
  const allowedMethods = [...new Set(candidates.map((candidate) => candidate.route.method))];
  const match = candidates.find((candidate) => candidate.route.method === method.toUpperCase()) ?? null;
  return { match, allowedMethods };
}
