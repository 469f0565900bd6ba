import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Funnel, markdownHtml } from "../../functions/core/content";
import { buildAssets } from "../../functions/http/assets";
import {
  ConfirmPage,
  ErasedPage,
  ErasePage,
  ExportPage,
  FreshLinkNeededPage,
  LandingPage,
  LinksSentPage,
  ManagePage,
  MasterclassPage,
  MessagePage,
  ThanksPage,
  UnsubscribedPage,
  UnsubscribePage,
} from "../../functions/http/pages";
import { contrast } from "../../functions/http/pages/color";
import { siteCss } from "../../functions/http/pages/site-css";
import { siteTexts } from "../../functions/http/site-texts";
import { ensureCourse } from "../../infra/build/course";

const source: Omit<Funnel, "html"> = {
  brand: {
    name: "Test Yoga",
    tagline: "Gentle yoga for testing",
    teacher: "Ada Teacher",
    accentColor: "#f4a261",
  },
  sender: { name: "Ada", email: "hello@example.com" },
  postalAddress: "1 Test Street, Testville",
  siteUrl: "https://example.com",
  landing: {
    title: "Free masterclass · Test Yoga",
    headline: "Hips, happier",
    subheadline: "A free video and guide.",
    body: "Some *markdown* text.\n\nA second paragraph.",
    benefits: ["One", "Two"],
    cta: "Send it to me",
    consent: "Yes, send me the masterclass and a few emails.",
    consentVersion: "1",
  },
  thanks: { headline: "Check your inbox", body: "I sent you an email." },
  masterclass: {
    title: "The Masterclass",
    description: "Find a **quiet** spot.",
    video: {
      src: "/media/class.mp4",
      poster: "/media/poster.svg",
      captions: "/media/class.en.vtt",
      captionsLanguage: "en",
      captionsLabel: "English",
    },
    chapters: [
      { start: 0, title: "Pelvic tilt" },
      { start: 65, title: "Bridge" },
    ],
  },
  guide: { title: "Five poses", path: "/guide/five-poses.pdf" },
  links: { masterclass: "/masterclass" },
  sequence: { id: "test", sendNewLessonsToCompleted: true, timeZone: "Europe/London" },
  testimonials: [],
};

/** Markdown, styles and script compiled as the build does it (pages carry no parser). */
const fixture: Funnel = {
  ...source,
  html: {
    landing: markdownHtml(source.landing.body),
    thanks: markdownHtml(source.thanks.body),
    masterclass: markdownHtml(source.masterclass.description),
  },
  site: siteTexts(source.brand.accentColor),
};

const funnels: [string, Funnel][] = [["fixture", fixture]];
if (existsSync("content/funnel.yaml"))
  funnels.push(["content/", (await ensureCourse()).course.funnel]);

type Rendered = { toString(): string | Promise<string> } | Promise<{ toString(): string }>;
const html = async (node: Rendered): Promise<string> => (await node).toString();

const HOSTILE = [
  `<script>alert("x")</script>`,
  `"><img src=x onerror=alert(1)>`,
  `O'Brien & "Sons"`,
  "\u202Eevil.exe\u202C",
  "سارة 🧘‍♀️",
];

function allPages(funnel: Funnel): [string, Rendered][] {
  const token = "eyJzIjoiYWJjIn0.c2lnbmF0dXJl";
  return [
    ["landing", LandingPage({ funnel, formStamp: "stamp-1" })],
    [
      "landing+error",
      LandingPage({ funnel, formStamp: "s", error: "Bad", values: { email: "a" } }),
    ],
    ["thanks", ThanksPage({ funnel })],
    ["confirm", ConfirmPage({ funnel, token })],
    ["masterclass, just confirmed", MasterclassPage({ funnel, confirmed: true })],
    ["unsubscribe", UnsubscribePage({ funnel, token })],
    ["unsubscribed", UnsubscribedPage({ funnel })],
    ["masterclass", MasterclassPage({ funnel })],
    [
      "manage",
      ManagePage({
        funnel,
        token,
        summary: {
          email: "ada@example.com",
          status: "active",
          since: "2026-01-02T10:00:00Z",
          progress: "The welcome email and 1 of 6 lessons",
        },
      }),
    ],
    ["erased", ErasedPage({ funnel })],
    ["export", ExportPage({ funnel, token })],
    ["erase", ErasePage({ funnel, token })],
    ["fresh link", FreshLinkNeededPage({ funnel, token, action: "export" })],
    ["links sent", LinksSentPage({ funnel, back: `/manage?t=${token}` })],
    ["message", MessagePage({ funnel, status: 410, title: "Link expired", message: "Sorry." })],
  ];
}

