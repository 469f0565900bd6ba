import "./setup";
import {
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import { CreateSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { App, Stack as CdkStack } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { readKeys } from "../../functions/aws/secrets";
import { KEYS_LAYOUT } from "../../functions/core/keys-document";
import { createTokens, parseKeyRing, subscriberId } from "../../functions/core/tokens";
import { keysSecretName, stackName } from "../../infra/aws/config";
import { type KeysDeps, KeysError, LEGACY_KEY_IDS, setUpKeys } from "../../ops/lib/keys-setup";

/**
 * `npm run keys` against a model of the two services it calls (no emulator exists for either):
 * Secrets Manager's secrets by name and ARN, and a CloudFormation stack's status and resources,
 * listed a page at a time. An older stack is modelled as the Keys construct deployed it: two
 * secrets, `Keys/TokenKey` and `Keys/IdKey`, whose values its functions read. The property that
 * matters: the functions of the new stack (functions/aws/secrets.ts `readKeys`, on the keys
 * secret) verify every link the old ones signed and hash every address to the same subscriber
 * id, and the old secrets are never written, so the old functions read the same keys until the
 * deploy replaces them.
 */

const STAGE = "prod";
const STACK = stackName(STAGE);
const NAME = keysSecretName(STAGE);
const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const OLD_TOKEN = `${"T".repeat(40)}oldTokenKey0123456789abcdef`;
const OLD_ID = `${"I".repeat(40)}oldIdKey0123456789abcdefgh`;
const NOW = Date.parse("2026-12-02T10:00:00Z");

interface Stack {
  status: string;
  resources: StackResourceSummary[];
}

function world(opts: { stack?: Stack; secrets?: Record<string, string> }) {
  /** Secrets by name; each also answers to its ARN. */
  const secrets = new Map(Object.entries(opts.secrets ?? {}));
  const writes: string[] = [];
  const find = (id: string) =>
    [...secrets.entries()].find(([name]) => name === id || ARN(name) === id);
  const notFound = () =>
    Object.assign(new Error("Secrets Manager can't find the specified secret."), {
      name: "ResourceNotFoundException",
    });
  const sm = {
    send: async (command: unknown) => {
      if (command instanceof GetSecretValueCommand) {
        const hit = find(String(command.input.SecretId));
        if (!hit) throw notFound();
        return { Name: hit[0], ARN: ARN(hit[0]), SecretString: hit[1] };
      }
      if (command instanceof CreateSecretCommand) {
        const name = String(command.input.Name);
        writes.push(`create ${name}`);
        if (secrets.has(name)) {
          throw Object.assign(new Error("exists"), { name: "ResourceExistsException" });
        }
        secrets.set(name, String(command.input.SecretString));
        return { Name: name, ARN: ARN(name) };
      }
      writes.push(String((command as object).constructor.name));
      throw new Error("unexpected Secrets Manager call");
    },
  } as unknown as KeysDeps["secrets"];
  const cfn = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStacksCommand) {
        if (!opts.stack) {
          throw Object.assign(new Error(`Stack with id ${STACK} does not exist`), {
            name: "ValidationError",
          });
        }
        return { Stacks: [{ StackName: STACK, StackStatus: opts.stack.status }] };
      }
      if (command instanceof ListStackResourcesCommand) {
        // One resource a page, so the command must follow NextToken to find both secrets.
        const at = Number(command.input.NextToken ?? 0);
        const all = opts.stack?.resources ?? [];
        return {
          StackResourceSummaries: all.slice(at, at + 1),
          NextToken: at + 1 < all.length ? String(at + 1) : undefined,
        };
      }
      throw new Error("unexpected CloudFormation call");
    },
  } as unknown as KeysDeps["cloudformation"];
  const said: string[] = [];
  let n = 0;
  const deps: KeysDeps = {
    secrets: sm,
    cloudformation: cfn,
    stackName: STACK,
    secretName: NAME,
    say: (line) => said.push(line),
    newKey: () => `fresh-${++n}-${"f".repeat(48)}`,
  };
  return { deps, secrets, writes, said };
}

const resource = (logicalId: string, name: string): StackResourceSummary =>
  ({
    LogicalResourceId: logicalId,
    PhysicalResourceId: ARN(name),
    ResourceType: "AWS::SecretsManager::Secret",
    ResourceStatus: "UPDATE_COMPLETE",
  }) as StackResourceSummary;

it("the old key secrets are found by the logical ids CDK gave the earlier Keys construct's two secrets, in any stage", () => {
  for (const stage of ["prod", "staging"]) {
    // As infra/aws/constructs/keys.ts made them before the keys secret: Keys/TokenKey, Keys/IdKey.
    const stack = new CdkStack(new App(), stackName(stage));
    const keys = new Construct(stack, "Keys");
    const generated = { passwordLength: 64, excludePunctuation: true, includeSpace: false };
    const ids = ["TokenKey", "IdKey"].map((id) =>
      stack.getLogicalId(
        new Secret(keys, id, { generateSecretString: generated }).node.defaultChild as never,
      ),
    );
    expect(ids).toEqual([LEGACY_KEY_IDS.tokenKey, LEGACY_KEY_IDS.idKey]);
  }
});

