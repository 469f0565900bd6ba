import { fileURLToPath } from "node:url";
import { type CfnElement, Duration, Stack, Validations } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct, IConstruct } from "constructs";
import type { EnvName } from "../../../functions/aws/env";

/** The repository root: entries, the lock file and `content/` are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** One entry file per Lambda in functions/handlers/. */
export type HandlerName = "web" | "dispatch" | "send" | "feedback";

export const RUNTIME = Runtime.NODEJS_24_X;
export const ARCHITECTURE = Architecture.ARM_64;
export const LOG_RETENTION = RetentionDays.THREE_MONTHS;

/** ESM bundles pull CommonJS dependencies (react-dom/server, gray-matter) that call require. */
export const ESM_REQUIRE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

/** What of `content/` a function reads at runtime (`loadCourse`): never the guide or media. */
const COURSE_FILES = ["funnel.yaml", "emails", "lessons"];

/**
 * esbuild settings for every function: ESM, minified, AWS SDK left to the runtime, bundled
 * locally with the project's esbuild (no Docker). With `withContent`, the course files are
 * copied next to `index.mjs`, where functions/aws/wiring.ts reads them.
 */
export function bundling(withContent: boolean): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: false,
    target: "node24",
    mainFields: ["module", "main"],
    banner: ESM_REQUIRE_BANNER,
    // The runtime provides the AWS SDK v3. prettier is only imported by react-email's
    // render({ pretty: true }), which the mail code never asks for (saves ~250 KB).
    externalModules: ["@aws-sdk/*", "prettier"],
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) =>
        withContent
          ? [
              `mkdir -p "${outputDir}/content"`,
              `cp -R ${COURSE_FILES.map((f) => `"${inputDir}/content/${f}"`).join(" ")} "${outputDir}/content/"`,
            ]
          : [],
    },
  };
}

export interface AppFunctionProps {
  handler: HandlerName;
  description: string;
  /** Whether the function reads `content/` (renders pages or emails). */
  withContent: boolean;
  memorySize?: number;
  timeout?: Duration;
}

/**
 * A Lambda from functions/handlers/<name>.ts: Node 24 on arm64, its own log group with a
 * retention, Powertools logging named after the handler. Permissions and environment come
 * only from the constructs' `bind*` calls.
 */
export function appFunction(scope: Construct, id: string, props: AppFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: LOG_RETENTION });
  const fn = new NodejsFunction(scope, id, {
    entry: `${PROJECT_ROOT}functions/handlers/${props.handler}.ts`,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
    description: props.description,
    runtime: RUNTIME,
    architecture: ARCHITECTURE,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(10),
    logGroup,
    bundling: bundling(props.withContent),
    environment: {
      POWERTOOLS_SERVICE_NAME: `healthy-hips-${props.handler}`,
      POWERTOOLS_LOG_LEVEL: "INFO",
    },
  });
  Validations.of(fn).acknowledge({
    id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    reason:
      "The basic execution role only lets the function write to its own log group; everything else is granted by bind* calls.",
  });
  return fn;
}

/** The logical id of a construct's CloudFormation resource, as cdk-nag names it in findings. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).getLogicalId(resource);
}

/** Sets one of the variables functions/aws/env.ts reads; a typo fails type-checking. */
export function setEnv(fn: NodejsFunction, name: EnvName, value: string): void {
  fn.addEnvironment(name, value);
}
