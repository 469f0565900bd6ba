import { describe, expect, it } from "vitest";
import { SIGNUP_RATE_LIMIT } from "../../functions/http/routes/subscribe";
import { abuseStack, FORM_TYPE, personalDataIn } from "./abuse";
import { inbox, linkIn } from "./inbox";

const env = abuseStack();
const {
  clock,
  logLines,
  consoleLines,
  request,
  pathOf,
  signupJson,
  subscriber,
  live,
  signUpAndConfirm,
  linksOf,
} = env;

describe("logs", () => {
  it("carry no email address, first name or token, through a whole journey and its refusals", async () => {
    const email = "pii.person+hips@example.org";
    const name = "Zephyrine";
    // Refusals of every kind first: a bad address, a long name, a bot, a flood, a burst.
    expect((await signupJson({ email: `pii person@example.org`, firstName: name })).status).toBe(
      400,
    );
    expect((await signupJson({ email, firstName: `${name}\u0007` })).status).toBe(400);
    expect((await signupJson({ email, firstName: name, website: "x" })).status).toBe(202);
    const ip = "198.51.100.200";
    for (let i = 0; i <= SIGNUP_RATE_LIMIT.burst; i++)
      await signupJson({ email, firstName: name }, ip);
    const { welcome } = await signUpAndConfirm(email, name);
    const links = linksOf(welcome);
    await request(pathOf(links.manage));
    // The manage link's own token cannot download; fresh links by email can (below).
    const own = { "content-type": FORM_TYPE, origin: env.stack.siteUrl };
    await request(pathOf(links.manage).replace("/manage?", "/manage/export?"), {
      method: "POST",
      headers: own,
    });
    clock.advance(60_000);
    const click = await request(pathOf(links.tracked.masterclass as string));
    expect(click.status).toBe(302);
    const cookie = click.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^hh_view=/);
    const play = await request("/api/events/play", {
      method: "POST",
      headers: { cookie },
    });
    expect(play.status).toBe(204);
    await live(2);
    await request(pathOf(links.unsubscribe), {
      method: "POST",
      headers: { "content-type": FORM_TYPE },
      body: "List-Unsubscribe=One-Click",
    });
    expect((await subscriber(email))?.status).toBe("unsubscribed");
    expect((await signupJson({ email, firstName: name })).status).toBe(202);
    const pressPath = pathOf(links.manage).replace("/manage?", "/manage/links?");
    expect((await request(pressPath, { method: "POST", headers: own })).status).toBe(200);
    await env.stack.drain();
    const data = (await inbox(env.stack.inboxUrl, email)).find((m) =>
      m.body.html.includes("/manage/erase?t="),
    );
    const exportUrl = linkIn(data?.body.html ?? "", `${env.stack.siteUrl}/manage/export?t=`);
    const eraseUrl = linkIn(data?.body.html ?? "", `${env.stack.siteUrl}/manage/erase?t=`);
    await request(pathOf(exportUrl));
    expect((await request(pathOf(exportUrl), { method: "POST", headers: own })).status).toBe(200);
    await request(pathOf(eraseUrl));
    await request(pathOf(eraseUrl), { method: "POST", headers: own, body: "confirm=yes" });
    expect(await subscriber(email)).toBeUndefined();

    // Everything logged in this file, and anything printed to the console.
    expect(logLines.length).toBeGreaterThan(20);
    expect(
      personalDataIn([...logLines, ...consoleLines], env, { emails: [email], names: [name] }),
    ).toEqual([]);
  });
});
