import { loadavg } from "node:os";
import { render } from "@react-email/render";
import type { Subscriber } from "../../functions/core/subscriber";
import { createTokens } from "../../functions/core/tokens";
import { emailElements } from "../../functions/mail/compile";
import { createComposer } from "../../functions/mail/compose";
import { plainText } from "../../functions/mail/render";
import { ensureCourse } from "../../infra/build/course";
import type { BenchMeasure } from "./row";

/**
 * One lesson for one recipient: filling the compiled template (links signed: one signature
 * per email) against rendering the same email with react-email for that recipient, in the
 * same run, after checking both give the same bytes.
 */
export const measure: BenchMeasure = async () => {
  const { course, emails } = await ensureCourse();
  const composer = createComposer({
    course,
    emails,
    siteUrl: "https://bench.example",
    tokens: createTokens("k".repeat(64)),
  });
  const lesson = course.lessons[0];
  if (!lesson) throw new Error("the course has no lessons");
  const sub = (i: number) =>
    ({
      sid: `sid${String(i).padStart(40, "0")}`,
      email: `p${i}@example.com`,
      firstName: "Ana",
      status: "active",
      generation: 1,
    }) as unknown as Subscriber;
  // Recipients as the send path has them (read from the table before composing): made before
  // the clock starts, each a different subscriber so every signature is a new one.
  const recipients = Array.from({ length: 1000 }, (_, i) => sub(i));
  const recipient = (i: number) => recipients[i % recipients.length] as Subscriber;
  const now = Date.now();

  const direct = async (s: Subscriber) => {
    const values = composer.valuesFor(s, lesson.id, now);
    const entry = emailElements(course, (k) => values[k] as string).get(lesson.id);
    const html = await render(entry?.element() as never);
    return { html, text: plainText(html) };
  };
  const composed = composer.email(sub(1), lesson.id, now);
  const rendered = await direct(sub(1));
  const same = composed.html === rendered.html && composed.text === rendered.text;

  // Many recipients per round, so the per-email cost is measured, not the timer; the median of
  // many rounds after warm-up rounds long enough for the JIT to settle, so a burst of other
  // work on a shared machine moves a few rounds, not the figure. Both sides are timed in this
  // process's CPU time: the wall clock also counts the time other processes held the CPU,
  // which says nothing about either side.
  const compose = await medianUs(20_000, 11, (i) => composer.email(recipient(i), lesson.id, now));
  const render_ = await medianUs(30, 5, (i) => direct(recipient(i)));
  const composeUs = compose.median;
  const renderUs = render_.median;
  const load = loadavg()[0]?.toFixed(1);

  return [
    {
      measure: "compose one lesson per recipient (one signature), CPU time",
      project: round(composeUs),
      baseline: 5,
      ratio: round(composeUs / 5),
      goal: "<= 5 us",
      met: composeUs <= 5,
      unit: "us",
      note: `median of ${compose.rounds.length} rounds of 20,000 recipients (rounds from ${round(compose.rounds[0] as number)} to ${round(compose.rounds.at(-1) as number)} us), load average ${load}`,
    },
    {
      measure: `compose vs react-email render, same bytes: ${same ? "yes" : "NO"}`,
      project: round(composeUs),
      baseline: round(renderUs),
      ratio: round(renderUs / composeUs),
      goal: ">= 300x faster, same bytes",
      met: same && renderUs / composeUs >= 300,
      unit: "us",
    },
  ];
};

const round = (n: number) => Math.round(n * 100) / 100;
/**
 * CPU microseconds (user + system) per call of `f`: the median of `count` rounds of `n` calls,
 * after two warm-up rounds, and every round's figure (sorted). A synchronous `f` runs in a
 * plain loop, an asynchronous one is awaited.
 */
async function medianUs(
  n: number,
  count: number,
  f: (i: number) => unknown,
): Promise<{ median: number; rounds: number[] }> {
  const isAsync = f(0) instanceof Promise;
  const round = async () => {
    const from = process.cpuUsage();
    if (isAsync) for (let i = 0; i < n; i++) await f(i);
    else for (let i = 0; i < n; i++) f(i);
    const { user, system } = process.cpuUsage(from);
    return (user + system) / n;
  };
  await round();
  await round();
  const rounds: number[] = [];
  for (let r = 0; r < count; r++) rounds.push(await round());
  rounds.sort((a, b) => a - b);
  return { median: rounds[Math.floor(count / 2)] as number, rounds };
}