/** A stack deployed before this version, as the Keys construct made it (CDK's logical ids). */
const oldStack = (status = "UPDATE_COMPLETE"): Stack => ({
  status,
  resources: [
    { ...resource("SubscribersTable75BE339A", "x"), ResourceType: "AWS::DynamoDB::Table" },
    resource("KeysTokenKey76CF97D7", "KeysTokenKey76CF97D7-q1w2e3r4"),
    resource("WebOriginSecret2E613EFE", "WebOriginSecret2E613EFE-zzzz"),
    resource("KeysIdKey74E80E45", "KeysIdKey74E80E45-a1s2d3f4"),
  ],
});
const OLD_SECRETS = {
  "KeysTokenKey76CF97D7-q1w2e3r4": OLD_TOKEN,
  "KeysIdKey74E80E45-a1s2d3f4": OLD_ID,
  "WebOriginSecret2E613EFE-zzzz": "o".repeat(64),
};

/** What a function of the new stack reads, through the runtime's own reader. */
const newFunctionKeys = (w: ReturnType<typeof world>) =>
  readKeys(w.deps.secrets, NAME, KEYS_LAYOUT);

/** Links and ids made by the old stack's functions, from the old secrets' values. */
function madeByOldStack(tokenStored: string, idKey: string) {
  const tokens = createTokens(parseKeyRing(tokenStored));
  return {
    unsubscribe: tokens.sign({
      purpose: "email",
      sid: subscriberId(idKey, "ana@example.com"),
      emailId: "lesson-1",
      expiresAt: NOW + 5 * 365 * 86_400_000,
    }),
    sid: subscriberId(idKey, "ana@example.com"),
  };
}

describe("npm run keys: an upgrade keeps the deployment's keys", () => {
  it("copies an older stack's token and id keys, unchanged, into the keys secret; the old secrets are only read", async () => {
    const w = world({ stack: oldStack(), secrets: { ...OLD_SECRETS } });
    const old = madeByOldStack(OLD_TOKEN, OLD_ID);

    expect(await setUpKeys(w.deps)).toBe("copied");

    expect(w.writes).toEqual([`create ${NAME}`]);
    // The old functions, still deployed until the deploy replaces them, read what they read.
    expect(w.secrets.get("KeysTokenKey76CF97D7-q1w2e3r4")).toBe(OLD_TOKEN);
    expect(w.secrets.get("KeysIdKey74E80E45-a1s2d3f4")).toBe(OLD_ID);
    // The new functions: the same links verify, the same address is the same subscriber.
    const keys = await newFunctionKeys(w);
    const tokens = createTokens(parseKeyRing(keys.tokenKey));
    expect(tokens.verify(old.unsubscribe, "email", NOW).sid).toBe(old.sid);
    expect(subscriberId(keys.idKey, "ana@example.com")).toBe(old.sid);
    expect(keys).toEqual({ tokenKey: OLD_TOKEN, idKey: OLD_ID });
    // It says which two secrets may be deleted after the deploy, and never a key.
    const text = w.said.join("\n");
    expect(text).toContain(ARN("KeysTokenKey76CF97D7-q1w2e3r4"));
    expect(text).toContain(ARN("KeysIdKey74E80E45-a1s2d3f4"));
    expect(text).not.toContain(OLD_TOKEN);
    expect(text).not.toContain(OLD_ID);
  });

  it("keeps a rotated token key ring whole: links signed with the previous key verify until its grace ends", async () => {
    const previous = OLD_TOKEN;
    const ring = JSON.stringify({
      current: "N".repeat(64),
      previous,
      rotatedAt: "2026-11-20T00:00:00Z",
      graceDays: 90,
    });
    const w = world({
      stack: oldStack(),
      secrets: { ...OLD_SECRETS, "KeysTokenKey76CF97D7-q1w2e3r4": ring },
    });
    const beforeRotation = madeByOldStack(previous, OLD_ID);
    const afterRotation = madeByOldStack(ring, OLD_ID);

    await setUpKeys(w.deps);

    const tokens = createTokens(parseKeyRing((await newFunctionKeys(w)).tokenKey));
    expect(tokens.verify(beforeRotation.unsubscribe, "email", NOW).sid).toBe(beforeRotation.sid);
    expect(tokens.verify(afterRotation.unsubscribe, "email", NOW).sid).toBe(afterRotation.sid);
    expect(parseKeyRing((await newFunctionKeys(w)).tokenKey)).toEqual(parseKeyRing(ring));
  });

  it("run again (before or after the deploy) it only checks, and writes nothing", async () => {
    const w = world({ stack: oldStack(), secrets: { ...OLD_SECRETS } });
    await setUpKeys(w.deps);
    w.writes.length = 0;
    expect(await setUpKeys(w.deps)).toBe("present");
    // After the deploy the stack no longer lists the old secrets.
    const deployed = world({
      stack: { status: "UPDATE_COMPLETE", resources: oldStack().resources.slice(0, 1) },
      secrets: Object.fromEntries(w.secrets),
    });
    expect(await setUpKeys(deployed.deps)).toBe("present");
    expect([...w.writes, ...deployed.writes]).toEqual([]);
  });

  it("a new stage (no stack yet, a first deploy that rolled back, a change set never run) gets two fresh, different keys", async () => {
    const never = (status: string) => ({ status, resources: [] });
    for (const stack of [undefined, never("ROLLBACK_COMPLETE"), never("REVIEW_IN_PROGRESS")]) {
      const w = world({ stack });
      expect(await setUpKeys(w.deps)).toBe("created");
      const keys = await newFunctionKeys(w);
      expect(keys.tokenKey).not.toBe(keys.idKey);
      expect(keys.tokenKey.length).toBeGreaterThanOrEqual(32);
      expect(w.said.join("\n")).not.toContain(keys.idKey);
    }
  });

  it("the default fresh key is 64 random base64url characters", async () => {
    const w = world({});
    w.deps.newKey = undefined;
    await setUpKeys(w.deps);
    const keys = await newFunctionKeys(w);
    for (const k of [keys.tokenKey, keys.idKey]) expect(k).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(keys.tokenKey).not.toBe(keys.idKey);
  });
});

