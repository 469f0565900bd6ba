import { Duration, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { appFunction, LOG_RETENTION } from "./app-function";

/** Requests per second the stage accepts, and the burst above it. */
export const WEB_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/**
 * Access log fields. No path, query or client address: links carry tokens in their path and
 * query, and addresses are personal data (the app logs route patterns only, for the same reason).
 */
const ACCESS_LOG = {
  requestId: "$context.requestId",
  time: "$context.requestTime",
  method: "$context.httpMethod",
  route: "$context.routeKey",
  status: "$context.status",
  bytes: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationError: "$context.integrationErrorMessage",
};

/**
 * The web: an HTTP API whose default route goes to the web Lambda (hono `handle`), with stage
 * throttling and JSON access logs. CloudFront sits in front (see Site).
 */
export class Web extends Construct {
  readonly webFunction: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.webFunction = appFunction(this, "Function", {
      handler: "web",
      description: "Pages, signup API and every link in an email (hono)",
      withContent: true,
      memorySize: 512,
      timeout: Duration.seconds(10),
    });
    this.api = new HttpApi(this, "Api", {
      description: "Healthy Hips web",
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration("Web", this.webFunction),
    });
    const accessLogs = new LogGroup(this, "AccessLogs", { retention: LOG_RETENTION });
    this.stage = new HttpStage(this, "Stage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: WEB_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG)),
      },
    });
    Validations.of(this.api).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "A public website: pages and the signup form need no sign-in; links are authorised by signed tokens.",
    });
  }
}
