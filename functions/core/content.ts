import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import matter from "gray-matter";
import { Marked } from "marked";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ContentError } from "./errors";
import { WEEKDAYS } from "./schedule";

/** A link id as used in `link:<id>` references from markdown and button fields. */
const linkId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "a lowercase id like 'masterclass'");

/**
 * An on-site path ("/masterclass", optionally with a fragment such as "#page=4") or an
 * absolute https URL. Never javascript: or data:.
 */
const linkTarget = z
  .string()
  .refine(
    (v) => /^\/(?!\/)[\w\-./~%]*(#[\w\-=.]+)?$/.test(v) || /^https:\/\/[^\s"'<>]+$/.test(v),
    "an on-site path starting with '/' or an https:// URL",
  );

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as 'Europe/London'");

export const FunnelSchema = z.object({
  brand: z.object({
    name: z.string().min(1),
    tagline: z.string().min(1),
    teacher: z.string().min(1),
    accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  sender: z.object({
    name: z.string().min(1),
    email: z.email(),
    replyTo: z.email().optional(),
  }),
  postalAddress: z.string().min(10),
  siteUrl: z.url(),
  landing: z.object({
    title: z.string().min(1),
    headline: z.string().min(1),
    subheadline: z.string().min(1),
    body: z.string().min(1),
    benefits: z.array(z.string().min(1)).min(1),
    cta: z.string().min(1),
    consent: z.string().min(1),
    consentVersion: z.string().min(1),
    /** The picture beside the headline: her photo, or the illustration that ships in media/. */
    image: z.object({ src: linkTarget, alt: z.string() }).optional(),
    /** The picture shown when the page is shared (PNG or JPEG, about 1200 x 630). */
    shareImage: linkTarget.optional(),
  }),
  /** The teacher, on the landing page: a short bio (markdown) and an optional photo. */
  about: z
    .object({
      photo: z.object({ src: linkTarget, alt: z.string().min(1) }).optional(),
      bio: z.string().min(1),
    })
    .optional(),
  /**
   * Markdown that closes the last lesson: the next step after the course (e.g. her classes).
   * Links may use `link:<id>`. The last lesson simply ends when this is absent.
   */
  nextStep: z.string().min(1).optional(),
  /** Words from students, shown on the landing page; the section is hidden when empty. */
  testimonials: z
    .array(
      z.object({
        quote: z.string().min(1).max(600),
        name: z.string().min(1).max(80),
        detail: z.string().max(120).optional(),
      }),
    )
    .default([]),
  thanks: z.object({ headline: z.string().min(1), body: z.string().min(1) }),
  masterclass: z.object({
    title: z.string().min(1),
    description: z.string().min(1),
    video: z.object({
      src: linkTarget,
      poster: linkTarget.optional(),
      /** WebVTT captions, e.g. /media/hips-masterclass.en.vtt; no track when absent. */
      captions: linkTarget.optional(),
      /** The captions' language (BCP 47) and the name players show for them. */
      captionsLanguage: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
        .default("en"),
      captionsLabel: z.string().min(1).default("English"),
    }),
    /** Where each pose starts in the video; the page lists them and jumps there. */
    chapters: z
      .array(
        z.object({
          /** "m:ss" or "h:mm:ss" from the start of the video. */
          start: z
            .string()
            .regex(/^(\d+:)?[0-5]?\d:[0-5]\d$/, "a time like 4:05 or 1:04:05")
            .transform((t) => t.split(":").reduce((sum, part) => sum * 60 + Number(part), 0)),
          title: z.string().min(1).max(100),
        }),
      )
      .default([])
      .refine(
        (list) =>
          list.every((c, i) => i === 0 || c.start > (list[i - 1] as { start: number }).start),
        "chapters must be in order, each starting after the one before",
      ),
  }),
  guide: z.object({
    title: z.string().min(1),
    /** Public path the PDF is served at, e.g. /guide/5-poses-for-healthy-hips.pdf */
    path: z.string().regex(/^\/[\w\-/]+\.pdf$/),
  }),
  links: z.record(linkId, linkTarget),
  sequence: z.object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** Gone: each published order is tracked by its content hash, with nothing to raise by hand. */
    version: z
      .undefined({
        error: "no longer used (edits are tracked by lesson id; see the README): remove it",
      })
      .optional(),
    /** Subscribers who completed the sequence receive lessons appended later, on their delays. */
    sendNewLessonsToCompleted: z.boolean().default(true),
    timeZone,
    /** Optional local hour (0-23) lessons are aligned to; absent means exactly `delayDays` after the previous send. */
    sendHour: z.number().int().min(0).max(23).optional(),
    /** Local weekdays lessons may go out on, e.g. [mon, tue, wed, thu, fri]; absent: every day. */
    sendDays: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
    /** The whole sequence holds: nothing is claimed or sent until this is false again. */
    paused: z.boolean().optional(),
  }),
  /** Who may sign in to /admin (a single-use emailed link; no passwords). */
  owners: z.array(z.email()).max(20).optional(),
});

export const EmailFrontmatterSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  subject: z.string().min(1).max(150),
  preheader: z.string().min(1).max(200),
  button: z.object({ label: z.string().min(1), link: z.string().min(1) }).optional(),
  /** A second, outlined button (the welcome email's guide), under the first. */
  secondaryButton: z.object({ label: z.string().min(1), link: z.string().min(1) }).optional(),
});

