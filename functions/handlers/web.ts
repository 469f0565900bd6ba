import { handle } from "hono/aws-lambda";
import { webDeps } from "../aws/sending";
import { createApp } from "../http/app";

/**
 * API Gateway HTTP API (payload 2.0) -> the hono app. Configuration and keys are read once,
 * here, at cold start; the app maps every error to a response in its one `onError`.
 */
export const handler = handle(createApp(await webDeps()));
