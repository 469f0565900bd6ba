import { beforeAll, describe, expect, it } from "vitest";
import { loadCourse } from "../../functions/core/content";
import type { Subscriber } from "../../functions/core/subscriber";
import { createTokens } from "../../functions/core/tokens";
import { type LinksOf, progressInWords, readableExport } from "../../functions/funnel/my-data";
import { createComposer } from "../../functions/mail/compose";
import { ensureCourse } from "../../infra/build/course";

const course = loadCourse("content");
const ids = course.lessons.map((l) => l.id);
const n = ids.length;
const NOW = Date.parse("2026-12-02T09:30:00Z");

function subscriber(received: string[], extra: Partial<Subscriber> = {}): Subscriber {
  return {
    sid: "sid-internal-123",
    email: "ada@example.com",
    firstName: "Ada",
    status: "active",
    generation: 7,
    version: 12,
    createdAt: "2026-11-01T08:05:00.000Z",
    updatedAt: "2026-11-02T08:05:00.000Z",
    confirmedAt: "2026-11-01T08:09:00.000Z",
    consent: {
      at: "2026-11-01T08:05:00.000Z",
      ip: "198.51.100.7",
      userAgent: "Firefox/140",
      form: "landing:form",
      textVersion: "2026-11",
    },
    confirmations: [
      {
        at: "2026-11-01T08:09:00.000Z",
        ip: "198.51.100.7",
        form: "confirm-page",
        textVersion: "2026-11",
      },
    ],
    sequenceId: "hips",
    lastId: received.at(-1),
    received,
    timeZone: "Europe/London",
    sends: received.map((id, i) => ({
      id,
      at: new Date(Date.parse("2026-11-01T08:10:00Z") + i * 86_400_000).toISOString(),
      messageId: `ses-${i}`,
    })),
    confirmWindowStart: "2026-11-01T08:05:00.000Z",
    confirmCount: 1,
    dueShard: "3",
    dueAt: "2026-12-03T08:00:00.000Z",
    lease: "lease-secret",
    ...extra,
  };
}

describe("the manage page's count matches the emails' 'Lesson N of M'", () => {
  it.each([
    [["welcome"], `The welcome email and 0 of ${n} lessons`],
    [["welcome", ids[0] as string], `The welcome email and 1 of ${n} lessons`],
    [["welcome", ...ids], `The welcome email and ${n} of ${n} lessons`],
    // A lesson since removed from the course is not counted as one of today's lessons.
    [["welcome", "a-removed-lesson", ids[0] as string], `The welcome email and 1 of ${n} lessons`],
    [[], `0 of ${n} lessons`],
  ])("%j -> %s", (received, words) => {
    expect(progressInWords(subscriber(received), course)).toBe(words);
  });
});

describe("the export a person downloads", () => {
  const sub = subscriber(["welcome", ids[0] as string], {
    clickedEmails: new Set(["welcome"]),
    failures: [{ id: ids[1] as string, at: "2026-11-03T08:00:00.000Z", reason: "MessageRejected" }],
  });
  const data = readableExport(
    sub,
    [
      { link: "masterclass", at: "2026-11-01T08:11:00.000Z", scanner: false },
      { link: "masterclass", at: "2026-11-01T08:10:02.000Z", scanner: true },
      { link: "play", at: "2026-11-01T08:12:00.000Z", scanner: false },
    ],
    course,
    NOW,
  );
  const text = JSON.stringify(data);

  it("names fields in words and carries no internal field or secret", () => {
    for (const key of Object.keys(data)) expect(key).toMatch(/^[A-Z][a-z]+(?: [a-z]+)*$/);
    for (const internal of [
      "sid-internal-123",
      "lease-secret",
      "confirmWindowStart",
      "dueShard",
      "ses-0",
      '"version"',
      '"generation"',
    ])
      expect(text).not.toContain(internal);
  });

  it("gives dates in words and each email by its subject", () => {
    expect(data["Signed up"]).toBe("1 November 2026, 08:05 UTC");
    expect(data["Emails sent to you"]).toEqual([
      { Email: course.welcome.subject, Sent: "1 November 2026, 08:10 UTC" },
      { Email: course.lessons[0]?.subject, Sent: "2 November 2026, 08:10 UTC" },
    ]);
    expect(data["Emails that could not be sent to you"]).toEqual([
      { Email: course.lessons[1]?.subject, When: "3 November 2026, 08:00 UTC" },
    ]);
    expect(data["Course progress"]).toBe(`The welcome email and 1 of ${n} lessons`);
  });

  it("states the consent evidence as sentences: when, where, from which address and browser, which text", () => {
    expect(data["Your consent"]).toEqual([
      'You signed up on 1 November 2026, 08:05 UTC through the signup form on our website from the internet address 198.51.100.7, with the browser "Firefox/140", agreeing to the consent text of version 2026-11.',
      "You confirmed on 1 November 2026, 08:09 UTC through the button on our confirmation page from the internet address 198.51.100.7, agreeing to the consent text of version 2026-11.",
    ]);
  });

  it("tells a person's clicks from a scanner's", () => {
    expect(data["About the links you opened"]).toMatch(/latest 5 opens of each link/);
    expect(data["Links you opened"]).toEqual([
      {
        What: 'Opened the "masterclass" link',
        When: "1 November 2026, 08:11 UTC",
        "Counted as": "you",
      },
      {
        What: 'Opened the "masterclass" link',
        When: "1 November 2026, 08:10 UTC",
        "Counted as": "probably a mail security scanner, not you",
      },
      {
        What: "Started the masterclass video",
        When: "1 November 2026, 08:12 UTC",
        "Counted as": "you",
      },
    ]);
  });
});

