import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ContentError } from "../core/errors";

const GUIDE_FILE = "guide/guide.yaml";

/**
 * Characters the guide's fonts (the Latin subsets of Lora and Source Sans 3) can draw:
 * Latin-1 plus curly quotes, dashes, bullet, ellipsis and a few more. Arrows, check marks
 * and emoji are refused rather than printed as empty boxes.
 */
const PRINTABLE =
  /^[\n\x20-\x7E\xA0-\xFF\u20AC\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u017D\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u017E\u0178]*$/;

const text = z
  .string()
  .trim()
  .min(1)
  .refine((v) => PRINTABLE.test(v), {
    error: (issue) => {
      const bad = [...String(issue.input)].filter((c) => !PRINTABLE.test(c));
      return `uses characters the PDF font cannot print: ${[...new Set(bad)].join(" ")}`;
    },
  });

export const PoseSchema = z.object({
  /**
   * Names the pose's drawing (a shipped one, or the teacher's own `guide/<id>.jpg` or
   * `.png`) and its page, e.g. `/guide/….pdf#page=4` from a lesson.
   */
  id: z.string().regex(/^[a-z0-9-]+$/, "a lowercase id like 'bridge'"),
  name: text,
  /** One line: what the pose is for. */
  focus: text.max(120),
  /** Two or three sentences on why it helps. */
  why: text,
  steps: z.array(text).min(3).max(6),
  /** A gentler variation. */
  ease: text,
  /** A breathing cue. */
  breath: text,
});

export const GuideSchema = z.object({
  title: text,
  subtitle: text,
  intro: text,
  poses: z.array(PoseSchema).min(1).max(12),
  safety: text,
  closing: text,
});

export type Pose = z.infer<typeof PoseSchema>;
export type Guide = z.infer<typeof GuideSchema>;

/**
 * Validates guide data already parsed from YAML.
 * Throws {@link ContentError} naming `guide/guide.yaml` and the failing field(s).
 */
export function parseGuide(data: unknown): Guide {
  const result = GuideSchema.safeParse(data);
  if (result.success) {
    const seen = new Set<string>();
    result.data.poses.forEach((pose, i) => {
      if (seen.has(pose.id))
        throw new ContentError(GUIDE_FILE, `poses.${i}.id: '${pose.id}' is used twice`);
      seen.add(pose.id);
    });
    return result.data;
  }
  const detail = result.error.issues
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
  throw new ContentError(GUIDE_FILE, detail);
}

/**
 * Reads and validates `<contentDir>/guide/guide.yaml`.
 * Throws {@link ContentError} if the file is missing, not YAML, or invalid.
 */
export function loadGuide(contentDir: string): Guide {
  let source: string;
  try {
    source = readFileSync(join(contentDir, GUIDE_FILE), "utf8");
  } catch {
    throw new ContentError(GUIDE_FILE, "file is missing");
  }
  let data: unknown;
  try {
    data = parseYaml(source);
  } catch (e) {
    throw new ContentError(GUIDE_FILE, `not valid YAML (${(e as Error).message})`);
  }
  return parseGuide(data);
}

/** The PDF page of a pose: the cover is page 1, then one page per pose. */
export function posePage(guide: Guide, id: string): number | undefined {
  const i = guide.poses.findIndex((p) => p.id === id);
  return i < 0 ? undefined : i + 2;
}

/** A teacher's own picture of a pose, which replaces the shipped drawing. */
export interface PosePhoto {
  data: Buffer;
  format: "jpg" | "png";
}

/**
 * The teacher's photos or drawings in `<contentDir>/guide/`, by pose id: `<id>.jpg`,
 * `<id>.jpeg` or `<id>.png` (the formats a PDF embeds directly).
 */
export function loadPosePhotos(contentDir: string, guide: Guide): Record<string, PosePhoto> {
  const photos: Record<string, PosePhoto> = {};
  for (const { id } of guide.poses) {
    for (const [ext, format] of [
      ["jpg", "jpg"],
      ["jpeg", "jpg"],
      ["png", "png"],
    ] as const) {
      const file = join(contentDir, "guide", `${id}.${ext}`);
      if (existsSync(file)) {
        photos[id] = { data: readFileSync(file), format };
        break;
      }
    }
  }
  return photos;
}
