import { handle } from "hono/aws-lambda";
import { webDeps } from "../aws/sending";
import { createApp } from "../http/app";
import { installLightFetch } from "../http/light-fetch";

/**
 * API Gateway HTTP API (payload 2.0) -> the hono app. Configuration and keys are read once,
 * here, at cold start; the app maps every error to a response in its one `onError`.
 */
// Before any request: hono and its Lambda adapter then use the light fetch classes.
installLightFetch();
export const handler = handle(createApp(await webDeps()));