/** Every src/href/action/poster value in the document. */
function urls(doc: string): string[] {
  return [...doc.matchAll(/\s(?:src|href|action|poster|srcset|formaction)="([^"]*)"/g)].map(
    (m) => m[1] as string,
  );
}

describe.each(funnels)("every page (%s funnel)", (_name, funnel) => {
  const { assets, cssPath, jsPath } = buildAssets(funnel);

  it.each(allPages(funnel))("%s is a complete, accessible document", async (_page, node) => {
    const doc = await html(node);
    expect(doc.startsWith("<!doctype html>")).toBe(true);
    expect(doc).toContain('<html lang="en">');
    expect(doc).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(doc).toMatch(/<title>[^<]+<\/title>/);
    expect(doc).toMatch(/<meta name="description" content="[^"]+"/);
    expect(doc).toContain('<a class="skip" href="#main">');
    expect(doc.match(/<main id="main"/g)).toHaveLength(1);
    expect(doc).toContain('<header class="site-header">');
    expect(doc).toContain('<footer class="site-footer">');
    expect(doc).toContain(funnel.brand.teacher);
    expect(doc.match(/<h1[\s>]/g)).toHaveLength(1);
  });

  it.each(allPages(funnel))(
    "%s loads nothing from another origin and no inline code",
    async (_page, node) => {
      const doc = await html(node);
      for (const url of urls(doc)) {
        // The canonical link names the page's own public address; nothing is loaded from it.
        if (url.startsWith(`${funnel.siteUrl}/`) && doc.includes(`rel="canonical" href="${url}"`))
          continue;
        expect(url, url).toMatch(/^(\/(?!\/)|#|data:image\/svg\+xml,)/);
      }
      expect(doc).not.toMatch(/\sstyle=/);
      expect(doc).not.toMatch(/\son[a-z]+=/);
      expect(doc).not.toMatch(/<style/);
      // The landing page also loads the address spell-check, from this site's /static/.
      const extra = /^landing/.test(_page)
        ? ['<script src="/static/email-spell-check.js" defer="">']
        : [];
      expect(doc.match(/<script\b[^>]*>/g)).toEqual([
        ...extra,
        `<script src="${jsPath}" defer="">`,
      ]);
    },
  );

  it.each(allPages(funnel))("%s links the hashed assets that buildAssets serves", async (_p, n) => {
    const doc = await html(n);
    expect(doc).toContain(`<link rel="stylesheet" href="${cssPath}"/>`);
    expect(doc).toContain(`<script src="${jsPath}" defer="">`);
    expect(Object.keys(assets).sort()).toEqual([cssPath, jsPath].sort());
  });
});

describe("LandingPage", () => {
  const withExtras: Funnel = {
    ...fixture,
    landing: {
      ...fixture.landing,
      image: { src: "/media/hero.svg", alt: "" },
      shareImage: "/media/share.png",
    },
    about: {
      bio: "I teach *gentle* yoga.",
      photo: { src: "/media/ada.jpg", alt: "Ada on her mat" },
    },
    testimonials: [{ quote: "My back thanks me.", name: "Sam", detail: "Student" }],
    html: { ...fixture.html, about: "<p>I teach <em>gentle</em> yoga.</p>" },
  };

  it("shows the hero picture, the bio and the photo from content", async () => {
    const doc = await html(LandingPage({ funnel: withExtras, formStamp: "s" }));
    expect(doc).toContain('<img src="/media/hero.svg" alt=""');
    expect(doc).toContain("I teach <em>gentle</em> yoga.");
    expect(doc).toContain('<img class="teacher-photo" src="/media/ada.jpg" alt="Ada on her mat"/>');
  });

  it("shows testimonials from content, and no section at all when there are none", async () => {
    const doc = await html(LandingPage({ funnel: withExtras, formStamp: "s" }));
    expect(doc).toContain("<p>My back thanks me.</p>");
    expect(doc).toContain("<strong>Sam</strong>");
    const none = await html(LandingPage({ funnel: fixture, formStamp: "s" }));
    expect(none).not.toContain("testimonials");
    expect(none).not.toContain("From students");
  });

  it("has share tags on the public address with the share picture", async () => {
    const doc = await html(LandingPage({ funnel: withExtras, formStamp: "s" }));
    expect(doc).toContain('<meta property="og:url" content="https://example.com/"/>');
    expect(doc).toContain(
      '<meta property="og:image" content="https://example.com/media/share.png"/>',
    );
    expect(doc).toContain('<meta name="twitter:card" content="summary_large_image"/>');
    expect(doc).toContain(
      `<meta property="og:title" content="${fixture.landing.title.replace("·", "·")}"/>`,
    );
    expect(doc).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>');
    // Token pages are never shared or indexed.
    const confirm = await html(ConfirmPage({ funnel: withExtras, token: "t" }));
    expect(confirm).not.toContain("og:url");
  });

  it("says the tagline once, and links the privacy notice from the form and the footer", async () => {
    for (const funnel of funnels.map(([, f]) => f)) {
      const doc = await html(LandingPage({ funnel, formStamp: "s" }));
      const visible = doc.replace(/<head>[\s\S]*<\/head>/, "");
      expect(visible.split(funnel.brand.tagline).length - 1).toBe(1);
      const form = doc.slice(doc.indexOf("<form"), doc.indexOf("</form>"));
      expect(form).toContain('href="/privacy"');
      const footer = doc.slice(doc.indexOf('<footer class="site-footer">'));
      expect(footer).toContain('href="/privacy"');
    }
  });

  it("has a labelled signup form that posts without JavaScript", async () => {
    const doc = await html(LandingPage({ funnel: fixture, formStamp: "stamp-123" }));
    const form = doc.match(/<form[^>]*data-signup[^>]*>[\s\S]*?<\/form>/)?.[0] ?? "";
    // Without script it posts to the landing page itself (a refusal re-renders it there);
    // the script sends the same fields to the JSON API.
    expect(form).toMatch(/^<form method="post" action="\/" novalidate=""/);
    expect(form).toContain('data-api="/api/subscribe"');
    for (const [name, id] of [
      ["firstName", "signup-first-name"],
      ["email", "signup-email"],
      ["website", "signup-website"],
    ]) {
      expect(form).toContain(`<label for="${id}">`);
      expect(form).toMatch(new RegExp(`<input id="${id}"[^>]* name="${name}"`));
    }
    expect(form).toMatch(
      /<input id="signup-email" type="email" name="email" required="" autocomplete="email"[^>]*maxlength="254"/,
    );
    expect(form).toMatch(/name="firstName" autocomplete="given-name" maxlength="80"/);
    expect(form).toContain('<input type="hidden" name="tz" value=""/>');
    expect(form).toContain('<input type="hidden" name="stamp" value="stamp-123"/>');
    expect(form).toMatch(/aria-live="polite"/);
    expect(form).toContain(">Send it to me</button>");
    // consent sits under the button
    expect(form.indexOf(fixture.landing.consent)).toBeGreaterThan(form.indexOf("</button>"));
  });

  it("has a honeypot that people cannot see or reach and that is not type=hidden", async () => {
    const doc = await html(LandingPage({ funnel: fixture, formStamp: "s" }));
    const honeypot = doc.match(/<div class="hp" aria-hidden="true">[\s\S]*?<\/div>/)?.[0] ?? "";
    const input = honeypot.match(/<input[^>]*name="website"[^>]*>/)?.[0] ?? "";
    expect(input).toContain('tabindex="-1"');
    expect(input).toContain('autocomplete="off"');
    expect(input).toContain('type="text"');
    expect(input).not.toContain("hidden");
    expect(siteCss("#336699")).toMatch(/\.hp\{position:absolute;left:-10000px/);
  });

  it("renders the author's markdown and the benefits", async () => {
    const doc = await html(LandingPage({ funnel: fixture, formStamp: "s" }));
    expect(doc).toContain("<p>Some <em>markdown</em> text.</p>");
    expect(doc).toContain("<li>One</li>");
  });

  it("shows a refused post's error and refills what the visitor typed", async () => {
    const doc = await html(
      LandingPage({
        funnel: fixture,
        formStamp: "s",
        error: "Please enter a valid email address.",
        values: { email: "not-an-email", firstName: "Ada" },
      }),
    );
    expect(doc).toMatch(/class="status is-error"[^>]*>Please enter a valid email address\.<\/p>/);
    expect(doc).toMatch(/name="email"[^>]*value="not-an-email" aria-invalid="true"/);
    expect(doc).toContain('value="Ada"');
    expect(doc).toMatch(/<title>Please check the form/);
  });

  it.each(HOSTILE)("escapes what the visitor typed: %s", async (name) => {
    const doc = await html(
      LandingPage({
        funnel: fixture,
        formStamp: name,
        values: { firstName: name, email: name },
        error: name,
      }),
    );
    expect(doc).not.toContain("<script>alert");
    expect(doc).not.toContain("<img src=x");
    expect(doc).not.toMatch(/value="[^"]*"[^\s/>]/); // no attribute broken out of its quotes
    const escaped = name
      .replaceAll("&", "&amp;")
      .replaceAll("<", "&lt;")
      .replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;")
      .replaceAll("'", "&#39;");
    expect(doc).toContain(`value="${escaped}"`);
  });
});

describe("the masterclass after confirming", () => {
  it("says the email is confirmed only when the confirm press landed there", async () => {
    const confirmed = await html(MasterclassPage({ funnel: fixture, confirmed: true }));
    expect(confirmed).toContain('<p class="status is-ok" role="status">Your email is confirmed');
    const plain = await html(MasterclassPage({ funnel: fixture }));
    expect(plain).not.toContain("is confirmed");
  });
});

describe("token pages", () => {
  it("the confirm page POSTs to /confirm?t=… only when its one button is pressed", async () => {
    const doc = await html(ConfirmPage({ funnel: fixture, token: "abc.DEF_-1" }));
    expect(doc).toMatch(
      /<form method="post" action="\/confirm\?t=abc\.DEF_-1" class="actions">\s*<button type="submit" class="button">Confirm and watch the masterclass<\/button>/,
    );
    expect(doc).not.toContain("autosubmit");
    expect(doc.match(/<button/g)).toHaveLength(1);
  });

  it("a hostile token cannot break out of the form action", async () => {
    const doc = await html(ConfirmPage({ funnel: fixture, token: `x" onclick="y<` }));
    expect(doc).toContain('action="/confirm?t=x%22%20onclick%3D%22y%3C"');
  });

  it("the unsubscribe page asks before it POSTs to /u?t=…", async () => {
    const doc = await html(UnsubscribePage({ funnel: fixture, token: "tok.sig" }));
    expect(doc).toContain("Unsubscribe from Test Yoga?");
    expect(doc).toMatch(
      /<form method="post" action="\/u\?t=tok\.sig"[^>]*>\s*<button[^>]*>Unsubscribe</,
    );
  });

  it("the manage page shows the summary and the button that emails a link, and no export or erase form", async () => {
    const doc = await html(
      ManagePage({
        funnel: fixture,
        token: "m.sig",
        summary: {
          email: "ada+<i>@example.com",
          firstName: "<b>Ada</b>",
          status: "active",
          since: "2026-01-02",
          progress: "The welcome email and 2 of 6 lessons",
        },
      }),
    );
    expect(doc).toContain("&lt;b&gt;Ada&lt;/b&gt;");
    expect(doc).toContain("<dd>ada+&lt;i&gt;@example.com</dd>");
    expect(doc).toContain("2 January 2026");
    expect(doc).toContain("<dd>The welcome email and 2 of 6 lessons</dd>");
    expect(doc).toMatch(
      /<form method="post" action="\/manage\/links\?t=m\.sig">\s*<button[^>]*>Email me a link</,
    );
    expect(doc).not.toMatch(/action="\/manage\/(export|erase)/);
    expect(doc).toContain("They work for one hour.");
  });

  it("the emailed links' pages: download is one button, erase needs a tick", async () => {
    const exportDoc = await html(ExportPage({ funnel: fixture, token: "x.sig" }));
    expect(exportDoc).toMatch(/action="\/manage\/export\?t=x\.sig"[\s\S]*?>Download my data</);
    const eraseDoc = await html(ErasePage({ funnel: fixture, token: "e.sig" }));
    expect(eraseDoc).toMatch(
      /action="\/manage\/erase\?t=e\.sig"[\s\S]*?type="checkbox" name="confirm" value="yes" required=""[\s\S]*?>Erase me</,
    );
    const fresh = await html(
      FreshLinkNeededPage({ funnel: fixture, token: "m.sig", action: "erase" }),
    );
    expect(fresh).toContain("To erase your data, use a fresh link");
    expect(fresh).toMatch(/action="\/manage\/links\?t=m\.sig"[\s\S]*?>Email me a link</);
  });
});

describe("MasterclassPage", () => {
  it("plays the video, offers captions and the guide, and marks the play beacon", async () => {
    const doc = await html(MasterclassPage({ funnel: fixture }));
    expect(doc).toContain(
      '<video id="masterclass-video" controls="" preload="metadata" playsinline="" src="/media/class.mp4" poster="/media/poster.svg" data-play-beacon="/api/events/play">',
    );
    expect(doc).toContain(
      '<track kind="captions" src="/media/class.en.vtt" srclang="en" label="English" default=""/>',
    );
    expect(doc).toMatch(
      /<a class="button" href="\/guide\/five-poses\.pdf" download="">Download the printable guide \(PDF\)<\/a>/,
    );
    expect(doc).toContain("Find a <strong>quiet</strong> spot.");
  });

  it("lists the chapters as links that seek the video, with or without script", async () => {
    const doc = await html(MasterclassPage({ funnel: fixture }));
    expect(doc).toContain(
      '<a href="/masterclass?t=65#player" data-seek="65" aria-controls="masterclass-video"><time datetime="PT65S"><span aria-hidden="true">1:05</span><span class="visually-hidden">1 minute 5 seconds</span></time><span>Bridge</span></a>',
    );
    // Followed without script, the link starts the video there (a media fragment).
    const started = await html(MasterclassPage({ funnel: fixture, start: 65 }));
    expect(started).toContain('src="/media/class.mp4#t=65"');
  });

  it("leaves out the captions track and the chapters when there are none", async () => {
    const funnel = {
      ...fixture,
      masterclass: {
        ...fixture.masterclass,
        video: { src: "/media/class.mp4", captionsLanguage: "en", captionsLabel: "English" },
        chapters: [],
      },
    };
    const doc = await html(MasterclassPage({ funnel }));
    expect(doc).not.toContain("<track");
    expect(doc).not.toContain("Chapters");
    expect(doc).not.toContain("poster=");
  });
});

describe("buildAssets", () => {
  it("names each file by the first 8 hex of its sha256", () => {
    const { assets, cssPath, jsPath } = buildAssets(fixture);
    for (const path of [cssPath, jsPath]) {
      const body = assets[path]?.body ?? "";
      const hash = createHash("sha256").update(body).digest("hex").slice(0, 8);
      expect(path).toMatch(new RegExp(`^/assets/site\\.${hash}\\.(css|js)$`));
    }
    expect(assets[cssPath]?.type).toBe("text/css; charset=utf-8");
    expect(assets[jsPath]?.type).toBe("text/javascript; charset=utf-8");
  });

  it("changes the stylesheet path with the accent colour, not the script's", () => {
    const a = buildAssets(fixture);
    const b = buildAssets({ site: siteTexts("#225577") });
    expect(a.cssPath).not.toBe(b.cssPath);
    expect(a.jsPath).toBe(b.jsPath);
  });

  it("refuses a course the build did not compile, naming the build", () => {
    expect(() => buildAssets({ site: undefined })).toThrow(/not compiled/);
  });

  it("keeps any accent readable: at least 4.5:1 on the page and the buttons", () => {
    for (const accent of ["#f4a261", "#ffff00", "#9a4a2e", "#000000", "#ffffff"]) {
      const css = siteCss(accent);
      const get = (name: string) => css.match(new RegExp(`${name}:(#[0-9a-f]{6});`))?.[1] ?? "";
      expect(contrast(get("--accent"), get("--paper"))).toBeGreaterThanOrEqual(4.5);
      expect(contrast(get("--accent"), get("--surface"))).toBeGreaterThanOrEqual(4.5);
      expect(contrast(get("--accent"), get("--on-accent"))).toBeGreaterThanOrEqual(4.5);
      expect(contrast(get("--muted"), get("--paper"))).toBeGreaterThanOrEqual(4.5);
    }
    expect(siteCss("#9A4A2E")).toContain("--accent:#9a4a2e;");
  });

  it("rejects anything but a #rrggbb colour (no CSS injection through content)", () => {
    expect(() => siteCss("red;}body{display:none")).toThrow();
  });

  it("loads nothing from elsewhere in CSS, and the script is valid JavaScript", () => {
    const { assets, cssPath, jsPath } = buildAssets(fixture);
    const css = assets[cssPath]?.body ?? "";
    expect(css).not.toMatch(/@import/);
    // Only the site's own fonts, by path on this origin.
    const urls = [...css.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u).toMatch(/^\/static\/fonts\/[\w-]+\.woff2$/);
    const js = assets[jsPath]?.body ?? "";
    expect(() => new Function(js)).not.toThrow();
    expect(js).toContain("navigator.sendBeacon");
    expect(js).not.toMatch(/https?:\/\//);
  });
});
