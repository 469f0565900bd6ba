import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadCourse } from "../core/content";
import { loadGuide } from "./guide";
import { renderGuidePdf } from "./pdf";

/**
 * Builds the printable guide: `tsx functions/guide/build.ts [outDir]`.
 * Reads `content/` from the current directory and writes `<outDir><funnel.guide.path>`
 * (outDir defaults to `dist/assets`), then prints the path and size.
 */
async function buildGuide(contentDir: string, outDir: string): Promise<string> {
  const { funnel } = loadCourse(contentDir);
  const guide = loadGuide(contentDir);
  const pdf = await renderGuidePdf(guide, { ...funnel.brand, siteUrl: funnel.siteUrl });
  const file = join(outDir, funnel.guide.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, pdf);
  return file;
}

const outDir = resolve(process.cwd(), process.argv[2] ?? "dist/assets");
buildGuide(resolve(process.cwd(), "content"), outDir)
  .then((file) => {
    const { size } = statSync(file);
    console.log(`guide: ${file} (${(size / 1024).toFixed(1)} KiB)`);
  })
  .catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
