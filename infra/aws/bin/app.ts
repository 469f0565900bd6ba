import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { CONTEXT_KEY, DeployConfigError, readConfig } from "../config";
import { PROJECT_ROOT } from "../constructs/app-function";
import { HealthyHipsStack } from "../stack";

/**
 * `npx cdk synth|deploy`: the funnel as one stack. Values come from cdk.json context
 * (`healthyHips`) or HH_* environment variables; cdk-nag's AwsSolutions pack checks every
 * synth, and an unacknowledged finding fails it. The guide PDF is built first (cdk.json "build").
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
new HealthyHipsStack(app, "HealthyHips", {
  description: "Healthy Hips email funnel",
  config,
  assetsDir: join(PROJECT_ROOT, "dist/assets"),
  mediaDir: join(PROJECT_ROOT, "content/media"),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
