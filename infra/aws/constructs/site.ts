import { existsSync } from "node:fs";
import { join } from "node:path";
import { Fn, Size, Stack, Validations } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Function as CdnFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct, type IConstruct } from "constructs";
import { ORIGIN_SECRET_HEADER, VIEWER_IP_HEADER } from "../../../functions/aws/env";
import { logicalIdOf, setEnv } from "./app-function";

export interface SiteProps {
  api: HttpApi;
  /** The value CloudFront adds to every request to the API, which the app requires. */
  originSecret: ISecret;
  /**
   * Built static files: `<assetsDir>/guide/*.pdf` and the site's fonts and browser scripts
   * under `<assetsDir>/static/` (functions/guide/build.ts writes both).
   */
  assetsDir: string;
  /** Course media (`content/media`): poster, video. */
  mediaDir: string;
  /** Custom https origin and its us-east-1 certificate; absent: the cloudfront.net domain. */
  siteUrl?: string;
  certificateArn?: string;
}

/** Paths CloudFront serves from the bucket; everything else goes to the HTTP API. */
export const STATIC_PATHS = ["/guide/*", "/media/*", "/static/*"] as const;

/**
 * One origin for the whole site: CloudFront serves the PDF guide and media from a private S3
 * bucket (origin access control) and sends every other request to the HTTP API uncached,
 * except the content-hashed `/assets/*`. The built guide and the media are deployed with the
 * stack.
 */
export class Site extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The public origin links in emails point at. */
  readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const guideDir = join(props.assetsDir, "guide");
    if (!existsSync(guideDir)) {
      throw new Error(`${guideDir} is missing: build the guide first (npm run guide)`);
    }
    this.bucket = new Bucket(this, "Assets", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "Holds only the public guide and media, read solely by CloudFront through OAC.",
    });

    const api = new HttpOrigin(Fn.select(2, Fn.split("/", props.api.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // A dynamic reference: CloudFormation resolves it when it writes the distribution, so the
      // value is in neither the template nor the deploy's output. Rotation updates the
      // distribution itself (ops/rotate-origin-secret.ts); a later deploy that touches the
      // distribution resolves the same current value.
      customHeaders: { [ORIGIN_SECRET_HEADER]: props.originSecret.secretValue.unsafeUnwrap() },
    });
    const files = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const fromBucket: BehaviorOptions = {
      origin: files,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
    };
    // The app limits signups per client address; this is the one it can trust.
    const viewerIp = new CdnFunction(this, "ViewerIp", {
      comment: "Sets x-viewer-ip from the connection, replacing any value the client sent",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(
        `function handler(event) { event.request.headers["${VIEWER_IP_HEADER}"] = { value: event.viewer.ip }; return event.request; }`,
      ),
    });
    const host = props.siteUrl ? new URL(props.siteUrl).host : undefined;
    this.distribution = new Distribution(this, "Cdn", {
      comment: "Healthy Hips",
      defaultBehavior: {
        origin: api,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        functionAssociations: [{ function: viewerIp, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        "/assets/*": {
          origin: api,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        },
        ...Object.fromEntries(STATIC_PATHS.map((p) => [p, fromBucket])),
      },
      domainNames: host ? [host] : undefined,
      certificate:
        host && props.certificateArn
          ? Certificate.fromCertificateArn(this, "Certificate", props.certificateArn)
          : undefined,
      minimumProtocolVersion: host ? SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    this.siteUrl = props.siteUrl ?? `https://${this.distribution.distributionDomainName}`;
    this.acknowledgeDistribution(Boolean(host));

    // One role for both deployments, so its findings are acknowledged here, where it is made.
    const role = new Role(this, "DeployRole", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    });
    new BucketDeployment(this, "Guide", {
      sources: [Source.asset(guideDir)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: "guide/",
      distribution: this.distribution,
      distributionPaths: ["/guide/*"],
      role,
    });
    new BucketDeployment(this, "Media", {
      sources: [Source.asset(props.mediaDir)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: "media/",
      distribution: this.distribution,
      distributionPaths: ["/media/*"],
      role,
      // Room for a masterclass video: the handler unzips the asset in its /tmp.
      memoryLimit: 1024,
      ephemeralStorageSize: Size.gibibytes(4),
    });
    const staticDir = join(props.assetsDir, "static");
    // Synths that only check the template run without the built fonts and scripts.
    if (existsSync(staticDir)) {
      new BucketDeployment(this, "Static", {
        sources: [Source.asset(staticDir)],
        destinationBucket: this.bucket,
        destinationKeyPrefix: "static/",
        distribution: this.distribution,
        distributionPaths: ["/static/*"],
        role,
      });
    }
    this.acknowledgeDeployment(role);
  }

  /** Sets SITE_URL, the origin of every link in an email. */
  bindSiteUrl(fn: NodejsFunction): void {
    setEnv(fn, "SITE_URL", this.siteUrl);
  }

  private acknowledgeDistribution(customDomain: boolean) {
    const cdn = Validations.of(this.distribution);
    cdn.acknowledge(
      { id: "AwsSolutions-CFR1", reason: "The course is offered worldwide: no geo restriction." },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "No WAF: the API stage is throttled and signups are rate-limited per address in code.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "No CloudFront access logs: request paths carry link tokens; the API keeps path-free access logs.",
      },
    );
    if (!customDomain) {
      cdn.acknowledge({
        id: "AwsSolutions-CFR4",
        reason:
          "Without a custom domain the default cloudfront.net certificate is used, whose TLS policy cannot be set; with siteUrl and a certificate the minimum is TLSv1.2_2021.",
      });
    }
  }

  /** The BucketDeployment handler (a CDK-provided singleton at stack level) and its role. */
  private acknowledgeDeployment(role: Role) {
    Validations.of(role).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "CDK's BucketDeployment handler writes its own logs with the basic execution role.",
      },
      ...[
        "Action::s3:GetBucket*",
        "Action::s3:GetObject*",
        "Action::s3:List*",
        "Action::s3:Abort*",
        "Action::s3:DeleteObject*",
        `Resource::<${logicalIdOf(this.bucket)}.Arn>/*`,
        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
        // cloudfront:CreateInvalidation has no resource-level permissions.
        "Resource::*",
      ].map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "CDK's BucketDeployment copies the asset into the site bucket and invalidates the distribution; scoped by CDK to the asset and site buckets.",
      })),
    );
    const stack = Stack.of(this);
    const handlers = stack.node.children.filter((c: IConstruct) =>
      c.node.id.startsWith("Custom::CDKBucketDeployment"),
    );
    for (const handler of handlers) {
      Validations.of(handler).acknowledge({
        id: "AwsSolutions-L1",
        reason: "CDK's BucketDeployment handler: its runtime is chosen and updated by aws-cdk-lib.",
      });
    }
  }
}
