import { ACMClient } from "@aws-sdk/client-acm";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { answerWith, type Recorded, TEST_CREDENTIALS } from "./recorded";
import { REGION } from "./replies";

type Answers = Record<string, Recorded | ((input: unknown) => Recorded)>;
// Throttling and 5xx replies would be retried: one attempt keeps a broken answer a failure.
const options = (region = REGION) => ({ region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });

/** Real SDK clients whose commands are answered with recorded replies (see answerWith). */
export const clients = {
  sts: (answers: Answers) => {
    const c = new STSClient(options());
    answerWith(c, answers);
    return c;
  },
  ses: (answers: Answers) => {
    const c = new SESv2Client(options());
    answerWith(c, answers);
    return c;
  },
  cloudFormation: (answers: Answers) => {
    const c = new CloudFormationClient(options());
    answerWith(c, answers);
    return c;
  },
  secrets: (answers: Answers) => {
    const c = new SecretsManagerClient(options());
    answerWith(c, answers);
    return c;
  },
  sns: (answers: Answers) => {
    const c = new SNSClient(options());
    answerWith(c, answers);
    return c;
  },
  acm: (answers: Answers) => {
    const c = new ACMClient(options("us-east-1"));
    answerWith(c, answers);
    return c;
  },
};
