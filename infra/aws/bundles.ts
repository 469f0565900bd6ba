import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { CONTEXT_KEY, type DeployConfig, readConfig } from "./config";
import { type HandlerName, PROJECT_ROOT } from "./constructs/app-function";
import { HealthyHipsStack } from "./stack";

/** The context block of cdk.json (feature flags and the deployment's values). */
export function cdkContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** A stand-in for the built guide, for synths that do not deploy (tests, size reports). */
export function placeholderAssets(dir: string): string {
  mkdirSync(join(dir, "guide"), { recursive: true });
  writeFileSync(join(dir, "guide", "placeholder.pdf"), "%PDF-1.4\n%%EOF\n");
  return dir;
}

export interface SynthOptions {
  /** Where the cloud assembly (and so each bundled asset directory) is written. */
  outdir: string;
  assetsDir: string;
  config?: DeployConfig;
}

/**
 * Synthesises the real stack with bundling on, exactly as `cdk synth` does, and returns each
 * function's bundle directory (`index.mjs` plus the compiled `course.json` where used).
 */
export function synthBundles(opts: SynthOptions): Record<HandlerName, string> {
  const context = cdkContext();
  // Only the bundles are wanted: CloudFormation's template checks run in `cdk synth`.
  const app = new App({ outdir: opts.outdir, context, builtinCloudFormationValidation: false });
  const stack = new HealthyHipsStack(app, "HealthyHips", {
    config: opts.config ?? readConfig(context[CONTEXT_KEY], {}),
    assetsDir: opts.assetsDir,
    mediaDir: join(PROJECT_ROOT, "content/media"),
  });
  app.synth();
  const dirs = {} as Record<HandlerName, string>;
  for (const [name, fn] of Object.entries(stack.functions) as [HandlerName, NodejsFunction][]) {
    const cfn = fn.node.defaultChild as CfnFunction;
    const code = Stack.of(fn).resolve(cfn.code) as { s3Key: string };
    dirs[name] = join(opts.outdir, `asset.${code.s3Key.replace(/\.zip$/, "")}`);
  }
  return dirs;
}
