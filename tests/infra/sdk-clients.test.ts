import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { dynamoDoc, lambdaClientConfig } from "../../functions/aws/clients";
import { secretsClient } from "../../functions/aws/secrets";
import { sesClient } from "../../functions/aws/ses";
import { sqsClient } from "../../functions/aws/sqs";

/** The variables Lambda sets for every function that the SDK reads. */
const LAMBDA = {
  AWS_REGION: "eu-west-2",
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: "token",
};

const dir = mkdtempSync(join(tmpdir(), "sdk-clients-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The settings a client resolves that {@link lambdaClientConfig} gives, as the client sees them. */
type Resolved = Record<string, unknown>;
async function resolved(client: { config: object }, extra: string[] = []): Promise<Resolved> {
  const config = client.config as Record<string, unknown>;
  const names = [
    "region",
    "maxAttempts",
    "retryMode",
    "useFipsEndpoint",
    "useDualstackEndpoint",
    "userAgentAppId",
    "defaultsMode",
    "disableClockSkewCorrection",
    ...extra,
  ];
  const out: Resolved = {};
  for (const name of names) {
    const value = config[name];
    out[name] = typeof value === "function" ? await value() : value;
  }
  const { accessKeyId, secretAccessKey, sessionToken } = await (
    config.credentials as () => Promise<Record<string, string>>
  )();
  out.credentials = { accessKeyId, secretAccessKey, sessionToken };
  out.authSchemePreference = await (config.authSchemePreference as () => Promise<unknown>)();
  return out;
}

/** Each client the functions build (made on first use, here under Lambda's environment), and the stock one. */
const CLIENTS = [
  ["DynamoDB", dynamoDoc, () => new DynamoDBClient({}), ["accountIdEndpointMode"]],
  ["SQS", sqsClient, () => new SQSClient({}), []],
  // One attempt per call, on purpose (./ses.ts).
  ["SES v2", sesClient, () => new SESv2Client({ maxAttempts: 1 }), []],
  ["Secrets Manager", secretsClient, () => new SecretsManagerClient({}), []],
] as const;

describe("SDK clients on Lambda (lambdaClientConfig)", () => {
  const saved = { ...process.env };
  let n = 0;
  /** A process environment as Lambda's, with the SDK's config files at `files` (fresh paths). */
  const lambdaEnv = (more: Record<string, string> = {}) => {
    n += 1;
    for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
    Object.assign(process.env, LAMBDA, {
      // Lambda runs a Node the SDK supports; its notice about older ones is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_CONFIG_FILE: join(dir, `config-${n}`),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, `credentials-${n}`),
      ...more,
    });
    return { config: join(dir, `config-${n}`), credentials: join(dir, `credentials-${n}`) };
  };
  beforeEach(() => lambdaEnv());
  afterEach(() => {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  for (const [name, ours, stockClient, extra] of CLIENTS) {
    it(`${name}: resolves every setting as a stock client does where no config file exists (Lambda)`, async () => {
      const stock = await resolved(stockClient(), [...extra]);
      const lean = await resolved(ours(), [...extra]);
      expect(lean).toEqual(stock);
      expect(lean.region).toBe("eu-west-2");
      expect(lean.credentials).toEqual({
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "secret",
        sessionToken: "token",
      });
    });
  }

  it("reads no config file: a profile's settings there do not reach the client", async () => {
    const files = lambdaEnv();
    writeFileSync(files.config, "[default]\nmax_attempts = 7\nretry_mode = adaptive\n");
    // The stock client reads the file; the one built for Lambda does not look.
    expect(await resolved(new SQSClient({}))).toMatchObject({ maxAttempts: 7 });
    expect(await resolved(new SQSClient(lambdaClientConfig()))).toMatchObject({
      maxAttempts: 3,
      retryMode: "standard",
    });
  });

  it("leaves a setting the environment sets to the SDK, which reads the variable", async () => {
    lambdaEnv({ AWS_MAX_ATTEMPTS: "5", AWS_RETRY_MODE: "adaptive" });
    const config = lambdaClientConfig();
    expect(config).not.toHaveProperty("maxAttempts");
    expect(config).not.toHaveProperty("retryMode");
    expect(await resolved(new SQSClient(config))).toMatchObject({
      maxAttempts: 5,
      retryMode: "adaptive",
    });
  });

  it("gives nothing without Lambda's region and credentials, or with a profile named", () => {
    expect(lambdaClientConfig(3, {})).toEqual({});
    expect(lambdaClientConfig(3, { ...LAMBDA, AWS_REGION: "" })).toEqual({});
    expect(lambdaClientConfig(3, { AWS_REGION: "eu-west-2" })).toEqual({});
    expect(lambdaClientConfig(3, { ...LAMBDA, AWS_PROFILE: "dev" })).toEqual({});
    expect(lambdaClientConfig(3, LAMBDA)).toMatchObject({ region: "eu-west-2" });
  });
});
