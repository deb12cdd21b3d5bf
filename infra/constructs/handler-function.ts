import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { RouteDefinition } from "../../shared/api/route";
import { bundleFunctionSync, type FunctionBundle, projectRoot, type RunTimeFiles } from "../bundling";
import { DEFAULT_TIMEOUT_SECONDS } from "../routes";

export interface HandlerFunctionProps extends RunTimeFiles {
  /** The handler's file, relative to the repository root (a route's `entry`); it exports `handler`. */
  readonly entry: string;
  readonly environment: Record<string, string>;
  /** @default DEFAULT_TIMEOUT_SECONDS of infra/routes.ts, which the local host enforces too */
  readonly timeoutSeconds?: number;
}

/**
 * One Lambda function for one handler, the same settings for all of them: Node.js 24 on arm64 (Graviton:
 * about 20% cheaper per GB-second than x86 for the same work), bundled by the local esbuild (no Docker) with the
 * options and the build that the bundle test and the cold-start benchmark run too (infra/bundling.ts),
 * its own log group with a retention, and its own role with no AWS managed policy: it may write its own
 * logs, plus what the stack grants it.
 */
export class HandlerFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      // Logs are diagnostics, not records: they go with the stack rather than linger unowned.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    logGroup.grantWrite(role);

    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Active tracing: Lambda grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no " +
        "resource-level permission: `*` is the only resource.",
    });
    this.fn = new LambdaFunction(this, "Function", {
      // The asset is the bundle's directory (index.mjs, its chunks and source maps, gzipped files), hashed by its
      // content: a change that leaves the bundle as it was deploys nothing.
      code: Code.fromAsset(projectRoot, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never run: the local build always succeeds or throws (esbuild is a devDependency, no Docker needed).
          image: DockerImage.fromRegistry("unused-local-bundling"),
          local: new LocalBundle(props),
        },
      }),
      handler: "index.handler",
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // Lambda allots CPU in proportion to memory: 512 MB roughly halves cold starts (module parsing of the
      // bundled SDK, zod schemas) against 128 MB, at a per-request cost that stays small for I/O-bound handlers.
      memorySize: 512,
      timeout: Duration.seconds(props.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      role,
      logGroup,
      // Lambda's own X-Ray segments (init, invocation, overhead) at no import cost. The X-Ray SDK (Powertools
      // Tracer) would add the DynamoDB calls as subsegments, but costs 1.6 × the floor's import time
      // (docs/performance.md, part 6): over the bar of 1.25.
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment, NODE_OPTIONS: "--enable-source-maps" },
    });
  }
}

/**
 * The CDK's local bundling of one function: infra/bundling.ts's build into the asset's output directory. Its fields
 * are part of the CDK's cache key of the asset, so two functions never share one.
 */
class LocalBundle implements ILocalBundling {
  readonly entry: string;
  readonly gzippedFiles: NonNullable<RouteDefinition["gzippedFiles"]>;
  readonly readsApiDescription: boolean;

  constructor(fn: FunctionBundle) {
    this.entry = fn.entry;
    this.gzippedFiles = fn.gzippedFiles ?? [];
    this.readsApiDescription = fn.readsApiDescription ?? false;
  }

  tryBundle(outputDir: string): boolean {
    bundleFunctionSync(
      {
        entry: this.entry,
        gzippedFiles: this.gzippedFiles,
        ...(this.readsApiDescription ? { readsApiDescription: true as const } : {}),
      },
      outputDir,
    );
    return true;
  }
}
