import { SecretValue } from "aws-cdk-lib";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { setEnv } from "./app-function";

/**
 * The two keys (the link-signing key and the subscriber-id key) in one Secrets Manager secret,
 * `HealthyHips-<stage>/keys`, that `npm run keys` makes before the first deploy: fresh keys for
 * a new stage, or the very values of an older stack's two key secrets, which stay untouched.
 * The stack never creates or changes it (CloudFormation would generate one random field, and
 * regenerate it whenever the generation settings change): it reads it. Deleting the stack leaves
 * it, as the retained table's subscriber ids are hashes under the id key.
 *
 * Every function that reads it gets `KEYS_LAYOUT` from the secret's `layout` field, which
 * CloudFormation reads when it deploys: without the secret (`npm run keys` not run) the deploy
 * fails and rolls back before any function changes.
 *
 * Least privilege: a secret is the unit of access, so a function given either key can read
 * both. Web, admin and send use both; the feedback function, which only hashes addresses, can
 * read the link-signing key too (a second secret costs $0.40 a month; see the README).
 */
export class Keys extends Construct {
  readonly secret: ISecret;
  readonly secretName: string;

  constructor(scope: Construct, id: string, props: { secretName: string }) {
    super(scope, id);
    this.secretName = props.secretName;
    this.secret = Secret.fromSecretNameV2(this, "Secret", props.secretName);
  }

  /** Signs every link token (confirm, unsubscribe, click, manage, form stamps). */
  bindTokenKey(fn: NodejsFunction): void {
    this.bind(fn);
  }

  /** Keys the subscriber-id hash of an address. */
  bindIdKey(fn: NodejsFunction): void {
    this.bind(fn);
  }

  private bind(fn: NodejsFunction): void {
    setEnv(fn, "KEYS_SECRET_ID", this.secretName);
    // The layout marker, not a key: the deploy's check that the secret exists and is ours.
    // By name, as Secrets Manager knows it without the ARN's random suffix.
    const layout = SecretValue.secretsManager(this.secretName, { jsonField: "layout" });
    setEnv(fn, "KEYS_LAYOUT", layout.unsafeUnwrap());
    this.secret.grantRead(fn);
  }
}
