import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadCourse } from "../../functions/core/content";
import { ContentError } from "../../functions/core/errors";
import { FIGURE_IDS, figureFor } from "../../functions/guide/figures";
import {
  type Guide,
  loadGuide,
  loadPosePhotos,
  parseGuide,
  posePage,
} from "../../functions/guide/guide";
import { renderGuidePdf } from "../../functions/guide/pdf";

const guide = loadGuide("content");
const course = loadCourse("content");
const { funnel } = course;
const brand = { ...funnel.brand, siteUrl: funnel.siteUrl };

/** Page objects only: `/Type /Page` not followed by more letters (that would be `/Pages`). */
function pageCount(pdf: Buffer): number {
  return pdf.toString("latin1").match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
}

function errorOf(fn: () => unknown): ContentError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ContentError) return e;
    throw e;
  }
  throw new Error("expected a ContentError");
}

/** A valid 2x2 grey PNG, built here so the test carries no opaque bytes. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows = Buffer.from([0, 128, 128, 0, 128, 128]);
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Every stream of the PDF, inflated where compressed, as latin1 text. */
function streams(pdf: Buffer): string {
  const text = pdf.toString("latin1");
  const out: string[] = [];
  for (const m of text.matchAll(/(?<!end)stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    const end = text.indexOf("endstream", start);
    const raw = pdf.subarray(start, end);
    try {
      out.push(inflateSync(raw).toString("latin1"));
    } catch {
      out.push(raw.toString("latin1"));
    }
  }
  return out.join("\n");
}

describe("guide PDF", () => {
  let pdf: Buffer;
  it("renders a one-page cover, one page per pose and a closing page", async () => {
    pdf = await renderGuidePdf(guide, brand);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    // Lessons link to pose N as page N + 1: a cover that spills onto a second page breaks them.
    expect(pageCount(pdf)).toBe(guide.poses.length + 2);
  }, 60_000);

  it("embeds the site's typefaces, not a built-in font", () => {
    const text = pdf.toString("latin1");
    expect(text).toMatch(/\/FontName\s*\/[A-Z]{6}\+Lora-SemiBold/);
    expect(text).toMatch(/\/FontName\s*\/[A-Z]{6}\+SourceSans3-Regular/);
    expect(text).toMatch(/\/FontFile2/);
    expect(text).not.toMatch(/\/BaseFont\s*\/Helvetica/);
  });

  it("names the public site, never a local address", async () => {
    const local = await renderGuidePdf(guide, { ...brand, siteUrl: "https://example.org" });
    // Text is drawn as glyph ids; the document's link and info carry no address at all.
    expect(local.toString("latin1")).not.toMatch(/127\.0\.0\.1|localhost/);
  }, 60_000);

  it("draws each pose: a vector drawing on its page and in the contents", async () => {
    // Poses whose ids have no shipped drawing render without one: the difference is the drawings.
    const unknown = parseGuide({
      ...guide,
      poses: guide.poses.map((p) => ({ ...p, id: `x-${p.id}` })),
    });
    const bare = await renderGuidePdf(unknown, brand);
    const paths = (doc: Buffer) => streams(doc).match(/\n(S|f|B)\n/g)?.length ?? 0;
    const perDrawing = guide.poses.map((p) => figureFor(p.id)?.layers.length ?? 0);
    expect(Math.min(...perDrawing)).toBeGreaterThan(0);
    expect(paths(pdf) - paths(bare)).toBeGreaterThan(guide.poses.length * 2 * 10);
  }, 60_000);

  it("uses the teacher's own photo when content has one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hh-guide-"));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "guide"));
    writeFileSync(join(dir, "guide", "bridge.png"), tinyPng());
    const photos = loadPosePhotos(dir, guide);
    expect(Object.keys(photos)).toEqual(["bridge"]);
    const withPhoto = await renderGuidePdf(guide, brand, { photos });
    expect(withPhoto.toString("latin1")).toMatch(/\/Subtype\s*\/Image/);
    expect(pdf.toString("latin1")).not.toMatch(/\/Subtype\s*\/Image/);
  }, 60_000);
});

describe("links into the guide", () => {
  it("every shipped pose has a drawing", () => {
    for (const pose of guide.poses) expect(FIGURE_IDS).toContain(pose.id);
  });

  it("each guide-<pose> link opens that pose's page", () => {
    const prefix = `${funnel.guide.path}#page=`;
    const poseLinks = Object.entries(funnel.links).filter(([, t]) => t.startsWith(prefix));
    expect(poseLinks.length).toBe(guide.poses.length);
    for (const [id, target] of poseLinks) {
      const poseId = id.replace(/^guide-/, "");
      expect(Number(target.slice(prefix.length)), id).toBe(posePage(guide, poseId));
    }
  });

  it("the bridge lesson's button opens the bridge page", () => {
    const lesson = course.lessons.find((l) => l.id === "glute-bridge");
    expect(lesson?.button?.link).toBe("guide-bridge");
  });

  it("counts pages, not the /Pages tree", () => {
    const fake = Buffer.from("<< /Type /Pages >> << /Type /Page >> << /Type/Page >>", "latin1");
    expect(pageCount(fake)).toBe(2);
  });
});

describe("guide content", () => {
  it("has five poses, each with 3 to 6 steps", () => {
    expect(guide.poses).toHaveLength(5);
    for (const pose of guide.poses) {
      expect(pose.steps.length).toBeGreaterThanOrEqual(3);
      expect(pose.steps.length).toBeLessThanOrEqual(6);
    }
  });

  it("names the file and the field of an invalid pose", () => {
    const bad = structuredClone(guide) as Guide;
    bad.poses[2] = { ...(bad.poses[2] as Guide["poses"][number]), steps: ["only one"] };
    const error = errorOf(() => parseGuide(bad));
    expect(error.file).toBe("guide/guide.yaml");
    expect(error.message).toContain("guide/guide.yaml");
    expect(error.message).toContain("poses.2.steps");
  });

  it("refuses two poses with one id", () => {
    const bad = structuredClone(guide) as Guide;
    (bad.poses[1] as Guide["poses"][number]).id = (bad.poses[0] as Guide["poses"][number]).id;
    expect(errorOf(() => parseGuide(bad)).message).toContain("poses.1.id");
  });

  it("names a missing field", () => {
    const { safety: _dropped, ...rest } = guide;
    expect(errorOf(() => parseGuide(rest)).message).toContain("safety");
  });

  it("refuses characters the built-in PDF font cannot print", () => {
    const bad = structuredClone(guide) as Guide;
    (bad.poses[0] as Guide["poses"][number]).breath = "Breathe in \u2192 out \u2713";
    const error = errorOf(() => parseGuide(bad));
    expect(error.message).toContain("poses.0.breath");
    expect(error.message).toContain("\u2192");
  });

  it("accepts curly quotes, dashes and accents", () => {
    const ok = structuredClone(guide) as Guide;
    ok.intro = "It\u2019s \u201cgentle\u201d \u2013 caf\u00e9\u2026";
    expect(parseGuide(ok).intro).toBe(ok.intro);
  });

  it("reports a missing guide file", () => {
    const error = errorOf(() => loadGuide("tests/unit/no-such-content-dir"));
    expect(error.message).toBe("guide/guide.yaml: file is missing");
  });
});
