import { RemovalPolicy } from "aws-cdk-lib";
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { Grant, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { Construct } from "constructs";
import { TABLE } from "../../../functions/adapters/table";
import { setEnv } from "./app-function";

/**
 * The one subscriber table: the key schema and sparse due index the store and the local stack
 * use (functions/adapters/table.ts), on demand, point-in-time recovery, TTL on `expiresAt`,
 * deletion protection, and kept when the stack is deleted.
 */
export class SubscriberTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, "Table", {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttl,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.dueIndex,
      partitionKey: { name: TABLE.dueShard, type: AttributeType.STRING },
      sortKey: { name: TABLE.dueAt, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...TABLE.dueProjection],
    });
  }

  /** The due index's ARN (no `index/*` wildcard: only the dispatcher queries it). */
  get dueIndexArn(): string {
    return `${this.table.tableArn}/index/${TABLE.dueIndex}`;
  }

  /**
   * The public web app: signups, confirms and the welcome kick, clicks (a click record created
   * beside a profile an erase just deleted is taken back), counters, export and erase (a Query
   * of the subscriber's partition and BatchWrite deletes). Never the due index, never a Scan.
   */
  bindWebAccess(fn: NodejsFunction): void {
    this.bind(
      fn,
      [this.table.tableArn],
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchWriteItem",
      ],
    );
  }

  /**
   * The owner's area: what the web app does to one subscriber (find, pause, erase, import),
   * owners' login links and sessions (signing out deletes one), the report's counters
   * (BatchGet) and its count of who falls due (a Query of the due index), and the CSV export of
   * everyone (the only Scan in the stack).
   */
  bindOwnerAccess(fn: NodejsFunction): void {
    this.bind(
      fn,
      [this.table.tableArn],
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:Scan",
      ],
    );
    this.bind(fn, [this.dueIndexArn], ["dynamodb:Query"]);
  }

  /** The dispatcher: query the due index, claim each entry with a conditional update. */
  bindDueClaims(fn: NodejsFunction): void {
    this.bind(fn, [this.dueIndexArn], ["dynamodb:Query"]);
    this.bind(fn, [this.table.tableArn], ["dynamodb:UpdateItem"]);
  }

  /** Send and feedback workers: read one subscriber, write one conditional update. */
  bindItemUpdates(fn: NodejsFunction): void {
    this.bind(fn, [this.table.tableArn], ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
  }

  /**
   * The send worker at cold start: publish the course's order (a conditional put), read the
   * published orders, and find completed subscribers in the parked shards of the due index.
   */
  bindSequencePublishing(fn: NodejsFunction): void {
    this.bind(fn, [this.dueIndexArn], ["dynamodb:Query"]);
    // Puts and table queries only in published-sequence partitions: it can never overwrite
    // a subscriber.
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["dynamodb:PutItem", "dynamodb:Query"],
        resources: [this.table.tableArn],
        conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SEQ#*"] } },
      }),
    );
  }

  private bind(fn: NodejsFunction, resourceArns: string[], actions: string[]): void {
    setEnv(fn, "TABLE_NAME", this.table.tableName);
    Grant.addToPrincipal({ grantee: fn, actions, resourceArns });
  }
}
