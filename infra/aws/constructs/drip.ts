import { Duration, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { appFunction, logicalIdOf, setEnv } from "./app-function";

/** How often the dispatcher looks for due subscribers. */
export const TICK = Duration.minutes(1);
/** Deliveries of one job before it is parked in the DLQ (and the DLQ alarm fires). */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Send workers at once (SQS's least maximum concurrency), and send slots in the table: each
 * invocation claims a slot, whose whole shares of MaxSendRate add up to it, and paces to its
 * share with an exact window that travels with the slot (functions/core/send-slots.ts). They
 * are the only senders: confirmations, owners' sign-in links and tests travel the same queue
 * and count too.
 */
export const SEND_MAX_CONCURRENCY = 2;
export const SEND_BATCH_SIZE = 10;
const SEND_TIMEOUT = Duration.seconds(30);

/**
 * The drip: EventBridge Scheduler ticks the dispatch Lambda every minute; it claims due
 * subscribers and enqueues jobs on SQS; the send Lambda consumes them with capped concurrency
 * and reports partial batch failures, so only failed jobs are retried (a throttled send after
 * a jittered exponential backoff, others after the visibility timeout) and a job that keeps
 * failing lands in the DLQ.
 */
export class Drip extends Construct {
  readonly queue: Queue;
  /** Owners' sign-in links and tests: each send invocation drains it before its batch. */
  readonly urgentQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly dispatchFunction: NodejsFunction;
  readonly sendFunction: NodejsFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, "SendDlq", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is the dead-letter queue of the send queue; its depth is alarmed.",
    });
    this.queue = new Queue(this, "SendQueue", {
      // AWS's guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(SEND_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.urgentQueue = new Queue(this, "UrgentQueue", {
      // A drain sends at most ten jobs at the worker's share before deleting them.
      visibilityTimeout: Duration.seconds(60),
      // Nobody waits an hour for a sign-in link; by then they have asked again.
      retentionPeriod: Duration.hours(1),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.dispatchFunction = appFunction(this, "Dispatch", {
      handler: "dispatch",
      description: "Claims due subscribers and enqueues their next email",
      withContent: false,
      timeout: Duration.seconds(50),
    });
    // The next tick is the retry: Lambda's default two async retries would only run stale ticks.
    this.dispatchFunction.configureAsyncInvoke({ retryAttempts: 0 });
    // Dispatch claims no more than the senders can send within a lease at the account's rate.
    setEnv(this.dispatchFunction, "SES_SENDERS", String(SEND_MAX_CONCURRENCY));
    this.dispatchFunction.addToRolePolicy(
      new PolicyStatement({ actions: ["ses:GetAccount"], resources: ["*"] }),
    );
    Validations.of(this.dispatchFunction).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "ses:GetAccount (read the send quota to size each tick's claims) has no resource scoping.",
    });
    const schedulerRole = new Role(this, "SchedulerRole", {
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com"),
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.dispatchFunction)}.Arn>:*]`,
      reason: "CDK grants invoke on the dispatch function and its versions (`:*`); nothing else.",
    });
    this.schedule = new Schedule(this, "Tick", {
      description: "Healthy Hips: run the drip dispatcher",
      schedule: ScheduleExpression.rate(TICK),
      // A missed tick is made up by the next one: no retries, no stale invocations.
      target: new LambdaInvoke(this.dispatchFunction, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        role: schedulerRole,
      }),
    });

    this.sendFunction = appFunction(this, "Send", {
      handler: "send",
      description: "Renders and sends claimed emails through SES",
      withContent: true,
      memorySize: 512,
      timeout: SEND_TIMEOUT,
    });
    // The event source grants the consume actions on this queue, ChangeMessageVisibility among
    // them, which the send function needs to back off a throttled job (functions/aws/queue.ts).
    // Its one other action on it: SendMessage, to put a job that waited out a long halt back
    // as a new message (functions/aws/send-batch.ts), so that the job never runs out of receives.
    this.sendFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: SEND_BATCH_SIZE,
        maxConcurrency: SEND_MAX_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    setEnv(this.sendFunction, "QUEUE_URL", this.queue.queueUrl);
    this.queue.grant(this.sendFunction, "sqs:SendMessage");
    // Not an event source: the urgent queue is drained by the same two workers, before each
    // batch, so it adds no sender and no share of the rate.
    setEnv(this.sendFunction, "URGENT_QUEUE_URL", this.urgentQueue.queueUrl);
    this.urgentQueue.grant(this.sendFunction, "sqs:ReceiveMessage", "sqs:DeleteMessage");
  }

  /**
   * Lets `fn` put urgent jobs on the urgent queue (and the wake job that follows them on the
   * send queue), and sets URGENT_QUEUE_URL. Call with {@link bindEnqueue}.
   */
  bindUrgentEnqueue(fn: NodejsFunction): void {
    setEnv(fn, "URGENT_QUEUE_URL", this.urgentQueue.queueUrl);
    this.urgentQueue.grantSendMessages(fn);
  }

  /** Lets `fn` put send jobs on the queue (SendMessage), and sets QUEUE_URL. */
  /** Lets `fn` read how many jobs wait in the dead-letter queue (the owner's dashboard). */
  bindDeadLetterDepth(fn: NodejsFunction): void {
    setEnv(fn, "DEAD_LETTER_QUEUE_URL", this.deadLetterQueue.queueUrl);
    this.deadLetterQueue.grant(fn, "sqs:GetQueueAttributes");
  }

  /** The whole sequence paused in content (`sequence.paused`): dispatch claims nobody. */
  pauseSequence(paused: boolean): void {
    setEnv(this.dispatchFunction, "SEQUENCE_PAUSED", String(paused));
  }

  bindEnqueue(fn: NodejsFunction): void {
    setEnv(fn, "QUEUE_URL", this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }
}
