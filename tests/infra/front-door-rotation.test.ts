import {
  type DistributionConfig,
  GetDistributionCommand,
  UpdateDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import { GetSecretValueCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { describe, expect, it } from "vitest";
import { ORIGIN_SECRET_HEADER } from "../../functions/aws/env";
import { ORIGIN_SECRET_REFRESH_MS } from "../../functions/aws/origin-secret";
import { type RotationDeps, rotateOriginSecret } from "../../ops/lib/origin-rotation";

/**
 * `npm run rotate-origin-secret` against a model of the two services (no emulator exists for
 * either): Secrets Manager's version stages, and a CloudFront distribution whose edges send
 * the old header value until a change is deployed. At every simulated second the model checks
 * the one property that matters: every value CloudFront may send is accepted by every warm web
 * instance, each of which may hold what it read up to ORIGIN_SECRET_REFRESH_MS ago.
 */

const DEPLOY_MS = 4 * 60_000;
const T0 = Date.parse("2026-12-01T10:00:00Z");

function world(initial: { current: string; previous?: string; sent: string }) {
  let t = T0;
  let n = 0;
  /** Secret snapshots: from `at` on, the app reads these values. */
  const history = [{ at: t - 3_600_000, current: initial.current, previous: initial.previous }];
  const state = () => history.at(-1) as (typeof history)[number];
  const created = new Map<string, number>([[initial.current, t - 3_600_000]]);
  let cdn = { value: initial.sent, old: initial.sent, deployedAt: t - 1, etag: "E0" };
  const violations: string[] = [];
  const puts: string[] = [];

  const accepted = (at: number) => {
    const s = [...history].reverse().find((h) => h.at <= at) ?? state();
    return [s.current, s.previous];
  };
  const sentAt = (at: number) => (at < cdn.deployedAt ? [cdn.old, cdn.value] : [cdn.value]);
  const check = () => {
    // A warm instance read at some moment in the last refresh period; try each moment the
    // secret changed within it, and its start.
    const reads = [t - ORIGIN_SECRET_REFRESH_MS, ...history.map((h) => h.at)].filter(
      (r) => r >= t - ORIGIN_SECRET_REFRESH_MS && r <= t,
    );
    for (const value of sentAt(t)) {
      for (const r of reads) {
        if (!accepted(r).includes(value)) {
          violations.push(
            `at +${(t - T0) / 1000}s an instance that read at +${(r - T0) / 1000}s refuses CloudFront`,
          );
        }
      }
    }
  };
  const config = (): DistributionConfig =>
    ({
      CallerReference: "x",
      Comment: "Healthy Hips",
      Enabled: true,
      DefaultCacheBehavior: { TargetOriginId: "api", ViewerProtocolPolicy: "redirect-to-https" },
      Origins: {
        Quantity: 2,
        Items: [
          {
            Id: "api",
            DomainName: "abc.execute-api.eu-west-1.amazonaws.com",
            CustomHeaders: {
              Quantity: 1,
              Items: [{ HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: cdn.value }],
            },
          },
          { Id: "bucket", DomainName: "b.s3.eu-west-1.amazonaws.com" },
        ],
      },
    }) as DistributionConfig;

  const secrets = {
    send: async (command: unknown) => {
      check();
      if (command instanceof GetSecretValueCommand) {
        const s = state();
        const value = command.input.VersionStage === "AWSPREVIOUS" ? s.previous : s.current;
        return { SecretString: value, CreatedDate: new Date(created.get(value ?? "") ?? T0) };
      }
      if (command instanceof PutSecretValueCommand) {
        const value = String(command.input.SecretString);
        puts.push(value);
        created.set(value, t);
        history.push({ at: t, current: value, previous: state().current });
        return {};
      }
      throw new Error("unexpected Secrets Manager call");
    },
  } as unknown as RotationDeps["secrets"];

  const cloudfront = {
    send: async (command: unknown) => {
      check();
      if (command instanceof GetDistributionCommand) {
        return {
          ETag: cdn.etag,
          Distribution: {
            Status: t >= cdn.deployedAt ? "Deployed" : "InProgress",
            DistributionConfig: config(),
          },
        };
      }
      if (command instanceof UpdateDistributionCommand) {
        if (command.input.IfMatch !== cdn.etag) throw new Error("PreconditionFailed");
        const header = command.input.DistributionConfig?.Origins?.Items?.[0]?.CustomHeaders
          ?.Items?.[0]?.HeaderValue as string;
        cdn = {
          value: header,
          old: sentAt(t)[0] as string,
          deployedAt: t + DEPLOY_MS,
          etag: `E${++n}`,
        };
        return {};
      }
      throw new Error("unexpected CloudFront call");
    },
  } as unknown as RotationDeps["cloudfront"];

  const said: string[] = [];
  const deps = (over: Partial<RotationDeps> = {}): RotationDeps => ({
    secrets,
    cloudfront,
    secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin",
    distributionId: "E2EXAMPLE",
    now: () => t,
    sleep: async (ms) => {
      for (const end = t + ms; t < end; ) {
        t = Math.min(end, t + 1000);
        check();
      }
    },
    say: (line) => said.push(line),
    newValue: () => `new-${puts.length + 1}-${"v".repeat(50)}`,
    ...over,
  });
  /** Time passes with nothing running (CloudFront finishes deploying, instances refresh). */
  const idle = (ms: number) => deps().sleep(ms);
  return { deps, idle, violations, puts, said, sent: () => sentAt(t), secret: state };
}

const A = "a".repeat(64);
const B = "b".repeat(64);

describe("rotating the origin secret", () => {
  it("never leaves a moment in which CloudFront is refused, and ends sending the new value", async () => {
    const w = world({ current: A, sent: A });
    expect(await rotateOriginSecret(w.deps())).toBe("rotated");
    expect(w.violations).toEqual([]);
    expect(w.puts).toHaveLength(1);
    expect(w.sent()).toEqual([w.puts[0]]);
    expect(w.secret()).toMatchObject({ current: w.puts[0], previous: A });
    // A direct caller holding the old value is refused after the next rotation.
    await w.idle(ORIGIN_SECRET_REFRESH_MS);
    expect(await rotateOriginSecret(w.deps())).toBe("rotated");
    expect(w.violations).toEqual([]);
    expect(w.secret().previous).toBe(w.puts[0]);
    expect([w.secret().current, w.secret().previous]).not.toContain(A);
  });

  it("prints no secret value", async () => {
    const w = world({ current: A, sent: A });
    await rotateOriginSecret(w.deps());
    const text = w.said.join("\n");
    for (const value of [A, ...w.puts]) expect(text).not.toContain(value);
  });

  it("the model catches a rotation that does not wait for the instances (the test can fail)", async () => {
    const w = world({ current: A, sent: A });
    await rotateOriginSecret(w.deps({ settleMs: 0 }));
    expect(w.violations.length).toBeGreaterThan(0);
  });

  it("run again after an interruption, it finishes the rotation instead of starting another", async () => {
    const w = world({ current: A, sent: A });
    const interrupted = w.deps({
      sleep: async () => {
        throw new Error("interrupted");
      },
    });
    await expect(rotateOriginSecret(interrupted)).rejects.toThrow("interrupted");
    expect(w.puts).toHaveLength(1);
    expect(w.sent()).toEqual([A]);
    await w.idle(60_000);
    expect(await rotateOriginSecret(w.deps())).toBe("resumed");
    expect(w.puts).toHaveLength(1);
    expect(w.sent()).toEqual([w.puts[0]]);
    expect(w.violations).toEqual([]);
  });

  it("does not start while CloudFront still deploys an earlier switch (some edges send the older value)", async () => {
    const w = world({ current: B, previous: A, sent: A });
    // Finish the earlier rotation: CloudFront switches A -> B; the command stops while it deploys.
    await expect(rotateOriginSecret(w.deps({ maxWaitMs: 1 }))).rejects.toThrow(/still deploying/);
    expect(w.sent()).toEqual([A, B]);
    // At once a new rotation: it must wait for the deploy, or A (still sent) would be dropped.
    expect(await rotateOriginSecret(w.deps())).toBe("rotated");
    expect(w.violations).toEqual([]);
    expect(w.said).toContain("CloudFront is still deploying an earlier change; waiting…");
  });
});
