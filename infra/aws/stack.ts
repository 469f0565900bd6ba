import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { LEASE_MS } from "../../functions/aws/wiring";
import { type DeployConfig, keysSecretName } from "./config";
import { Alarms } from "./constructs/alarms";
import type { HandlerName } from "./constructs/app-function";
import { Drip, SEND_MAX_CONCURRENCY } from "./constructs/drip";
import { Keys } from "./constructs/keys";
import { Mail } from "./constructs/mail";
import { Site } from "./constructs/site";
import { SubscriberTable } from "./constructs/subscriber-table";
import { Web } from "./constructs/web";

/**
 * Senders sharing the SES send rate: the send workers, nobody else. Every email (drip,
 * confirmations, owners' sign-in links and tests) is a job on the send queue; the web function
 * may not call SES at all.
 */
export const SES_SENDERS = SEND_MAX_CONCURRENCY;

export interface HealthyHipsStackProps extends StackProps {
  config: DeployConfig;
  /** Built static files (the PDF guide under `guide/`). */
  assetsDir: string;
  /** `content/media`. */
  mediaDir: string;
  /** `sequence.paused` in content/funnel.yaml: the owner paused the whole sequence. */
  sequencePaused?: boolean;
}

/**
 * The whole funnel on AWS. This file only wires: each construct owns one concern, and each
 * `bind*` call gives one function one dependency (its environment variable and its grant).
 */
export class HealthyHipsStack extends Stack {
  readonly functions: Record<HandlerName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: HealthyHipsStackProps) {
    super(scope, id, props);
    const { config } = props;

    const subscribers = new SubscriberTable(this, "Subscribers");
    const keys = new Keys(this, "Keys", { secretName: keysSecretName(config.stage) });
    const mail = new Mail(this, "Mail", {
      domain: config.domain,
      senderEmail: config.senderEmail,
      senderName: config.senderName,
      replyTo: config.replyTo,
      sandboxRecipients: config.sandboxRecipients,
      dmarcReportEmail: config.alarmEmail,
      useExistingIdentity: config.useExistingIdentity,
    });
    const drip = new Drip(this, "Drip");
    const web = new Web(this, "Web");
    const site = new Site(this, "Site", {
      api: web.api,
      originSecret: web.originSecret,
      assetsDir: props.assetsDir,
      mediaDir: props.mediaDir,
      siteUrl: config.siteUrl,
      certificateArn: config.certificateArn,
    });
    const alarms = new Alarms(this, "Alarms", { email: config.alarmEmail });

    // Web: signups, confirms and data links enqueue their emails; it never sends.
    const webFn = web.webFunction;
    subscribers.bindWebAccess(webFn);
    keys.bindTokenKey(webFn);
    keys.bindIdKey(webFn);
    drip.bindEnqueue(webFn);
    drip.bindUrgentEnqueue(webFn);
    site.bindSiteUrl(webFn);

    // Admin: the owner's area. Sign-in links, tests and imports are queued; never sent here.
    const adminFn = web.adminFunction;
    subscribers.bindOwnerAccess(adminFn);
    keys.bindTokenKey(adminFn);
    keys.bindIdKey(adminFn);
    drip.bindEnqueue(adminFn);
    drip.bindUrgentEnqueue(adminFn);
    drip.bindDeadLetterDepth(adminFn);
    site.bindSiteUrl(adminFn);

    // Dispatch: due index -> claims -> queue.
    subscribers.bindDueClaims(drip.dispatchFunction);
    drip.bindEnqueue(drip.dispatchFunction);
    drip.pauseSequence(props.sequencePaused ?? false);

    // Send: one claimed job -> SES -> advance.
    subscribers.bindItemUpdates(drip.sendFunction);
    subscribers.bindSequencePublishing(drip.sendFunction);
    keys.bindTokenKey(drip.sendFunction);
    // The mailbox throttle of confirmations is keyed by a hash under the id key.
    keys.bindIdKey(drip.sendFunction);
    mail.bindSender(drip.sendFunction, SES_SENDERS);
    site.bindSiteUrl(drip.sendFunction);

    // Feedback: SES event -> subscriber id from the address -> bounced / complained.
    subscribers.bindItemUpdates(mail.feedbackFunction);
    keys.bindIdKey(mail.feedbackFunction);

    this.functions = {
      web: webFn,
      admin: adminFn,
      dispatch: drip.dispatchFunction,
      send: drip.sendFunction,
      feedback: mail.feedbackFunction,
    };
    alarms.watchDeadLetters("SendDeadLetters", drip.deadLetterQueue);
    alarms.watchDeadLetters("FeedbackFailures", mail.feedbackFailures);
    // Half a lease: past that, claims run out while their jobs still wait.
    alarms.watchQueueAge("SendQueueAge", drip.queue, Duration.millis(LEASE_MS / 2));
    // The two functions behind the API are watched through its answers: one alarm on any 5xx
    // counts each function's errors, crashes and timeouts, and also the 500s the app itself
    // answers after catching an error (which the functions' Errors metric never sees).
    alarms.watchServerErrors("SiteErrors", web.api);
    alarms.watchErrors("DispatchErrors", drip.dispatchFunction);
    // Includes the account- and configuration-level refusals of SES, which halt every sender.
    alarms.watchErrors("SendErrors", drip.sendFunction);
    // The feedback function has no errors alarm of its own: each failed event is retried twice
    // and then lands in FeedbackFailures, whose alarm says the same thing a few minutes later
    // and only for events actually lost (an error that a retry overcame needs nobody).

    new CfnOutput(this, "SiteUrl", { value: site.siteUrl, description: "The public site" });
    // No output for the API's own address: it answers only requests that come through
    // CloudFront. The rotation command finds the secret and the distribution by these two.
    new CfnOutput(this, "OriginSecretArn", {
      value: web.originSecret.secretArn,
      description: "The origin secret (its ARN, not its value): npm run rotate-origin-secret",
    });
    new CfnOutput(this, "DistributionId", { value: site.distribution.distributionId });
    new CfnOutput(this, "TableName", { value: subscribers.table.tableName });
    new CfnOutput(this, "DistributionDomain", {
      value: site.distribution.distributionDomainName,
      description: "Point your site's DNS (CNAME or alias) here when using siteUrl",
    });
    // What `npm run doctor` looks up in the deployed stack.
    new CfnOutput(this, "ConfigurationSetName", {
      value: mail.configurationSet.configurationSetName,
      description: "Every email is sent with this SES configuration set",
    });
    new CfnOutput(this, "DeadLetterQueueUrl", {
      value: drip.deadLetterQueue.queueUrl,
      description: "Send jobs that failed for good wait here (npm run report --dead-letters)",
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: alarms.topic.topicArn,
      description: "Alarms go to this topic; confirm its email subscription",
    });
    mail.dnsRecords.forEach((r, i) => {
      new CfnOutput(this, `DnsRecord${i + 1}`, {
        value: `${r.name} ${r.type} ${r.value}`,
        description: "Create this DNS record for the sending domain",
      });
    });
  }
}
