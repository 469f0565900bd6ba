import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * SDK clients, one per Lambda instance, made on first use so a function only builds the ones
 * it needs. Region and endpoints come from the standard AWS environment (AWS_REGION,
 * AWS_ENDPOINT_URL_<SERVICE>), which the bundle tests point at the local emulators.
 */
const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

export const dynamoDoc = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);
export const sesClient = once(() => new SESv2Client({}));
export const sqsClient = once(() => new SQSClient({}));
export const secretsClient = once(() => new SecretsManagerClient({}));