export const LessonFrontmatterSchema = EmailFrontmatterSchema.extend({
  /** Heading shown above the lesson text; none when absent. */
  title: z.string().min(1).max(150).optional(),
  /** Days after the previous email of the sequence (fractions allowed). */
  delayDays: z.number().positive().max(60),
});

/**
 * The author's markdown on the pages, rendered to HTML when the course is loaded (at build
 * time): the web function carries no markdown parser. Trusted course text only.
 */
export interface PagesHtml {
  /** `landing.body` */
  landing: string;
  /** `thanks.body` */
  thanks: string;
  /** `masterclass.description` */
  masterclass: string;
  /** `about.bio`, when there is one */
  about?: string;
}

/** The site's stylesheet (accent baked in), script and the owner's stylesheet, as text. */
export interface SiteTexts {
  css: string;
  js: string;
  adminCss: string;
}

/**
 * `html` is rendered when the content is parsed; `site` is added by the build
 * (infra/build/course.ts), which knows the pages' styles: every course the apps run has it.
 */
export type Funnel = z.infer<typeof FunnelSchema> & { html: PagesHtml; site?: SiteTexts };
export type EmailDoc = z.infer<typeof EmailFrontmatterSchema> & { body: string; file: string };

export const PrivacyFrontmatterSchema = z.object({
  title: z.string().min(1),
  /** When the notice last changed, e.g. 2026-11-27 (YAML may read it as a date). */
  updated: z.union([z.iso.date(), z.date().transform((d) => d.toISOString().slice(0, 10))]),
});
/** The privacy notice (`privacy.md`): frontmatter, the markdown body and its HTML. */
export type PrivacyDoc = z.infer<typeof PrivacyFrontmatterSchema> & {
  body: string;
  file: string;
  html: string;
};
export type LessonDoc = z.infer<typeof LessonFrontmatterSchema> & { body: string; file: string };

/** The whole course as loaded from `content/`. */
export interface Course {
  funnel: Funnel;
  confirm: EmailDoc;
  welcome: EmailDoc;
  lessons: LessonDoc[];
  /**
   * The privacy notice, served at /privacy and linked from the form and every footer.
   * Required by {@link loadCourse}; optional here so partial courses can be checked.
   */
  privacy?: PrivacyDoc;
}

/** Link ids a template may use besides the ones in `funnel.links`. */
export const BUILTIN_LINKS = ["confirm", "unsubscribe", "manage"] as const;

const marked = new Marked({ gfm: true });

/** Author-written markdown from `content/` as HTML (trusted text: visitors' input never comes here). */
export function markdownHtml(text: string): string {
  return marked.parse(text, { async: false });
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

function parseWith<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new ContentError(file, issuesText(result.error));
  return result.data;
}

function parseMarkdown<T>(
  schema: z.ZodType<T>,
  file: string,
  source: string,
): T & { body: string; file: string } {
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source);
  } catch (e) {
    throw new ContentError(file, `frontmatter is not valid YAML (${(e as Error).message})`);
  }
  const data = parseWith(schema, parsed.data, file);
  const body = parsed.content.trim();
  if (!body) throw new ContentError(file, "body: the email has no text");
  return { ...data, body, file };
}

/** Where an email's links lead: the confirmation carries only its confirm link. */
type EmailKind = "confirmation" | "marketing";

/** A `link:` that is not an inline markdown link target renders as a dead `link:` address. */
const STRAY_LINK = /(?<!\]\()\blink:[^\s)]/;

/**
 * Every `link:<id>` in markdown or a button must work where it is used: a content link (funnel
 * links) or a built-in link in a sequence email, only `confirm` in the confirmation email. A
 * mistake is refused at start, naming file and field, never met at send time.
 */
function checkLinks(doc: EmailDoc, kind: EmailKind, content: Set<string>): void {
  const check = (id: string, field: string, shown: string) => {
    if (kind === "confirmation") {
      if (id === "confirm") return;
      throw new ContentError(
        doc.file,
        `${field}: ${shown} cannot be used in the confirmation email (it carries only the confirm link: the person has not subscribed yet)`,
      );
    }
    if (id === "confirm") {
      throw new ContentError(
        doc.file,
        `${field}: ${shown} only works in emails/confirm.md (it confirms a signup)`,
      );
    }
    if (id === "unsubscribe" || id === "manage" || content.has(id)) return;
    throw new ContentError(
      doc.file,
      `${field}: unknown link ${shown} (define it in funnel.yaml links, or use link:unsubscribe or link:manage)`,
    );
  };
  for (const m of doc.body.matchAll(/\]\(link:([^)\s]*)\)/g)) {
    check(m[1] as string, "body", `'link:${m[1]}'`);
  }
  const stray = doc.body.match(STRAY_LINK);
  if (stray) {
    throw new ContentError(
      doc.file,
      `body: 'link:' works only as a markdown link target, like [the guide](link:guide)`,
    );
  }
  if (doc.button) check(doc.button.link, "button.link", `'${doc.button.link}'`);
  if (doc.secondaryButton) {
    check(doc.secondaryButton.link, "secondaryButton.link", `'${doc.secondaryButton.link}'`);
  }
}

