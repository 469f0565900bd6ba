/**
 * AWS list prices used by the cost rows: region us-east-1 (N. Virginia), USD, on-demand, no
 * free tier, no savings plans. Taken from AWS's public pricing pages named beside each price,
 * as published in 2025 (DynamoDB's on-demand prices after its November 2024 reduction). They
 * are not fetched at run time: check the pages before quoting a figure, and change a price
 * here when AWS changes it. Checked again in December 2026 against stored copies of the pages
 * for the three prices the fixed cost at rest is made of: Secrets Manager $0.40 per secret-month,
 * CloudWatch $0.10 per standard-resolution alarm metric-month, SQS standard $0.40 per million
 * requests (each empty long poll is one).
 */
export const PRICES = {
  region: "us-east-1",
  asOf: "AWS pricing pages as published in 2025",
  /** Amazon SES pricing: outbound email, per email ($0.10 per 1,000). */
  sesEmail: 0.1 / 1000,
  /** Amazon DynamoDB pricing, on-demand: per write request unit ($0.625 per million). */
  dynamoWrite: 0.625 / 1e6,
  /** Amazon DynamoDB pricing, on-demand: per read request unit ($0.125 per million). */
  dynamoRead: 0.125 / 1e6,
  /** Amazon SQS pricing, standard queue: per request, each 64 KiB chunk ($0.40 per million). */
  sqsRequest: 0.4 / 1e6,
  /** AWS Lambda pricing: per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1e6,
  /** AWS Lambda pricing, Arm (the stack's architecture): per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Amazon API Gateway pricing, HTTP APIs: per request ($1.00 per million, first 300 million). */
  httpApiRequest: 1 / 1e6,
  /** Amazon CloudFront pricing, North America: HTTPS requests ($0.0100 per 10,000). */
  cloudFrontRequest: 0.01 / 10_000,
  /** Amazon CloudFront pricing, North America: data transfer out to the internet, per GB. */
  cloudFrontGb: 0.085,
  /** Amazon CloudFront pricing, CloudFront Functions: per invocation ($0.10 per million). */
  cloudFrontFunction: 0.1 / 1e6,
  /** Amazon CloudWatch pricing, Logs: ingestion, per GB. */
  logsIngestGb: 0.5,
  /**
   * Amazon CloudWatch pricing, Alarms: per standard-resolution alarm metric, per month (an alarm
   * on a metric-math expression pays for each metric in it; a composite alarm $0.50 on top).
   */
  alarmMonth: 0.1,
  /** AWS Secrets Manager pricing: per secret, per month (plus $0.05 per 10,000 API calls). */
  secretMonth: 0.4,
  /** AWS Key Management Service pricing: per customer managed key, per month. */
  kmsKeyMonth: 1,
  /** Amazon EventBridge pricing, Scheduler: per invocation ($1.00 per million). */
  schedulerInvocation: 1 / 1e6,
  /** Amazon S3 pricing, S3 Standard: per GB-month (first 50 TB). */
  s3GbMonth: 0.023,
} as const;

/** Hours in a month as AWS bills them. */
export const HOURS_PER_MONTH = 730;
