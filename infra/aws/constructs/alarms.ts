import { Duration, Stack, Validations } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** SES reviews an account at a 5 % bounce rate and 0.1 % complaint rate: warn before that. */
export const BOUNCE_RATE_THRESHOLD = 0.04;
export const COMPLAINT_RATE_THRESHOLD = 0.0008;

/**
 * Alarms, all to one SNS topic that emails the alarm address: dead-letter queues holding
 * anything, send jobs waiting too long, any Lambda error (of the functions behind the API, as
 * any 5xx answer of the API; of the feedback function, as events in its failure queue), and
 * the account's SES bounce and complaint rates.
 */
export class Alarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: { email: string }) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", { displayName: "Healthy Hips alarms", enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.email));
    // A topic policy replaces SNS's default one: without this statement CloudWatch may not
    // publish, and every alarm would fire into nothing. Only this account's alarms may.
    const { account, partition, region } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { "aws:SourceAccount": account },
        },
      }),
    );
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; alarm messages carry no personal data.",
    });
    this.rate("BounceRate", "Reputation.BounceRate", BOUNCE_RATE_THRESHOLD);
    this.rate("ComplaintRate", "Reputation.ComplaintRate", COMPLAINT_RATE_THRESHOLD);
  }

  /** Alarms as soon as a dead-letter queue holds a message. */
  watchDeadLetters(id: string, queue: IQueue): Alarm {
    return this.alarm(id, `${id}: messages are waiting in a dead-letter queue`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: 0,
    });
  }

  /**
   * Alarms when the oldest job has waited in `queue` longer than `maxAge`: the senders are not
   * keeping up (or are halted), and claims would run out of lease while their jobs wait.
   */
  watchQueueAge(id: string, queue: IQueue, maxAge: Duration): Alarm {
    return this.alarm(id, `${id}: send jobs are waiting longer than ${maxAge.toHumanString()}`, {
      metric: queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: maxAge.toSeconds(),
    });
  }

  /** Alarms on any error of the function in five minutes. */
  watchErrors(id: string, fn: IFunction): Alarm {
    return this.alarm(id, `${id}: the function failed`, {
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 0,
    });
  }

  /**
   * Alarms on any 5xx answer of the API in five minutes: an error, crash, timeout or throttle
   * of a function behind it, or a 500 its app answered.
   */
  watchServerErrors(id: string, api: IHttpApi): Alarm {
    return this.alarm(id, `${id}: the site answered with a server error`, {
      metric: api.metricServerError({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 0,
    });
  }

  private rate(id: string, metricName: string, threshold: number): Alarm {
    return this.alarm(id, `SES ${metricName} above ${threshold * 100} %`, {
      metric: new Metric({
        namespace: "AWS/SES",
        metricName,
        statistic: "Maximum",
        period: Duration.hours(1),
      }),
      threshold,
    });
  }

  private alarm(id: string, description: string, p: { metric: IMetric; threshold: number }): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric: p.metric,
      threshold: p.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    return alarm;
  }
}
