import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct, type IConstruct } from "constructs";
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, type CorsSettings } from "../cors";
import type { RouteDefinition } from "../../shared/api/route";
import { routeName } from "../routes";

export interface RoutedApiProps {
  /** Every route (infra/routes.ts) with the function that serves it. */
  readonly routes: readonly { route: RouteDefinition; fn: IFunction }[];
  /** Serves `$default`: every request no route matches (404 / 405 in the contract's shape). */
  readonly fallback: IFunction;
  /** The JWT authorizer's issuer and accepted audiences (`aud`, or `client_id` in Cognito access tokens). */
  readonly jwtIssuer: string;
  readonly jwtAudience: string[];
  /** The stage's default route throttling: the API-wide guard the contract leaves to API Gateway. */
  readonly throttle: Required<ThrottleSettings>;
  /** CORS from CORS_ALLOWED_ORIGINS (infra/cors.ts); null: no CORS configuration at all. */
  readonly cors: CorsSettings | null;
}

/** API Gateway's CORS configuration: it then answers preflights itself and adds the headers to every answer. */
function corsPreflight(cors: CorsSettings): CorsPreflightOptions {
  return {
    allowOrigins: [...cors.allowOrigins],
    allowMethods: cors.allowMethods.map((method) => CorsHttpMethod[method]),
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
  };
}

// One JSON line per request; the caller's `sub` (when a JWT was verified) ties a request to an account.
const accessLogFields = {
  requestId: "$context.requestId",
  time: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  method: "$context.httpMethod",
  path: "$context.path",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationStatus: "$context.integrationStatus",
  integrationLatencyMs: "$context.integrationLatency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  sub: "$context.authorizer.claims.sub",
};

/** The HTTP API: one route per route-table entry, JWT-guarded where the table says so, and a `$default`. */
export class RoutedApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: RoutedApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, "Api", {
      description: "Trading community API (contract: api-contract.md, version 1).",
      // Our own stage below, because the default one takes no throttling or access-log settings.
      createDefaultStage: false,
      ...(props.cors ? { corsPreflight: corsPreflight(props.cors) } : {}),
    });

    const authorizer = new HttpJwtAuthorizer("CognitoJwt", props.jwtIssuer, { jwtAudience: props.jwtAudience });
    for (const { route, fn } of props.routes) {
      const created = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(routeName(route), fn),
        // Public routes get no authorizer: their handler verifies an optional token itself (contract: Identity).
        ...(route.auth === "required" ? { authorizer } : {}),
      });
      if (route.auth === "optional") {
        for (const construct of created) acknowledgePublic(construct, `${route.method} ${route.path}`);
      }
    }

    const fallbackRoute = new HttpRoute(this, "DefaultRoute", {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration("RouteNotFound", props.fallback),
    });
    Validations.of(fallbackRoute).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "$default only answers requests that match no route, with 404 not_found or 405 (contract), and reads " +
        "no data; an authorizer would turn those answers into 401 for anonymous callers.",
    });

    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
  }
}

/** cdk-nag's APIG4 asks every route for an authorizer; these routes are public by contract. */
function acknowledgePublic(route: IConstruct, routeKey: string): void {
  Validations.of(route).acknowledge({
    id: "AwsSolutions-APIG4",
    reason:
      `${routeKey} is public in the API contract: anonymous callers may use it, and its handler verifies a ` +
      "token when one is sent (invalid -> 401), so an authorizer would wrongly reject anonymous callers.",
  });
}