describe("a link opened names the email it was in", () => {
  const lesson = (id: string) => course.lessons.find((l) => l.id === id);
  const at = "2026-11-05T08:00:00.000Z";
  /** Which links each email tracks, as the compiled emails the site sends carry them. */
  let linksOf: LinksOf;
  beforeAll(async () => {
    const compiled = await ensureCourse();
    const composer = createComposer({
      ...compiled,
      siteUrl: "https://hips.example",
      tokens: createTokens("k".repeat(64)),
    });
    linksOf = (id) => composer.linksOf(id);
  });
  const opened = (sub: Subscriber, ...links: { link: string; email?: string }[]) =>
    readableExport(
      sub,
      links.map((l) => ({ ...l, at, scanner: false })),
      course,
      NOW,
      linksOf,
    )["Links you opened"].map((c) => c["In the email" as keyof typeof c]);

  it("by its subject, when only one email sent to the person carries that link", () => {
    const sub = subscriber(["welcome", "hips-and-your-back", "bowl-of-water"]);
    // guide-pelvic-tilt is lesson 2's button; masterclass is in the welcome email and lesson 1.
    expect(
      opened(sub, { link: "guide-pelvic-tilt" }, { link: "masterclass" }, { link: "play" }),
    ).toEqual([lesson("bowl-of-water")?.subject, undefined, undefined]);
    // Before lesson 1, the masterclass link can only have come from the welcome email.
    expect(opened(subscriber(["welcome"]), { link: "masterclass" })).toEqual([
      course.welcome.subject,
    ]);
  });

  it("nowhere, when nothing tells which emails carry which links", () => {
    const [row] = readableExport(
      subscriber(["welcome", "hips-and-your-back", "bowl-of-water"]),
      [{ link: "guide-pelvic-tilt", at, scanner: false }],
      course,
      NOW,
    )["Links you opened"];
    expect(row).not.toHaveProperty("In the email");
  });

  it("by the email the click record names, where it names one", () => {
    const sub = subscriber(["welcome", "hips-and-your-back"]);
    expect(opened(sub, { link: "masterclass", email: "hips-and-your-back" })).toEqual([
      lesson("hips-and-your-back")?.subject,
    ]);
  });

  it("reads in order: what, the email, when, by whom", () => {
    const [row] = readableExport(
      subscriber(["welcome", "hips-and-your-back", "bowl-of-water"]),
      [{ link: "guide-pelvic-tilt", at, scanner: false }],
      course,
      NOW,
      linksOf,
    )["Links you opened"];
    expect(row).toEqual({
      What: 'Opened the "guide-pelvic-tilt" link',
      "In the email": lesson("bowl-of-water")?.subject,
      When: "5 November 2026, 08:00 UTC",
      "Counted as": "you",
    });
    expect(Object.keys(row ?? {})).toEqual(["What", "In the email", "When", "Counted as"]);
  });
});
