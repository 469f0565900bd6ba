import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * SDK clients, one per Lambda instance, made on first use so a function only builds the ones
 * it needs. Each service's client lives in its own module (./sqs.ts, ./ses.ts, ./secrets.ts)
 * because an imported SDK package is loaded at cold start even when nothing calls it: a
 * function's bundle imports only the SDK packages it calls. Each is built with
 * {@link lambdaClientConfig}. Endpoints come from the standard AWS environment
 * (AWS_ENDPOINT_URL_<SERVICE>), which the bundle tests point at the local emulators.
 */
export const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/**
 * Settings the SDK looks up in the environment, then in its shared config files, then takes
 * its default: the variable that sets each, the client option, and the SDK's default (a
 * provider where the default is "none", which an option cannot say otherwise).
 */
const SDK_DEFAULTS: [variable: string, option: string, value: unknown][] = [
  ["AWS_DEFAULTS_MODE", "defaultsMode", "legacy"],
  ["AWS_MAX_ATTEMPTS", "maxAttempts", 3],
  ["AWS_RETRY_MODE", "retryMode", "standard"],
  ["AWS_USE_FIPS_ENDPOINT", "useFipsEndpoint", false],
  ["AWS_USE_DUALSTACK_ENDPOINT", "useDualstackEndpoint", false],
  ["AWS_SDK_UA_APP_ID", "userAgentAppId", async () => undefined],
  ["AWS_AUTH_SCHEME_PREFERENCE", "authSchemePreference", []],
  ["AWS_SIGV4A_SIGNING_REGION_SET", "sigv4aSigningRegionSet", []],
  ["AWS_DISABLE_CLOCK_SKEW_CORRECTION", "disableClockSkewCorrection", false],
  ["AWS_ACCOUNT_ID_ENDPOINT_MODE", "accountIdEndpointMode", "preferred"],
];

/**
 * What a client would find by itself on Lambda, given to it so that its first request does
 * not go looking (a cold start's cost): the region and the execution role's credentials from
 * the variables Lambda sets (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), which the SDK's default chain would read first anyway; and the SDK's
 * defaults for the settings no variable sets, which it would otherwise look for in shared
 * config files that a Lambda instance does not have. A setting the environment does set is
 * left to the SDK to read. Without that region and those credentials, or with a profile named,
 * it gives nothing and the SDK resolves everything itself, config files included (a process
 * run with a developer's profile). `maxAttempts` is the client's own default (DynamoDB's is 4).
 * @example new SQSClient(lambdaClientConfig())
 */
export function lambdaClientConfig(
  maxAttempts = 3,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = env;
  if (!AWS_REGION || !AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY || env.AWS_PROFILE) return {};
  const config: Record<string, unknown> = {
    region: AWS_REGION,
    credentials: {
      accessKeyId: AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
      ...(env.AWS_CREDENTIAL_EXPIRATION && {
        expiration: new Date(env.AWS_CREDENTIAL_EXPIRATION),
      }),
      ...(env.AWS_CREDENTIAL_SCOPE && { credentialScope: env.AWS_CREDENTIAL_SCOPE }),
      ...(env.AWS_ACCOUNT_ID && { accountId: env.AWS_ACCOUNT_ID }),
    },
  };
  for (const [variable, option, value] of SDK_DEFAULTS) {
    if (!env[variable]) config[option] = option === "maxAttempts" ? maxAttempts : value;
  }
  return config;
}

export const dynamoDoc = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient(lambdaClientConfig(4)), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);