/**
 * The placeholder a `link:<id>` becomes: a built-in page link (signed per recipient), or a
 * tracked click through a content link.
 */
export function linkPlaceholderKey(id: string): string {
  if (id === "confirm") return "confirmUrl";
  if (id === "unsubscribe") return "unsubscribeUrl";
  if (id === "manage") return "manageUrl";
  return `link:${id}`;
}

/**
 * Validates a course given as file name -> text. Pure: the caller reads the files.
 * Throws {@link ContentError} naming the file and the field at the first problem.
 */
export function parseCourse(files: Record<string, string>): Course {
  const funnelSrc = files["funnel.yaml"];
  if (funnelSrc === undefined) throw new ContentError("funnel.yaml", "file is missing");
  let funnelData: unknown;
  try {
    funnelData = parseYaml(funnelSrc);
  } catch (e) {
    throw new ContentError("funnel.yaml", `not valid YAML (${(e as Error).message})`);
  }
  const parsed = parseWith(FunnelSchema, funnelData, "funnel.yaml");
  const funnel: Funnel = {
    ...parsed,
    html: {
      landing: markdownHtml(parsed.landing.body),
      thanks: markdownHtml(parsed.thanks.body),
      masterclass: markdownHtml(parsed.masterclass.description),
      ...(parsed.about ? { about: markdownHtml(parsed.about.bio) } : {}),
    },
  };

  const need = (name: string): string => {
    const text = files[name];
    if (text === undefined) throw new ContentError(name, "file is missing");
    return text;
  };
  const confirm = parseMarkdown(
    EmailFrontmatterSchema,
    "emails/confirm.md",
    need("emails/confirm.md"),
  );
  const welcome = parseMarkdown(
    EmailFrontmatterSchema,
    "emails/welcome.md",
    need("emails/welcome.md"),
  );
  const lessonFiles = Object.keys(files)
    .filter((f) => /^lessons\/\d{2}-[a-z0-9-]+\.md$/.test(f))
    .sort();
  if (lessonFiles.length === 0)
    throw new ContentError("lessons/", "no lessons (expected NN-slug.md files)");
  const lessons = lessonFiles.map((f) =>
    parseMarkdown(LessonFrontmatterSchema, f, files[f] as string),
  );

  const ids = new Set<string>();
  for (const doc of [confirm, welcome, ...lessons]) {
    if (ids.has(doc.id)) throw new ContentError(doc.file, `id: '${doc.id}' is used twice`);
    ids.add(doc.id);
  }
  for (const id of BUILTIN_LINKS) {
    if (id in funnel.links) {
      throw new ContentError(
        "funnel.yaml",
        `links.${id}: '${id}' is a built-in link; give this one another name`,
      );
    }
  }
  const content = new Set(Object.keys(funnel.links));
  checkLinks(confirm, "confirmation", content);
  for (const doc of [welcome, ...lessons]) checkLinks(doc, "marketing", content);
  for (const m of (funnel.nextStep ?? "").matchAll(/\]\(link:([^)\s]*)\)/g)) {
    if (!content.has(m[1] as string)) {
      throw new ContentError(
        "funnel.yaml",
        `nextStep: unknown link 'link:${m[1]}' (define it in funnel.yaml links)`,
      );
    }
  }
  const privacySrc = files["privacy.md"];
  const privacyDoc =
    privacySrc === undefined
      ? undefined
      : parseMarkdown(PrivacyFrontmatterSchema, "privacy.md", privacySrc);
  const privacy = privacyDoc && { ...privacyDoc, html: markdownHtml(privacyDoc.body) };
  return { funnel, confirm, welcome, lessons, ...(privacy ? { privacy } : {}) };
}

/** Reads and validates `dir` (funnel.yaml, privacy.md, emails/*.md, lessons/*.md). */
export function loadCourse(dir: string): Course {
  const files: Record<string, string> = {};
  const read = (rel: string) => {
    files[rel] = readFileSync(join(dir, rel), "utf8");
  };
  try {
    read("funnel.yaml");
  } catch {
    throw new ContentError(join(dir, "funnel.yaml"), "file is missing");
  }
  try {
    read("privacy.md");
  } catch {
    // Every page and email links to it, so a course on disk must have one.
    throw new ContentError(join(dir, "privacy.md"), "file is missing");
  }
  for (const sub of ["emails", "lessons"]) {
    let names: string[] = [];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      // a missing folder is reported by parseCourse, naming the file it needed
    }
    for (const n of names) if (n.endsWith(".md")) read(`${sub}/${n}`);
  }
  return parseCourse(files);
}
