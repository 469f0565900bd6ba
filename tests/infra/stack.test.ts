import "./setup";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_ENV } from "../../functions/aws/env";
import { LEASE_MS } from "../../functions/aws/wiring";
import { retryCeiling } from "../../functions/core/backoff";
import { slotShares } from "../../functions/core/send-slots";
import type { Drip } from "../../infra/aws/constructs/drip";
import { tableDefinition } from "../../infra/local/table";
import { testStack } from "./app";

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let template: Template;
let resources: Resources;
let stack: ReturnType<typeof testStack>["stack"];

beforeAll(() => {
  ({ template, stack } = testStack());
  resources = template.toJSON().Resources as Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The one resource of a type: its logical id and properties. */
function single(type: string): [string, Record<string, unknown>] {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return [id, resource.Properties];
}
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

type FunctionName = keyof typeof stack.functions;
/** A function's CloudFormation properties. */
function propsOf(fn: FunctionName): Record<string, unknown> {
  const resource = resources[logicalId(stack.functions[fn])];
  if (!resource) throw new Error(`no resource for the ${fn} function`);
  return resource.Properties;
}
const envOf = (fn: FunctionName) =>
  (propsOf(fn).Environment as { Variables: Record<string, unknown> }).Variables;

/** The statements of the IAM policy attached to a function's role. */
function statementsOf(fnLogicalId: string) {
  const fn = resources[fnLogicalId]?.Properties as { Role: { "Fn::GetAtt": [string] } };
  const role = fn.Role["Fn::GetAtt"][0];
  const policies = ofType("AWS::IAM::Policy").filter(([, p]) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
  );
  return policies.flatMap(
    ([, p]) =>
      (
        p.Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: unknown }[];
        }
      ).Statement,
  );
}
const actionsOf = (fnLogicalId: string) =>
  statementsOf(fnLogicalId)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();

describe("subscriber table", () => {
  it("keeps subscribers: point-in-time recovery, deletion protection, retained on stack delete", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
  });

  it("is on demand, with TTL on expiresAt", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  it("has the same keys and sparse due index as the local table the tests run against", async () => {
    const local = tableDefinition("local");
    const aws = single("AWS::DynamoDB::Table")[1] as Partial<CreateTableCommandInput>;
    expect(aws.KeySchema).toEqual(local?.KeySchema);
    expect(aws.GlobalSecondaryIndexes).toEqual(local?.GlobalSecondaryIndexes);
    const attrs = (i?: Partial<CreateTableCommandInput>) =>
      [...(i?.AttributeDefinitions ?? [])].sort((a, b) =>
        String(a.AttributeName).localeCompare(String(b.AttributeName)),
      );
    expect(attrs(aws)).toEqual(attrs(local));
  });
});

describe("drip", () => {
  it("ticks the dispatcher every minute, without retries of stale ticks", () => {
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Target: {
        Arn: { "Fn::GetAtt": [logicalId(stack.functions.dispatch), "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        RoleArn: Match.anyValue(),
      },
    });
  });

  it("a dispatch that fails is not retried by Lambda: the next tick is the retry", () => {
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalId(stack.functions.dispatch) },
      MaximumRetryAttempts: 0,
    });
  });

  it("parks a job that failed five deliveries in the dead-letter queue", () => {
    const queues = ofType("AWS::SQS::Queue");
    const send = queues.find(([, q]) => q.Properties.RedrivePolicy);
    const redrive = send?.[1].Properties.RedrivePolicy as {
      deadLetterTargetArn: { "Fn::GetAtt": [string] };
      maxReceiveCount: number;
    };
    expect(redrive.maxReceiveCount).toBe(5);
    const dlq = resources[redrive.deadLetterTargetArn["Fn::GetAtt"][0]];
    expect(dlq?.Type).toBe("AWS::SQS::Queue");
    expect(dlq?.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it("keeps a job invisible for six send timeouts while a worker has it", () => {
    const timeout = propsOf("send").Timeout as number;
    expect(timeout).toBeGreaterThan(0);
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: Match.anyValue(),
      VisibilityTimeout: timeout * 6,
    });
  });

  it("every retry of a throttled job lands while its claim's lease still holds", () => {
    // A job is delivered at most maxReceiveCount times; each delivery may run the whole send
    // timeout, and each but the last is followed by at most retryCeiling(n) of backoff. The
    // lease runs from the claim, so all of that must fit in it, or dispatch claims the
    // subscriber afresh while a retry is still pending and the retry becomes a stale no-op.
    const queue = ofType("AWS::SQS::Queue").find(([, q]) => q.Properties.RedrivePolicy);
    const redrive = queue?.[1].Properties.RedrivePolicy as { maxReceiveCount: number } | undefined;
    const receives = redrive?.maxReceiveCount ?? 0;
    expect(receives).toBeGreaterThan(0);
    const timeout = propsOf("send").Timeout as number;
    let worstCase = receives * timeout;
    for (let n = 1; n < receives; n++) worstCase += retryCeiling(n);
    expect(worstCase * 1000).toBeLessThan(LEASE_MS);
  });

  it("feeds the send Lambda in batches of 10, two at a time, reporting partial batch failures", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalId(stack.functions.send) },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });
});

