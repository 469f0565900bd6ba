import { fileURLToPath } from "node:url";
import { type CfnElement, Duration, Stack, Validations } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct, IConstruct } from "constructs";
import type { EnvName } from "../../../functions/aws/env";
import { BUNDLE, type HandlerName } from "../bundle-budget";

/** The repository root: entries, the lock file and `content/` are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export type { HandlerName } from "../bundle-budget";

export const RUNTIME = Runtime.NODEJS_24_X;
export const ARCHITECTURE = Architecture.ARM_64;
export const LOG_RETENTION = RetentionDays.THREE_MONTHS;

/** The build step that compiles `content/` and the emails into `.build/course.json`. */
const COURSE_BUILD = "infra/build/course.ts";
const COURSE_JSON = ".build/course.json";

/**
 * esbuild settings for every function, bundled locally with the project's esbuild (no
 * Docker). With `withContent`, the compiled course (built first when missing or stale) is
 * copied next to `index.mjs`, where functions/aws/sending.ts reads it.
 */
export function bundling(withContent: boolean): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    minify: BUNDLE.minify,
    sourceMap: false,
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    externalModules: [...BUNDLE.external],
    define: BUNDLE.define,
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: (inputDir: string) =>
        withContent ? [`"${inputDir}/node_modules/.bin/tsx" "${inputDir}/${COURSE_BUILD}"`] : [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) =>
        withContent ? [`cp "${inputDir}/${COURSE_JSON}" "${outputDir}/course.json"`] : [],
    },
  };
}

export interface AppFunctionProps {
  handler: HandlerName;
  description: string;
  /** Whether the function reads the compiled course (renders pages or emails). */
  withContent: boolean;
  memorySize?: number;
  timeout?: Duration;
}

/**
 * A Lambda from functions/handlers/<name>.ts: Node 24 on arm64, its own log group with a
 * retention, JSON log lines named after the handler (SERVICE_NAME, LOG_LEVEL). Permissions
 * and environment come only from the constructs' `bind*` calls.
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
      SERVICE_NAME: `healthy-hips-${props.handler}`,
      LOG_LEVEL: "INFO",
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
