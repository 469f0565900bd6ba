import { describe, expect, it } from "vitest";
import { CONFIRM_THROTTLE } from "../../functions/core/limits";
import { DAY_MS } from "../../functions/core/schedule";
import { EVIDENCE_KEPT } from "../../functions/core/transitions";
import { sidFor } from "../../functions/funnel/subscriptions";
import { abuseStack, scanTable } from "./abuse";
import { inbox } from "./inbox";

const env = abuseStack();
const { clock, recorder, signupJson, subscriber } = env;

describe("signup floods", () => {
  it("300 signups for one address (from 300 addresses, 30 at a time) send one email and write one item", async () => {
    const email = "flood@example.com";
    const watch = recorder.watch();
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          signupJson({ email, firstName: "Flood" }).then((r) => r.status),
        ),
      );
      expect(results.every((s) => s === 202)).toBe(true);
    }
    expect(await inbox(env.stack.inboxUrl, email)).toHaveLength(1);
    const sid = sidFor(env.stack.deps, email);
    const items = Object.keys(await scanTable(env.stack.dynamoEndpoint)).filter((k) =>
      k.startsWith(`SUB#${sid} `),
    );
    expect(items).toEqual([`SUB#${sid} PROFILE`]);
    // One create won; the others appended their evidence (a bounded history) to the one item.
    const sub = await subscriber(email);
    expect(sub?.status).toBe("pending");
    expect(sub?.signups?.length).toBeLessThanOrEqual(EVIDENCE_KEPT);
    const { subscriberWrites, sends } = watch();
    expect(sends).toBe(1);
    const written = new Set(subscriberWrites);
    expect(written.has(`SUB#${sid}`)).toBe(true);
    // Besides the profile: the mailbox's one throttle item and the clients' rate items.
    for (const pk of written) expect(pk).toMatch(new RegExp(`^(SUB#${sid}|THROTTLE#|RATE#)`));
    expect([...written].filter((pk) => pk.startsWith("THROTTLE#"))).toHaveLength(1);
  }, 120_000);

  it("a first confirmation to a mailbox writes its throttle once and reads none; the next one reads it", async () => {
    const throttleReads = () => recorder.reads.filter((r) => r.pk.startsWith("THROTTLE#")).length;
    const throttleWrites = () => recorder.writes.filter((w) => w.pk.startsWith("THROTTLE#")).length;
    const [reads, writes] = [throttleReads(), throttleWrites()];
    expect((await signupJson({ email: "first.mailbox@example.com" })).status).toBe(202);
    await env.stack.drain();
    expect(await inbox(env.stack.inboxUrl, "first.mailbox@example.com")).toHaveLength(1);
    expect([throttleReads() - reads, throttleWrites() - writes]).toEqual([0, 1]);
    // Another spelling of the same mailbox: its throttle exists, so it is read, and it holds.
    expect((await signupJson({ email: "first.mailbox+2@example.com" })).status).toBe(202);
    await env.stack.drain();
    expect(throttleReads() - reads).toBeGreaterThanOrEqual(1);
    expect(await inbox(env.stack.inboxUrl, "first.mailbox+2@example.com")).toHaveLength(0);
  });

  it("eight +tag variants and dotted Gmail spellings of one mailbox get one confirmation", async () => {
    const variants = [
      ...Array.from({ length: 8 }, (_, i) => `victim+${i}@example.com`),
      "Victim@example.com",
    ];
    const gmail = ["v.i.c.t.i.m@gmail.com", "victim+x@googlemail.com", "VICTIM@gmail.com"];
    for (const email of [...variants, ...gmail]) {
      expect((await signupJson({ email })).status).toBe(202);
    }
    const inMailbox = async (list: string[]) =>
      (await Promise.all(list.map((e) => inbox(env.stack.inboxUrl, e)))).flat().length;
    expect(await inMailbox(variants)).toBe(1);
    expect(await inMailbox(gmail)).toBe(1);
    // They are still distinct subscribers.
    const sids = new Set(variants.map((e) => sidFor(env.stack.deps, e)));
    expect(sids.size).toBe(variants.length);
    for (const e of variants) expect((await subscriber(e))?.status).toBe("pending");
    // Ten minutes later one more may go; three a day at most.
    clock.advance(10 * 60_000);
    await signupJson({ email: "victim+9@example.com" });
    expect(await inMailbox([...variants, "victim+9@example.com"])).toBe(2);
  });

  it(`signups for one address every 72 minutes for a day send at most ${CONFIRM_THROTTLE.perDay} emails`, async () => {
    const email = "flood.day@example.com";
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => signupJson({ email }).then((r) => r.status)),
      );
      expect(results.every((s) => s === 202)).toBe(true);
      clock.advance(DAY_MS / 20 - 1);
    }
    const mail = await inbox(env.stack.inboxUrl, email);
    expect(mail.length).toBeGreaterThanOrEqual(1);
    expect(mail.length).toBeLessThanOrEqual(CONFIRM_THROTTLE.perDay);
  }, 120_000);
});
