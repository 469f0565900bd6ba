import type { Recorded } from "./recorded";

/**
 * Replies shaped exactly as the services send them (the AWS API references' response
 * syntax): SES v2 and ACM answer JSON, CloudFormation, SNS and STS answer query-protocol XML.
 * Each builder takes the few values a test varies.
 */
export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const DOMAIN = "hips.example";
export const DKIM_TOKENS = [
  "vvjuipp74whm76gqoni7qmwwn4w4qusj",
  "35u3tl2ncdnnbitdtpyeb2mcq7qefgkt",
  "wahg3e2sfmpgmf6hbpmgukb5dj2cpq5n",
];
export const CONFIGURATION_SET = "MailConfigurationSet2AA84368-4sdTqbkLKfve";
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:HealthyHips-prod-AlarmsTopic7D5E4A51-Xq1pN0vVUZ3g`;
export const DISTRIBUTION = "d1f2ex4mpl3abc.cloudfront.net";
export const CERTIFICATE_ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0b1f5c7e-3a51-4d2e-9c3b-8e7f6a5d4c3b`;
const REQUEST_ID = "c2b7d8a6-5e4f-4a3b-9c1d-0e9f8a7b6c5d";

const json = (status: number, body: unknown, errorType?: string): Recorded => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/json",
  headers: errorType ? { "x-amzn-errortype": errorType } : undefined,
});

// --- STS -------------------------------------------------------------------------------
export const callerIdentity = (arn = `arn:aws:iam::${ACCOUNT}:user/clara`): Recorded => ({
  status: 200,
  body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${arn}</Arn>
    <UserId>AIDASAMPLEUSERID1234</UserId>
    <Account>${ACCOUNT}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>`,
});

export const stsError = (code: string, message: string): Recorded => ({
  status: 403,
  body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>${REQUEST_ID}</RequestId>
</ErrorResponse>`,
});

// --- SES v2 ----------------------------------------------------------------------------
export interface AccountShape {
  production?: boolean;
  sendingEnabled?: boolean;
  enforcement?: string;
  max24?: number;
  sent24?: number;
  rate?: number;
}
export const account = (a: AccountShape = {}): Recorded =>
  json(200, {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      ContactLanguage: "EN",
      MailType: "MARKETING",
      ReviewDetails: { CaseId: "172345678900001", Status: "GRANTED" },
      UseCaseDescription: "Course emails to people who signed up and confirmed.",
      WebsiteURL: "https://yoga.hips.example",
    },
    EnforcementStatus: a.enforcement ?? "HEALTHY",
    ProductionAccessEnabled: a.production ?? true,
    SendQuota: {
      Max24HourSend: a.max24 ?? 50000.0,
      MaxSendRate: a.rate ?? 14.0,
      SentLast24Hours: a.sent24 ?? 812.0,
    },
    SendingEnabled: a.sendingEnabled ?? true,
    SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
  });

export interface IdentityShape {
  verification?: string;
  dkim?: string;
  signing?: boolean;
  mailFrom?: string | null;
  mailFromStatus?: string;
}
export const emailIdentity = (i: IdentityShape = {}): Recorded =>
  json(200, {
    ConfigurationSetName: CONFIGURATION_SET,
    DkimAttributes: {
      CurrentSigningKeyLength: "RSA_2048_BIT",
      LastKeyGenerationTimestamp: 1764492764.0,
      NextSigningKeyLength: "RSA_2048_BIT",
      SigningAttributesOrigin: "AWS_SES",
      SigningEnabled: i.signing ?? true,
      Status: i.dkim ?? "SUCCESS",
      Tokens: DKIM_TOKENS,
    },
    FeedbackForwardingStatus: true,
    IdentityType: "DOMAIN",
    MailFromAttributes:
      i.mailFrom === null
        ? undefined
        : {
            BehaviorOnMxFailure: "USE_DEFAULT_VALUE",
            MailFromDomain: i.mailFrom ?? `mail.${DOMAIN}`,
            MailFromDomainStatus: i.mailFromStatus ?? "SUCCESS",
          },
    Policies: {},
    Tags: [],
    VerificationInfo: {
      LastCheckedTimestamp: 1764579164.0,
      LastSuccessTimestamp: 1764579164.0,
    },
    VerificationStatus: i.verification ?? "SUCCESS",
    VerifiedForSendingStatus: (i.verification ?? "SUCCESS") === "SUCCESS",
  });

export const sesNotFound = (message: string): Recorded =>
  json(404, { message }, "NotFoundException:http://internal.amazon.com/coral/com.amazonaws.sesv2/");

