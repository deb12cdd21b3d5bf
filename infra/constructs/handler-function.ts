import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type ICommandHooks, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { lambdaBundling, runTimeFileCommands, type RunTimeFiles } from "../bundling";
import { DEFAULT_TIMEOUT_SECONDS } from "../routes";

/** The repository root: route entries are relative to it, and its lock file pins what esbuild bundles. */
const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface HandlerFunctionProps extends RunTimeFiles {
  /** The handler's file, relative to the repository root (a route's `entry`); it exports `handler`. */
  readonly entry: string;
  readonly environment: Record<string, string>;
  /** @default DEFAULT_TIMEOUT_SECONDS of infra/routes.ts, which the local host enforces too */
  readonly timeoutSeconds?: number;
}

/**
 * One Lambda function for one handler, the same settings for all of them: Node.js 24 on arm64 (Graviton:
 * about 20% cheaper per GB-second than x86 for the same work), bundled by the local esbuild (no Docker),
 * its own log group with a retention, and its own role with no AWS managed policy: it may write its own
 * logs, plus what the stack grants it.
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;

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
    this.fn = new NodejsFunction(this, "Function", {
      entry: `${projectRoot}${props.entry}`,
      handler: "handler",
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
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
      bundling: {
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        mainFields: [...lambdaBundling.mainFields],
        minify: lambdaBundling.minify,
        sourceMap: lambdaBundling.sourceMap,
        sourcesContent: lambdaBundling.sourcesContent,
        banner: lambdaBundling.banner,
        // Bundle AWS SDK v3 too, instead of the runtime's copy: the version the tests ran against, pinned by
        // the lock file, not whatever the runtime ships that month; and tree-shaken, it loads faster.
        externalModules: [],
        ...(props.gzippedFiles?.length || props.readsApiDescription ? { commandHooks: writeBeside(props) } : {}),
      },
    });
  }
}

/** The files the handler reads at run time, written beside its bundle (gzip-compressed; the API's description). */
function writeBeside(files: RunTimeFiles): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => runTimeFileCommands(files, inputDir, outputDir),
  };
}
