import { handle } from "hono/aws-lambda";
import { adminDeps } from "../aws/admin-deps";
import { createAdminApp } from "../http/admin-app";

/**
 * API Gateway HTTP API (payload 2.0), routes `/admin` and `/admin/{proxy+}` -> the owner's
 * area. Behind the same CloudFront front door as the web function; read once at cold start.
 */
export const handler = handle(createAdminApp(await adminDeps()));