describe("npm run keys refuses, changing nothing", () => {
  const refusal = async (w: ReturnType<typeof world>) => {
    const before = new Map(w.secrets);
    const error = await setUpKeys(w.deps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeysError);
    expect(w.writes).toEqual([]);
    expect(w.secrets).toEqual(before);
    for (const key of [OLD_TOKEN, OLD_ID]) expect((error as Error).message).not.toContain(key);
    return (error as Error).message;
  };

  it("a deployed stack with neither the keys secret nor its old key secrets: fresh keys would orphan every subscriber", async () => {
    const stack = { status: "UPDATE_COMPLETE", resources: oldStack().resources.slice(0, 1) };
    expect(await refusal(world({ stack }))).toMatch(/orphan every subscriber id/);
  });

  it("a deployed stack with only one of its two old key secrets", async () => {
    const [table, token] = oldStack().resources;
    const stack = {
      status: "UPDATE_COMPLETE",
      resources: [table, token] as StackResourceSummary[],
    };
    expect(await refusal(world({ stack, secrets: { ...OLD_SECRETS } }))).toMatch(/both of its/);
  });

  it("an old key secret that is not a key (too short, or a broken key ring)", async () => {
    for (const bad of ["short", '{"current": "x"}', "{not json"]) {
      const secrets = { ...OLD_SECRETS, "KeysTokenKey76CF97D7-q1w2e3r4": bad };
      expect(await refusal(world({ stack: oldStack(), secrets }))).toMatch(/key secrets/);
    }
    const secrets = { ...OLD_SECRETS, "KeysIdKey74E80E45-a1s2d3f4": "i".repeat(31) };
    expect(await refusal(world({ stack: oldStack(), secrets }))).toMatch(/idKey/);
  });

  it("a keys secret that is malformed, of another layout, or holds other keys than the stack's old secrets", async () => {
    const doc = (o: object) => JSON.stringify(o);
    const malformed = [
      "not json",
      doc({ layout: "other", tokenKey: OLD_TOKEN, idKey: OLD_ID }),
      doc({ layout: KEYS_LAYOUT, tokenKey: OLD_TOKEN }),
      doc({ layout: KEYS_LAYOUT, tokenKey: OLD_TOKEN, idKey: OLD_ID, extra: 1 }),
    ];
    for (const value of malformed) {
      const w = world({ stack: oldStack(), secrets: { ...OLD_SECRETS, [NAME]: value } });
      expect(await refusal(w)).toMatch(/nothing changed/);
    }
    const other = doc({ layout: KEYS_LAYOUT, tokenKey: OLD_TOKEN, idKey: "J".repeat(64) });
    const w = world({ stack: oldStack(), secrets: { ...OLD_SECRETS, [NAME]: other } });
    expect(await refusal(w)).toMatch(/differs from the TokenKey and IdKey/);
  });
});

describe("the functions read only the layout they were deployed against", () => {
  it("a keys secret of another layout, or a stack deployed against another layout, fails the cold start", async () => {
    const w = world({ secrets: {} });
    await setUpKeys(w.deps);
    await expect(readKeys(w.deps.secrets, NAME, "healthy-hips-keys-0")).rejects.toThrow(
      /deployed keys layout/,
    );
    w.secrets.set(NAME, JSON.stringify({ layout: "x", tokenKey: OLD_TOKEN, idKey: OLD_ID }));
    await expect(readKeys(w.deps.secrets, NAME, KEYS_LAYOUT)).rejects.toThrow(/layout is not/);
    // An old key secret's plain value is not the keys secret.
    await expect(
      readKeys(w.deps.secrets, NAME.replace("keys", "nope"), KEYS_LAYOUT),
    ).rejects.toThrow(/can't find/);
  });
});
