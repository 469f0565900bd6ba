import {
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import { consoleUrl, type Finding, fail, pass, skip } from "./finding";

/** The alarm topic's email subscription to the alarm address is confirmed. */
export async function checkAlarmSubscription(
  sns: Pick<SNSClient, "send">,
  ctx: { region: string; topicArn?: string; email: string },
): Promise<Finding> {
  if (!ctx.topicArn) return skip("Alarm email: subscribed by the deploy", "Deploy the stack.");
  const subs: Subscription[] = [];
  let token: string | undefined;
  do {
    const page = await sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: ctx.topicArn, NextToken: token }),
    );
    subs.push(...(page.Subscriptions ?? []));
    token = page.NextToken;
  } while (token);
  const mine = subs.filter(
    (s) => s.Protocol === "email" && s.Endpoint?.toLowerCase() === ctx.email.toLowerCase(),
  );
  if (mine.length === 0) {
    return fail(
      `Alarms are not sent to ${ctx.email}: no email subscription on the alarm topic`,
      "Deploy the stack again (it subscribes the alarm address), then confirm the email AWS sends.",
    );
  }
  if (mine.every((s) => s.SubscriptionArn === "PendingConfirmation")) {
    return fail(
      `Alarm email to ${ctx.email} is pending confirmation: alarms reach no one yet`,
      `Open the email "AWS Notification - Subscription Confirmation" sent to ${ctx.email} (look in spam too) and click "Confirm subscription". To have it sent again: ${consoleUrl.subscriptions(ctx.region)} → select the pending subscription → Request confirmation.`,
    );
  }
  return pass(`Alarm email to ${ctx.email} is confirmed`);
}
