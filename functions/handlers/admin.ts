import { handle } from "hono/aws-lambda";
import { adminDeps } from "../aws/admin-deps";
import { createAdminApp } from "../http/admin-app";
import { installLightFetch } from "../http/light-fetch";

/**
 * API Gateway HTTP API (payload 2.0), routes `/admin` and `/admin/{proxy+}` -> the owner's
 * area. Behind the same CloudFront front door as the web function; read once at cold start.
 */
// Before any request: hono and its Lambda adapter then use the light fetch classes.
installLightFetch();
export const handler = handle(createAdminApp(await adminDeps()));
