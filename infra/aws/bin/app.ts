import { join } from "node:path";
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadCourse } from "../../../functions/core/content";
import { CONTEXT_KEY, DeployConfigError, readConfig, stackName } from "../config";
import { PROJECT_ROOT } from "../constructs/app-function";
import { HealthyHipsStack } from "../stack";

/**
 * `npx cdk synth|deploy`: the funnel as one stack per stage (`HealthyHips-<stage>`, stage from
 * HH_STAGE or context, `prod` by default). Values come from cdk.json context (`healthyHips`)
 * or HH_* environment variables; cdk-nag's AwsSolutions pack checks every synth, and an
 * unacknowledged finding fails it. The guide PDF is built first (cdk.json "build").
 */
const app = new App();
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(app.node.tryGetContext(CONTEXT_KEY));
} catch (e) {
  if (!(e instanceof DeployConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
// The construct id is the stage's stack name: names CDK derives from it (CloudFront
// functions are named account-wide) differ between stages too.
const stack = new HealthyHipsStack(app, stackName(config.stage), {
  description: `Healthy Hips email funnel (${config.stage})`,
  // Unset: the profile's region, as for every CDK app; set: this stage always goes there.
  env: config.region ? { region: config.region } : undefined,
  config,
  assetsDir: join(PROJECT_ROOT, "dist/assets"),
  mediaDir: join(PROJECT_ROOT, "content/media"),
  sequencePaused: loadCourse(join(PROJECT_ROOT, "content")).funnel.sequence.paused ?? false,
});
Tags.of(stack).add("healthy-hips:stage", config.stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