describe("mail", () => {
  it("suppresses addresses that bounced or complained, and tracks reputation", () => {
    template.hasResourceProperties("AWS::SES::ConfigurationSet", {
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it("signs with Easy DKIM, bounces to a custom MAIL FROM, and sends through the configuration set", () => {
    template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "hips.example",
      DkimAttributes: { SigningEnabled: true },
      MailFromAttributes: { MailFromDomain: "mail.hips.example" },
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it("publishes bounces and complaints to the default bus, and only its own reach the feedback Lambda", () => {
    template.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ["bounce", "complaint"],
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      },
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received"],
        detail: { mail: { tags: { "ses:configuration-set": [Match.anyValue()] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [logicalId(stack.functions.feedback), "Arn"] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it("keeps feedback events that failed after retries in a failure queue", () => {
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalId(stack.functions.feedback) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe("alarms", () => {
  const alarms = () => ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);

  it("alarm on an SES bounce rate above 4 % and a complaint rate above 0.08 %", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SES",
      MetricName: "Reputation.BounceRate",
      Threshold: 0.04,
      ComparisonOperator: "GreaterThanThreshold",
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SES",
      MetricName: "Reputation.ComplaintRate",
      Threshold: 0.0008,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });

  it("alarm as soon as either dead-letter queue holds a message", () => {
    const depth = alarms().filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible");
    expect(depth).toHaveLength(2);
    for (const a of depth) {
      expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold" });
    }
  });

  it("alarm on any error of every function: send and dispatch by their Errors, feedback by its failure queue, web and admin by any 5xx of the API in front of both", () => {
    const watched = alarms()
      .filter((a) => a.MetricName === "Errors")
      .map((a) => (a.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref)
      .sort();
    const workers = (["send", "dispatch"] as const).map((n) => stack.functions[n]);
    expect(watched).toEqual(workers.map(logicalId).sort());
    // Every feedback event that fails is retried, then lands in the failure queue, whose depth
    // is alarmed: both the function's own retries (on failure) and EventBridge's (its DLQ).
    const feedback = logicalId(stack.functions.feedback);
    const failures = logicalId(
      stack.node.findChild("Mail").node.findChild("FeedbackFailures") as never,
    );
    const invokeConfig = ofType("AWS::Lambda::EventInvokeConfig").find(
      ([, c]) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: feedback }),
    );
    expect(invokeConfig?.[1].Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [failures, "Arn"] } } },
    });
    const rule = ofType("AWS::Events::Rule").find(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes(feedback),
    );
    expect(JSON.stringify(rule?.[1].Properties.Targets)).toContain(
      JSON.stringify({ Arn: { "Fn::GetAtt": [failures, "Arn"] } }),
    );
    const depth = alarms().filter(
      (a) =>
        a.MetricName === "ApproximateNumberOfMessagesVisible" &&
        JSON.stringify(a.Dimensions).includes(failures),
    );
    expect(depth).toHaveLength(1);
    // Both HTTP functions are reached only through this API (its routes name no other).
    const api = logicalId(stack.node.findChild("Web").node.findChild("Api") as never);
    const serverErrors = alarms().filter((a) => a.MetricName === "5xx");
    expect(serverErrors).toHaveLength(1);
    expect(serverErrors[0]).toMatchObject({
      Namespace: "AWS/ApiGateway",
      Dimensions: [{ Name: "ApiId", Value: { Ref: api } }],
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    const integrations = ofType("AWS::ApiGatewayV2::Integration");
    expect(integrations.map(([, i]) => JSON.stringify(i.Properties.ApiId))).toEqual(
      integrations.map(() => JSON.stringify({ Ref: api })),
    );
    const targets = integrations.map(([, i]) => JSON.stringify(i.Properties.IntegrationUri));
    for (const fn of ["web", "admin"] as const) {
      expect(targets.filter((t) => t.includes(logicalId(stack.functions[fn])))).toHaveLength(1);
    }
  });

  it("CloudWatch may publish to the alarm topic (its policy replaces SNS's default), only for this account's alarms", () => {
    const [topic] = single("AWS::SNS::Topic");
    const policies = ofType("AWS::SNS::TopicPolicy").filter(([, p]) =>
      JSON.stringify(p.Properties.Topics).includes(topic as string),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      (policies[0] as (typeof policies)[number])[1].Properties.PolicyDocument as {
        Statement: Record<string, unknown>[];
      }
    ).Statement;
    const publish = statements.filter(
      (st) =>
        st.Effect === "Allow" && JSON.stringify(st.Principal).includes("cloudwatch.amazonaws.com"),
    );
    expect(publish).toEqual([
      expect.objectContaining({
        Action: "sns:Publish",
        Resource: { Ref: topic },
        Condition: expect.objectContaining({
          StringEquals: { "aws:SourceAccount": expect.anything() },
        }),
      }),
    ]);
    // The TLS-only Deny is still there beside it.
    expect(statements.some((st) => st.Effect === "Deny")).toBe(true);
  });

  it("alarm when a send job has waited in the queue for half a lease", () => {
    const age = alarms().filter((a) => a.MetricName === "ApproximateAgeOfOldestMessage");
    expect(age).toHaveLength(1);
    expect(age[0]).toMatchObject({
      Threshold: LEASE_MS / 2 / 1000,
      ComparisonOperator: "GreaterThanThreshold",
    });
    const sendQueue = ofType("AWS::SQS::Queue").find(([, q]) => q.Properties.RedrivePolicy)?.[0];
    expect(JSON.stringify(age[0]?.Dimensions)).toContain(sendQueue as string);
  });

  it("send every alarm to the topic that emails the alarm address", () => {
    const [topic] = single("AWS::SNS::Topic");
    for (const a of alarms()) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "alarms@hips.example",
      TopicArn: { Ref: topic },
    });
  });
});

describe("functions", () => {
  it("every function runs Node 22 or newer on arm64 with its own log group and a retention", () => {
    const ours = Object.values(stack.functions).map(logicalId);
    expect(ours).toHaveLength(5);
    for (const id of ours) {
      const p = resources[id]?.Properties as {
        Runtime: string;
        Architectures: string[];
        Handler: string;
        LoggingConfig: { LogGroup: { Ref: string } };
      };
      expect(Number(/^nodejs(\d+)\.x$/.exec(p.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(p.Architectures).toEqual(["arm64"]);
      expect(p.Handler).toBe("index.handler");
      const logs = resources[p.LoggingConfig.LogGroup.Ref]?.Properties;
      expect(logs?.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it("each function is given exactly the environment variables its handler reads", () => {
    const env = (fn: FunctionName) =>
      Object.keys(envOf(fn))
        .filter((k) => k in LAMBDA_ENV)
        .sort();
    const sender = [
      "CONFIGURATION_SET",
      "REPLY_TO",
      "SENDER_EMAIL",
      "SENDER_NAME",
      "SES_SENDERS",
      "SITE_URL",
    ];
    // The web function never sends: no sender settings, only where its links point.
    const web = [
      "KEYS_LAYOUT",
      "KEYS_SECRET_ID",
      "ORIGIN_SECRET_ARN",
      "QUEUE_URL",
      "SITE_URL",
      "TABLE_NAME",
      "URGENT_QUEUE_URL",
    ];
    expect(env("web")).toEqual(web.sort());
    // The owner's area: the same, and the dead-letter queue whose depth the dashboard shows.
    expect(env("admin")).toEqual([...web, "DEAD_LETTER_QUEUE_URL"].sort());
    expect(env("dispatch")).toEqual(["QUEUE_URL", "SEQUENCE_PAUSED", "SES_SENDERS", "TABLE_NAME"]);
    expect(env("send")).toEqual(
      [
        "KEYS_LAYOUT",
        "KEYS_SECRET_ID",
        "QUEUE_URL",
        "TABLE_NAME",
        "URGENT_QUEUE_URL",
        ...sender,
      ].sort(),
    );
    expect(env("feedback")).toEqual(["KEYS_LAYOUT", "KEYS_SECRET_ID", "TABLE_NAME"]);
  });

  it("a sequence paused in content reaches the dispatcher, which then claims nobody", () => {
    expect(envOf("dispatch").SEQUENCE_PAUSED).toBe("false");
    const paused = testStack({}, undefined, true);
    const fn = paused.stack.functions.dispatch;
    const id = paused.stack.getLogicalId(fn.node.defaultChild as never);
    const props = paused.template.toJSON().Resources[id].Properties;
    expect(props.Environment.Variables.SEQUENCE_PAUSED).toBe("true");
  });

  it("the owner's dashboard may read the dead-letter queue's depth, and only that; the public web nothing of it", () => {
    const dlq = logicalId((stack.node.findChild("Drip") as Drip).deadLetterQueue);
    const onDlq = (fn: FunctionName) =>
      statementsOf(logicalId(stack.functions[fn])).filter((s) =>
        JSON.stringify(s.Resource).includes(dlq),
      );
    expect(onDlq("admin").map((s) => s.Action)).toEqual(["sqs:GetQueueAttributes"]);
    expect(onDlq("web")).toEqual([]);
  });
});

describe("least privilege", () => {
  const fnId = (name: keyof typeof stack.functions) => logicalId(stack.functions[name]);
  const WRITE_MANY = [
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Scan",
  ];

  it("the dispatcher only queries the due index, claims items, reads the queue's depth and the send quota, and enqueues", () => {
    const actions = actionsOf(fnId("dispatch"));
    expect(actions).toEqual([
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "ses:GetAccount",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
    ]);
    const query = statementsOf(fnId("dispatch")).find((s) => s.Action === "dynamodb:Query");
    expect(JSON.stringify(query?.Resource)).toContain("/index/due");
  });

  it("only the send worker may delay a job's redelivery, on its own queue, and it enqueues only there", () => {
    const drip = stack.node.findChild("Drip") as Drip;
    const sendQueue = logicalId(drip.queue);
    const urgentQueue = logicalId(drip.urgentQueue);
    // The event source's consume grant on the send queue (ChangeMessageVisibility once),
    // SendMessage on the same queue alone (a halted job put back as a new message), and
    // receive and delete on the urgent queue, which it drains.
    expect(actionsOf(fnId("send")).filter((a) => a.startsWith("sqs:"))).toEqual([
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]);
    const requeue = statementsOf(fnId("send")).filter((s) =>
      JSON.stringify(s.Action).includes("sqs:SendMessage"),
    );
    expect(requeue.map((s) => s.Resource)).toEqual([{ "Fn::GetAtt": [sendQueue, "Arn"] }]);
    const urgent = statementsOf(fnId("send")).filter((s) =>
      JSON.stringify(s.Resource).includes(urgentQueue),
    );
    expect(urgent).toEqual([
      expect.objectContaining({
        Action: ["sqs:DeleteMessage", "sqs:ReceiveMessage"],
        Resource: { "Fn::GetAtt": [urgentQueue, "Arn"] },
      }),
    ]);
    // The urgent queue is no event source: it adds no worker and no share of the rate.
    expect(
      ofType("AWS::Lambda::EventSourceMapping").filter(([, m]) =>
        JSON.stringify(m.Properties.EventSourceArn).includes(urgentQueue),
      ),
    ).toEqual([]);
    const delay = statementsOf(fnId("send")).filter((s) =>
      JSON.stringify(s.Action).includes("sqs:ChangeMessageVisibility"),
    );
    expect(delay).toHaveLength(1);
    expect(delay[0]?.Resource).toEqual({ "Fn::GetAtt": [sendQueue, "Arn"] });
    for (const name of ["web", "admin", "dispatch", "feedback"] as const) {
      expect(actionsOf(fnId(name))).not.toContain("sqs:ChangeMessageVisibility");
    }
  });

  it("the send and feedback workers read and update one item, and never write or delete others", () => {
    const feedback = actionsOf(fnId("feedback"));
    expect(feedback.filter((a) => a.startsWith("dynamodb:"))).toEqual([
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
    ]);
    for (const a of WRITE_MANY) expect(feedback).not.toContain(a);
    const send = [...new Set(actionsOf(fnId("send")))];
    expect(send.filter((a) => a.startsWith("dynamodb:"))).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    for (const a of WRITE_MANY.filter((a) => a !== "dynamodb:PutItem"))
      expect(send).not.toContain(a);
  });

  it("the public web reads and writes subscribers' own items, never scans, batch-reads or touches the due index", () => {
    const web = statementsOf(fnId("web")).filter((s) =>
      JSON.stringify(s.Action).includes("dynamodb:"),
    );
    expect([...new Set(actionsOf(fnId("web")).filter((a) => a.startsWith("dynamodb:")))]).toEqual([
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    expect(JSON.stringify(web.map((s) => s.Resource))).not.toContain("/index/");
  });

  it("the owner's area may also batch-read counters, count the due index and scan (the export): the only Scan", () => {
    const admin = statementsOf(fnId("admin")).filter((s) =>
      JSON.stringify(s.Action).includes("dynamodb:"),
    );
    expect([...new Set(actionsOf(fnId("admin")).filter((a) => a.startsWith("dynamodb:")))]).toEqual(
      [
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
      ],
    );
    const onIndex = admin.filter((s) => JSON.stringify(s.Resource).includes("/index/"));
    expect(onIndex.map((s) => s.Action)).toEqual(["dynamodb:Query"]);
    expect(JSON.stringify(onIndex[0]?.Resource)).toContain("/index/due");
    for (const name of ["web", "send", "dispatch", "feedback"] as const)
      expect(actionsOf(fnId(name)), name).not.toContain("dynamodb:Scan");
  });

  it("the send worker puts only published sequences (SEQ# partitions), never a subscriber", () => {
    const puts = statementsOf(fnId("send")).filter((s) =>
      JSON.stringify(s.Action).includes("dynamodb:PutItem"),
    );
    expect(puts).toHaveLength(1);
    expect((puts[0] as { Condition?: unknown } | undefined)?.Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SEQ#*"] },
    });
  });

  it("secrets are read-only: the keys secret for the four functions that sign or hash, the origin secret for the two behind CloudFront", () => {
    const keysArn = `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:HealthyHips-prod/keys-??????`;
    const secretsOf = (name: keyof typeof stack.functions) =>
      statementsOf(fnId(name))
        .filter((s) => JSON.stringify(s.Action).includes("secretsmanager:"))
        .flatMap((s) => {
          expect(s.Action).toEqual([
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
          ]);
          return ([] as unknown[]).concat(s.Resource).map((r) => {
            const ref = (r as { Ref?: string }).Ref;
            if (ref) return ref;
            const parts = (r as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1];
            return parts
              .map((p) => (typeof p === "string" ? p : `\${${(p as { Ref: string }).Ref}}`))
              .join("");
          });
        })
        .sort();
    const origin = logicalId(stack.node.findChild("Web").node.findChild("OriginSecret"));
    expect(secretsOf("web")).toEqual([keysArn, origin].sort());
    expect(secretsOf("admin")).toEqual([keysArn, origin].sort());
    // The send worker signs links, and hashes mailboxes for the confirmation throttle.
    expect(secretsOf("send")).toEqual([keysArn]);
    // It only hashes addresses, but a secret is the unit of access: it can read both keys.
    expect(secretsOf("feedback")).toEqual([keysArn]);
    expect(secretsOf("dispatch")).toEqual([]);
  });

  it("the stack makes no key: it reads HealthyHips-<stage>/keys, and deploys only where that secret's layout field says it is the keys secret", () => {
    // Only the origin secret is a resource: CloudFormation never generates or regenerates a key.
    expect(ofType("AWS::SecretsManager::Secret").map(([id]) => id)).toEqual([
      logicalId(stack.node.findChild("Web").node.findChild("OriginSecret")),
    ]);
    for (const name of ["web", "admin", "send", "feedback"] as const) {
      expect(envOf(name).KEYS_SECRET_ID).toBe("HealthyHips-prod/keys");
      // Resolved by CloudFormation at deploy: a missing secret fails the deploy, before any
      // function is changed; the functions check the value against the secret's own.
      expect(envOf(name).KEYS_LAYOUT).toBe(
        "{{resolve:secretsmanager:HealthyHips-prod/keys:SecretString:layout::}}",
      );
    }
    expect(envOf("dispatch").KEYS_SECRET_ID).toBeUndefined();
    const staging = testStack({ stage: "staging" });
    const fn = staging.stack.functions.feedback;
    const id = staging.stack.getLogicalId(fn.node.defaultChild as never);
    const env = staging.template.toJSON().Resources[id].Properties.Environment.Variables;
    expect(env.KEYS_SECRET_ID).toBe("HealthyHips-staging/keys");
  });

  it("only the send workers may send email: ses:SendEmail on the identity and the configuration set", () => {
    const identity = stack.node.findChild("Mail").node.findChild("Identity");
    for (const name of ["send"] as const) {
      const ses = statementsOf(fnId(name)).filter((s) =>
        JSON.stringify(s.Action).includes("ses:Send"),
      );
      expect(ses).toHaveLength(1);
      expect(ses[0]?.Action).toBe("ses:SendEmail");
      const resource = JSON.stringify(ses[0]?.Resource);
      expect(resource).toContain(`":identity/",{"Ref":"${logicalId(identity)}"}`);
      expect(resource).toContain(":configuration-set/");
      expect(resource).not.toContain("*");
    }
    // The web function queues every email (confirmations, owners' sign-in links and tests).
    for (const name of ["web", "admin", "dispatch", "feedback"] as const) {
      expect(actionsOf(fnId(name)).filter((a) => a.startsWith("ses:Send"))).toEqual([]);
    }
  });

  it("one send slot per send worker, whose whole shares add up to exactly the account's rate", () => {
    const mapping = ofType("AWS::Lambda::EventSourceMapping").find(
      ([, m]) =>
        JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: fnId("send") }),
    );
    const scaling = mapping?.[1].Properties.ScalingConfig as { MaximumConcurrency?: number };
    const workers = scaling?.MaximumConcurrency ?? 0;
    expect(workers).toBe(2);
    // The send function is only ever invoked by its queue: nothing else runs more workers.
    expect(
      ofType("AWS::Lambda::EventSourceMapping").filter(([, m]) =>
        JSON.stringify(m.Properties.FunctionName).includes(fnId("send")),
      ),
    ).toHaveLength(1);
    // One send slot per worker, each with a whole share, the shares adding up to the rate;
    // dispatch sizes claims with the same.
    const senders = Number(envOf("send").SES_SENDERS);
    expect(senders).toBe(workers);
    expect(Number(envOf("dispatch").SES_SENDERS)).toBe(workers);
    for (const rate of [1, 2, 3, 14, 15, 50, 51, 200, 1000]) {
      expect(slotShares(rate, senders).reduce((a, b) => a + b, 0)).toBe(rate);
    }
  });

  it("senders and the dispatcher may read the account's send quota (GetAccount has no resource) and nothing else unscoped", () => {
    for (const name of ["send"] as const) {
      const quota = statementsOf(fnId(name)).filter((s) =>
        JSON.stringify(s.Action).includes("GetAccount"),
      );
      expect(quota).toEqual([expect.objectContaining({ Action: "ses:GetAccount", Resource: "*" })]);
    }
    // Dispatch reads it too, to claim no more than the senders can send within a lease.
    expect(actionsOf(fnId("dispatch"))).toContain("ses:GetAccount");
    expect(actionsOf(fnId("feedback"))).not.toContain("ses:GetAccount");
    expect(actionsOf(fnId("web"))).not.toContain("ses:GetAccount");
  });

  it("no IAM wildcard outside the two acknowledged CDK-made policies and ses:GetAccount", () => {
    const wildcards = ofType("AWS::IAM::Policy")
      .filter(([, p]) =>
        (
          p.Properties.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }
        ).Statement.some(
          // A key pattern in a condition (SEQ#*) narrows a grant; it is not a wildcard grant.
          (s) =>
            JSON.stringify({ ...s, Condition: undefined }).includes("*") &&
            s.Action !== "ses:GetAccount",
        ),
      )
      .map(([id]) => id)
      .sort();
    expect(wildcards).toEqual([
      expect.stringMatching(/^DripSchedulerRole/),
      expect.stringMatching(/^SiteDeployRole/),
    ]);
    const scheduler = ofType("AWS::IAM::Policy").find(([id]) => id.startsWith("DripSchedulerRole"));
    expect(JSON.stringify(scheduler?.[1].Properties.PolicyDocument)).toContain(
      '"lambda:InvokeFunction"',
    );
  });
});

describe("web and site", () => {
  it("CloudFront stamps the viewer's address on every request to the app, overwriting the client's", () => {
    const fns = ofType("AWS::CloudFront::Function");
    expect(fns).toHaveLength(1);
    const [id, fn] = fns[0] ?? ["", { Properties: {} as Record<string, unknown> }];
    expect(String(fn.Properties.FunctionCode)).toContain(
      'headers["x-viewer-ip"] = { value: event.viewer.ip }',
    );
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          FunctionAssociations: [
            { EventType: "viewer-request", FunctionARN: { "Fn::GetAtt": [id, "FunctionARN"] } },
          ],
        }),
      }),
    });
  });

  it("the API sends /admin and everything under it to the admin function, everything else to web", () => {
    const integrationOf = (fn: FunctionName) =>
      ofType("AWS::ApiGatewayV2::Integration").find(([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri).includes(logicalId(stack.functions[fn])),
      )?.[0];
    const target = (route: Record<string, unknown>) =>
      JSON.stringify(route.Target).match(/"Ref":"([^"]+)"/)?.[1];
    const routes = Object.fromEntries(
      ofType("AWS::ApiGatewayV2::Route").map(([, r]) => [
        r.Properties.RouteKey,
        target(r.Properties),
      ]),
    );
    expect(routes).toEqual({
      $default: integrationOf("web"),
      "ANY /admin": integrationOf("admin"),
      "ANY /admin/{proxy+}": integrationOf("admin"),
    });
    expect(integrationOf("web")).not.toBe(integrationOf("admin"));
  });

  it("throttles the API stage and writes access logs", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp("requestId"),
      },
    });
  });

  it("keeps tokens and client addresses out of the access logs", () => {
    const [, stage] = single("AWS::ApiGatewayV2::Stage");
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    for (const leaky of ["$context.path", "$context.identity.sourceIp", "rawQueryString"]) {
      expect(format).not.toContain(leaky);
    }
  });

  it("serves one origin: the guide, media and static files from the private bucket (OAC), the rest from the API", () => {
    const [, cdn] = single("AWS::CloudFront::Distribution");
    const config = cdn.DistributionConfig as {
      Origins: { Id: string; OriginAccessControlId?: unknown; CustomOriginConfig?: unknown }[];
      DefaultCacheBehavior: { TargetOriginId: string; AllowedMethods: string[] };
      CacheBehaviors: { PathPattern: string; TargetOriginId: string }[];
    };
    const bucketOrigin = config.Origins.find((o) => o.OriginAccessControlId)?.Id;
    const apiOrigin = config.Origins.find((o) => o.CustomOriginConfig)?.Id;
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(apiOrigin);
    expect(config.DefaultCacheBehavior.AllowedMethods).toContain("POST");
    const byPath = Object.fromEntries(
      config.CacheBehaviors.map((b) => [b.PathPattern, b.TargetOriginId]),
    );
    expect(byPath).toEqual({
      "/assets/*": apiOrigin,
      "/guide/*": bucketOrigin,
      "/media/*": bucketOrigin,
      // The site's fonts and browser scripts.
      "/static/*": bucketOrigin,
    });
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it("deploys the built guide and the media into the bucket", () => {
    const prefixes = ofType("Custom::CDKBucketDeployment").map(
      ([, d]) => d.Properties.DestinationBucketKeyPrefix,
    );
    expect(prefixes.sort()).toEqual(["guide/", "media/"]);
  });

  it("links in emails use the CloudFront domain unless a site URL is configured", () => {
    for (const fn of ["web", "send"] as const) {
      expect(JSON.stringify(envOf(fn).SITE_URL)).toContain('"DomainName"');
    }
  });

  it("a configured site URL becomes the CloudFront alias, served with the certificate over TLS 1.2+", () => {
    const custom = testStack({
      siteUrl: "https://yoga.hips.example",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
    });
    custom.template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: ["yoga.hips.example"],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
          MinimumProtocolVersion: "TLSv1.2_2021",
        }),
      }),
    });
    custom.template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ SITE_URL: "https://yoga.hips.example" }) },
    });
  });
});

