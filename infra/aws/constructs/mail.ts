import { Aws, Duration, Stack, Validations } from "aws-cdk-lib";
import { EventBus, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
  SuppressionReasons,
} from "aws-cdk-lib/aws-ses";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { SES_DETAIL_TYPES } from "../../../functions/aws/ses-events";
import { appFunction, setEnv } from "./app-function";

export interface MailProps {
  domain: string;
  senderEmail: string;
  senderName: string;
  replyTo?: string;
  /** Addresses verified for a test while the account is in the SES sandbox. */
  sandboxRecipients?: string[];
  /** Where DMARC aggregate reports go. */
  dmarcReportEmail: string;
  /**
   * The domain's SES identity exists already (verified by hand, or made by another stage's
   * stack): send as it instead of creating it. Its DKIM and MAIL FROM are then the owner's.
   */
  useExistingIdentity?: boolean;
}

/** A DNS record the person deploying must create at their DNS host. */
export interface DnsRecord {
  name: string;
  type: "CNAME" | "MX" | "TXT";
  value: string;
}

/**
 * Sending: an SES domain identity with Easy DKIM and a custom MAIL FROM (`mail.<domain>`)
 * (or an existing one, named by domain), a configuration set with account-level suppression
 * for bounces and complaints and reputation metrics, and bounce/complaint events to
 * EventBridge -> the feedback Lambda. Every send names the configuration set, so the feedback
 * wiring and the grants are the same whether the stack made the identity or not.
 */
export class Mail extends Construct {
  /** The identity this stack made; absent when it sends as an existing one. */
  readonly identity?: EmailIdentity;
  /** The ARN of the identity the functions send as. */
  readonly identityArn: string;
  readonly configurationSet: ConfigurationSet;
  readonly feedbackFunction: NodejsFunction;
  /** Feedback events that could not be recorded after retries. */
  readonly feedbackFailures: Queue;
  readonly dnsRecords: DnsRecord[];
  private readonly props: MailProps;
  private readonly sandboxIdentities: EmailIdentity[];

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.props = props;
    this.configurationSet = new ConfigurationSet(this, "ConfigurationSet", {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const mailFrom = `mail.${props.domain}`;
    if (props.useExistingIdentity) {
      this.identityArn = Stack.of(this).formatArn({
        service: "ses",
        resource: "identity",
        resourceName: props.domain,
      });
    } else {
      this.identity = new EmailIdentity(this, "Identity", {
        identity: Identity.domain(props.domain),
        configurationSet: this.configurationSet,
        dkimSigning: true,
        mailFromDomain: mailFrom,
        mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      });
      this.identityArn = this.identity.emailIdentityArn;
    }
    this.sandboxIdentities = (props.sandboxRecipients ?? []).map(
      (email, i) =>
        new EmailIdentity(this, `SandboxRecipient${i}`, { identity: Identity.email(email) }),
    );

    // SES publishes to the default bus only; the rule keeps to this configuration set's events.
    this.configurationSet.addEventDestination("Feedback", {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, "Bus", "default")),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    this.feedbackFailures = new Queue(this, "FeedbackFailures", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.feedbackFailures).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the failure destination of the feedback Lambda; its depth is alarmed.",
    });
    this.feedbackFunction = appFunction(this, "Feedback", {
      handler: "feedback",
      description: "Marks subscribers bounced or complained from SES events",
      withContent: false,
    });
    this.feedbackFunction.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.feedbackFailures),
    });
    new Rule(this, "FeedbackRule", {
      description: "SES bounces and complaints of the Healthy Hips configuration set",
      eventPattern: {
        source: ["aws.ses"],
        detailType: [...SES_DETAIL_TYPES],
        detail: {
          mail: { tags: { "ses:configuration-set": [this.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new LambdaFunction(this.feedbackFunction, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.feedbackFailures,
        }),
      ],
    });

    // An existing identity's DKIM tokens are not known here: `npm run doctor` prints them.
    this.dnsRecords = [
      ...(this.identity?.dkimRecords ?? []).map((r) => ({
        name: r.name,
        type: "CNAME" as const,
        value: r.value,
      })),
      { name: mailFrom, type: "MX", value: `10 feedback-smtp.${Aws.REGION}.amazonses.com` },
      { name: mailFrom, type: "TXT", value: '"v=spf1 include:amazonses.com ~all"' },
      {
        name: `_dmarc.${props.domain}`,
        type: "TXT",
        value: `"v=DMARC1; p=none; rua=mailto:${props.dmarcReportEmail}"`,
      },
    ];
  }

  /** The configuration set's ARN: sending with it needs ses:SendEmail on it too. */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /**
   * Lets `fn` send as the sender through the configuration set (ses:SendEmail on the identity
   * and the configuration set, nothing else) and sets the sender variables.
   */
  bindSender(fn: NodejsFunction, senders: number): void {
    setEnv(fn, "SES_SENDERS", String(senders));
    setEnv(fn, "SENDER_EMAIL", this.props.senderEmail);
    setEnv(fn, "SENDER_NAME", this.props.senderName);
    if (this.props.replyTo) setEnv(fn, "REPLY_TO", this.props.replyTo);
    setEnv(fn, "CONFIGURATION_SET", this.configurationSet.configurationSetName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [
          this.identityArn,
          this.configurationSetArn,
          ...this.sandboxIdentities.map((i) => i.emailIdentityArn),
        ],
      }),
    );
    // Pacing reads the account's MaxSendRate; GetAccount has no resource to scope it to.
    fn.addToRolePolicy(new PolicyStatement({ actions: ["ses:GetAccount"], resources: ["*"] }));
    Validations.of(fn).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "ses:GetAccount (read the send quota for pacing) supports no resource-level scoping.",
    });
  }
}
