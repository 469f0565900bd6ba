import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * SDK clients, one per Lambda instance, made on first use so a function only builds the ones
 * it needs. Each service's client lives in its own module (./sqs.ts, ./ses.ts, ./secrets.ts)
 * because an imported SDK package is loaded at cold start even when nothing calls it: a
 * function's bundle imports only the SDK packages it calls. Region and endpoints come from the standard AWS environment (AWS_REGION,
 * AWS_ENDPOINT_URL_<SERVICE>), which the bundle tests point at the local emulators.
 */
export const once = <T>(make: () => T) => {
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