describe("outputs", () => {
  it("give the site URL, table name and every DNS record to create", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["SiteUrl", "TableName"]));
    const records = Object.entries(outputs)
      .filter(([k]) => k.startsWith("DnsRecord"))
      .map(([, o]) => JSON.stringify(o.Value));
    expect(records.filter((r) => r.includes(" CNAME ") && r.includes("DkimDNSToken"))).toHaveLength(
      3,
    );
    expect(records.some((r) => r.includes("mail.hips.example MX 10 feedback-smtp."))).toBe(true);
    expect(
      records.some(
        (r) => r.includes("mail.hips.example TXT") && r.includes("v=spf1 include:amazonses.com"),
      ),
    ).toBe(true);
    expect(
      records.some((r) => r.includes("_dmarc.hips.example TXT") && r.includes("v=DMARC1")),
    ).toBe(true);
  });
});

describe("cdk-nag", () => {
  it("AwsSolutions finds nothing unacknowledged", () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("every acknowledgement gives a reason", () => {
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "aws:cdk:acknowledged-rules"))
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>));
    expect(acks.length).toBeGreaterThan(10);
    for (const [rule, reason] of acks) {
      // aws-cdk-lib stores a bare id as "Annotation::<id>"; cdk-nag 3 matches the bare id.
      expect(rule).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+/);
      expect(String(reason).length, rule).toBeGreaterThanOrEqual(40);
    }
  });

  it("a sandbox test recipient is verified and allowed, without widening the send grant", () => {
    const sandbox = testStack({ sandboxRecipients: ["me@gmail.example"] });
    sandbox.template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "me@gmail.example",
    });
    expect(new AwsSolutionsChecks().validateScope(sandbox.stack).success).toBe(true);
  });
});