export const configurationSet = (
  reasons: string[] = ["BOUNCE", "COMPLAINT"],
  sendingEnabled = true,
): Recorded =>
  json(200, {
    ConfigurationSetName: CONFIGURATION_SET,
    DeliveryOptions: { TlsPolicy: "OPTIONAL" },
    ReputationOptions: { LastFreshStart: 1764492764.0, ReputationMetricsEnabled: true },
    SendingOptions: { SendingEnabled: sendingEnabled },
    SuppressionOptions: { SuppressedReasons: reasons },
    Tags: [],
    TrackingOptions: undefined,
  });

// --- CloudFormation --------------------------------------------------------------------
const CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
export const stackOutputs = (siteUrl = `https://${DISTRIBUTION}`): Record<string, string> => ({
  SiteUrl: siteUrl,
  OriginSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:WebOriginSecret2E613EFE-Ab12Cd`,
  DistributionId: "E2X4MPL3ABCDEF",
  TableName: "HealthyHips-prod-SubscribersTable4C7B2B8A-1UKQ2Z6W1X5YV",
  DistributionDomain: DISTRIBUTION,
  ConfigurationSetName: CONFIGURATION_SET,
  AlarmTopicArn: TOPIC_ARN,
});

export const describeStacks = (
  name: string,
  status = "UPDATE_COMPLETE",
  outputs: Record<string, string> = stackOutputs(),
): Recorded => ({
  status: 200,
  body: `<DescribeStacksResponse xmlns="${CFN_NS}">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackName>${name}</StackName>
        <StackId>arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/7f3a9b20-ce61-11f0-9b1e-0a1b2c3d4e5f</StackId>
        <Description>Healthy Hips email funnel (prod)</Description>
        <CreationTime>2026-11-28T09:12:44.023Z</CreationTime>
        <LastUpdatedTime>2026-12-01T17:40:02.511Z</LastUpdatedTime>
        <StackStatus>${status}</StackStatus>
        <DisableRollback>false</DisableRollback>
        <NotificationARNs/>
        <Capabilities><member>CAPABILITY_IAM</member><member>CAPABILITY_NAMED_IAM</member></Capabilities>
        <Outputs>${Object.entries(outputs)
          .map(
            ([k, v]) =>
              `
          <member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`,
          )
          .join("")}
        </Outputs>
        <Tags><member><Key>healthy-hips:stage</Key><Value>prod</Value></member></Tags>
        <EnableTerminationProtection>false</EnableTerminationProtection>
        <DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</DescribeStacksResponse>`,
});

export const stackMissing = (name: string): Recorded => ({
  status: 400,
  body: `<ErrorResponse xmlns="${CFN_NS}">
  <Error>
    <Type>Sender</Type>
    <Code>ValidationError</Code>
    <Message>Stack with id ${name} does not exist</Message>
  </Error>
  <RequestId>${REQUEST_ID}</RequestId>
</ErrorResponse>`,
});

/** ListStackResources: one page holding these logical ids (secrets typed as such). */
export const stackResources = (logicalIds: string[]): Recorded => ({
  status: 200,
  body: `<ListStackResourcesResponse xmlns="${CFN_NS}">
  <ListStackResourcesResult>
    <StackResourceSummaries>${logicalIds
      .map(
        (id) => `
      <member>
        <LogicalResourceId>${id}</LogicalResourceId>
        <PhysicalResourceId>${id}-physical</PhysicalResourceId>
        <ResourceType>${id.startsWith("Keys") ? "AWS::SecretsManager::Secret" : "AWS::DynamoDB::Table"}</ResourceType>
        <LastUpdatedTimestamp>2026-12-01T17:40:02.511Z</LastUpdatedTimestamp>
        <ResourceStatus>UPDATE_COMPLETE</ResourceStatus>
      </member>`,
      )
      .join("")}
    </StackResourceSummaries>
  </ListStackResourcesResult>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</ListStackResourcesResponse>`,
});

// --- Secrets Manager -------------------------------------------------------------------
const SM_JSON = "application/x-amz-json-1.1";
export const secretArn = (name: string) =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-Xy12Ab`;

/** DescribeSecret of the keys secret (never its value), optionally scheduled for deletion. */
export const describeSecret = (name: string, deletedDate?: number): Recorded => ({
  status: 200,
  contentType: SM_JSON,
  body: JSON.stringify({
    ARN: secretArn(name),
    Name: name,
    Description: "Healthy Hips (HealthyHips-prod): the link-signing key and the subscriber-id key",
    LastChangedDate: 1764580800,
    ...(deletedDate ? { DeletedDate: deletedDate } : {}),
  }),
});

export const secretMissing = (): Recorded => ({
  status: 400,
  contentType: SM_JSON,
  body: JSON.stringify({
    __type: "ResourceNotFoundException",
    Message: "Secrets Manager can't find the specified secret.",
  }),
});

/** ListSecrets: secrets with CloudFormation's tags (stack name, logical id). */
export const listSecrets = (
  secrets: { name: string; stack: string; logicalId: string }[],
): Recorded => ({
  status: 200,
  contentType: SM_JSON,
  body: JSON.stringify({
    SecretList: secrets.map((s) => ({
      ARN: secretArn(s.name),
      Name: s.name,
      Tags: [
        { Key: "aws:cloudformation:stack-name", Value: s.stack },
        { Key: "aws:cloudformation:logical-id", Value: s.logicalId },
        {
          Key: "aws:cloudformation:stack-id",
          Value: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${s.stack}/x`,
        },
      ],
    })),
  }),
});

// --- SNS -------------------------------------------------------------------------------
export const subscriptions = (
  subs: { endpoint: string; pending?: boolean; protocol?: string }[],
): Recorded => ({
  status: 200,
  body: `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ListSubscriptionsByTopicResult>
    <Subscriptions>${subs
      .map(
        (s, i) => `
      <member>
        <TopicArn>${TOPIC_ARN}</TopicArn>
        <Protocol>${s.protocol ?? "email"}</Protocol>
        <SubscriptionArn>${s.pending ? "PendingConfirmation" : `${TOPIC_ARN}:0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f${i}`}</SubscriptionArn>
        <Owner>${ACCOUNT}</Owner>
        <Endpoint>${s.endpoint}</Endpoint>
      </member>`,
      )
      .join("")}
    </Subscriptions>
  </ListSubscriptionsByTopicResult>
  <ResponseMetadata>
    <RequestId>${REQUEST_ID}</RequestId>
  </ResponseMetadata>
</ListSubscriptionsByTopicResponse>`,
});

// --- ACM -------------------------------------------------------------------------------
export interface CertificateShape {
  domain?: string;
  status?: string;
  notAfter?: number;
  type?: string;
  renewal?: string;
}
export const certificate = (c: CertificateShape = {}): Recorded => {
  const domain = c.domain ?? "yoga.hips.example";
  return json(200, {
    Certificate: {
      CertificateArn: CERTIFICATE_ARN,
      DomainName: domain,
      SubjectAlternativeNames: [domain],
      DomainValidationOptions: [
        {
          DomainName: domain,
          ValidationDomain: domain,
          ValidationStatus: c.status === "PENDING_VALIDATION" ? "PENDING_VALIDATION" : "SUCCESS",
          ResourceRecord: {
            Name: `_3b7e9f1c2a4d6e8f0a1b2c3d4e5f6a7b.${domain}.`,
            Type: "CNAME",
            Value: "_9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f.xlfgrmvvlj.acm-validations.aws.",
          },
          ValidationMethod: "DNS",
        },
      ],
      Serial: "0f:3a:9b:2c:11:7d:45:6e:a8:0b:91:c4:de:22:53:f7",
      Subject: `CN=${domain}`,
      Issuer: "Amazon",
      CreatedAt: 1764320000.0,
      IssuedAt: c.status === "PENDING_VALIDATION" ? undefined : 1764320400.0,
      Status: c.status ?? "ISSUED",
      NotBefore: 1764288000.0,
      NotAfter: c.notAfter ?? 1798588799.0,
      KeyAlgorithm: "RSA-2048",
      SignatureAlgorithm: "SHA256WITHRSA",
      InUseBy: [],
      Type: c.type ?? "AMAZON_ISSUED",
      KeyUsages: [{ Name: "DIGITAL_SIGNATURE" }, { Name: "KEY_ENCIPHERMENT" }],
      ExtendedKeyUsages: [
        { Name: "TLS_WEB_SERVER_AUTHENTICATION", OID: "1.3.6.1.5.5.7.3.1" },
        { Name: "TLS_WEB_CLIENT_AUTHENTICATION", OID: "1.3.6.1.5.5.7.3.2" },
      ],
      RenewalEligibility: c.renewal ?? "ELIGIBLE",
      Options: { CertificateTransparencyLoggingPreference: "ENABLED" },
    },
  });
};

export const acmNotFound = (): Recorded =>
  json(
    400,
    {
      __type: "ResourceNotFoundException",
      message: `Could not find certificate ${CERTIFICATE_ARN}.`,
    },
    "ResourceNotFoundException",
  );
