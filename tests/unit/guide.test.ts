import { describe, expect, it } from "vitest";
import { loadCourse } from "../../functions/core/content";
import { ContentError } from "../../functions/core/errors";
import { type Guide, loadGuide, parseGuide } from "../../functions/guide/guide";
import { renderGuidePdf } from "../../functions/guide/pdf";

const guide = loadGuide("content");
const { funnel } = loadCourse("content");
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

describe("guide PDF", () => {
  it.each(["auto", "builtin"] as const)(
    "renders a cover, one page per pose and a closing page (%s font)",
    async (font) => {
      const started = performance.now();
      const pdf = await renderGuidePdf(guide, brand, { font });
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(Buffer.isBuffer(pdf)).toBe(true);
      expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(pageCount(pdf)).toBeGreaterThanOrEqual(6);
      expect(pageCount(pdf)).toBe(guide.poses.length + 2);
    },
    30_000,
  );

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
