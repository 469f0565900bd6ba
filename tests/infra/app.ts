import { join } from "node:path";
import { App, type Environment } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { cdkContext } from "../../infra/aws/bundles";
import { type DeployConfig, stackName } from "../../infra/aws/config";
import { PROJECT_ROOT } from "../../infra/aws/constructs/app-function";
import { HealthyHipsStack } from "../../infra/aws/stack";
import { testAssetsDir } from "./setup";

export const TEST_CONFIG: DeployConfig = {
  stage: "prod",
  useExistingIdentity: false,
  domain: "hips.example",
  senderEmail: "hello@hips.example",
  senderName: "Clara · Healthy Hips",
  replyTo: "clara@hips.example",
  alarmEmail: "alarms@hips.example",
};

/**
 * The stack as `cdk synth` builds it (cdk.json's feature flags), with esbuild bundling and
 * CloudFormation's built-in template checks skipped to keep unit tests fast.
 */
export function testStack(
  config: Partial<DeployConfig> = {},
  env?: Environment,
  sequencePaused = false,
) {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...cdkContext(), "aws:cdk:bundling-stacks": [] },
  });
  const full = { ...TEST_CONFIG, ...config };
  // As infra/aws/bin/app.ts names it: the stage's stack name is the construct id.
  const stack = new HealthyHipsStack(app, stackName(full.stage), {
    config: full,
    env,
    assetsDir: testAssetsDir(),
    mediaDir: join(PROJECT_ROOT, "content/media"),
    sequencePaused,
  });
  return { app, stack, template: Template.fromStack(stack) };
}
