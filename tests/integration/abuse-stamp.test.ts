import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../functions/core/schedule";
import { issueStamp, MIN_FILL_MS } from "../../functions/http/stamp";
import { abuseStack } from "./abuse";
import { withPayload } from "./abuse-inputs";
import { inbox } from "./inbox";

const env = abuseStack();
const { clock, recorder, request, signupJson, signupForm, subscriber } = env;

describe("bots are refused softly", () => {
  const realSuccess = async () => {
    const res = await signupJson({ email: "person.control@example.com", firstName: "Control" });
    expect(res.status).toBe(202);
    return res.json();
  };

  /** Answered exactly like a person, and nothing stored, nothing sent. */
  async function expectSoftRefusal(email: string, post: () => Promise<Response>, json: boolean) {
    const watch = recorder.watch();
    const res = await post();
    if (json) {
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual(realSuccessBody);
    } else {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/thanks");
    }
    expect(watch()).toEqual({ subscriberWrites: [], statsWrites: 0, sends: 0 });
    expect(await subscriber(email)).toBeUndefined();
    expect(await inbox(env.stack.inboxUrl, email)).toHaveLength(0);
  }
  let realSuccessBody: unknown;
  beforeAll(async () => {
    realSuccessBody = await realSuccess();
  });

  async function landingStamp() {
    const html = await (await request("/")).text();
    const stamp = /name="stamp" value="([^"]+)"/.exec(html)?.[1];
    expect(stamp).toBeDefined();
    return stamp as string;
  }

  it("the honeypot field, filled in, in JSON and in a form post", async () => {
    const email = "honey@example.com";
    await expectSoftRefusal(
      email,
      () => signupJson({ email, firstName: "Honey", website: "https://spam.example" }),
      true,
    );
    await expectSoftRefusal(
      email,
      () => signupForm({ email, firstName: "Honey", website: " " }),
      false,
    );
  });

  it("a forged, foreign, expired or instant stamp", async () => {
    const email = "stamp.bot@example.com";
    const real = await landingStamp();
    const forged = [
      undefined,
      "",
      "not-a-stamp",
      withPayload(real, (p) => Object.assign(p, { s: "forged" })),
      `${real.split(".")[0]}.${"A".repeat(43)}`,
      // A token the server signed, but for another purpose.
      env.stack.deps.tokens.sign({ purpose: "confirm", sid: "x", expiresAt: clock.now() + DAY_MS }),
    ];
    for (const stamp of forged) {
      await expectSoftRefusal(email, () => signupJson({ email, stamp }), true);
      await expectSoftRefusal(email, () => signupForm({ email, stamp: stamp as string }), false);
    }
    // Posted the moment the form was served, and just under the human minimum.
    const instant = await landingStamp();
    await expectSoftRefusal(email, () => signupForm({ email, stamp: instant }), false);
    clock.advance(MIN_FILL_MS - 1);
    await expectSoftRefusal(email, () => signupJson({ email, stamp: instant }), true);
    // A stamp from yesterday's page has expired.
    const old = await landingStamp();
    clock.advance(DAY_MS + 1000);
    await expectSoftRefusal(email, () => signupForm({ email, stamp: old }), false);
  });

  it("accepts a real stamp once a person could have filled in the form", async () => {
    const email = "stamp.person@example.com";
    const stamp = await landingStamp();
    clock.advance(MIN_FILL_MS + 500);
    const res = await signupForm({ email, firstName: "Patient", stamp });
    expect(res.status).toBe(303);
    expect((await subscriber(email))?.status).toBe("pending");
    expect(await inbox(env.stack.inboxUrl, email)).toHaveLength(1);

    const json = "stamp.person2@example.com";
    const stamp2 = issueStamp(env.stack.deps);
    clock.advance(MIN_FILL_MS);
    expect((await signupJson({ email: json, stamp: stamp2 })).status).toBe(202);
    expect(await inbox(env.stack.inboxUrl, json)).toHaveLength(1);
  });
});
