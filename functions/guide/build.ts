import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadCourse } from "../core/content";
import { staticFiles } from "../http/static-files";
import { loadGuide, loadPosePhotos } from "./guide";
import { renderGuidePdf } from "./pdf";

/**
 * Builds the printable guide: `tsx functions/guide/build.ts [outDir]`.
 * Reads `content/` from the current directory and writes `<outDir><funnel.guide.path>`
 * and the site's static files under `<outDir>/static/` (outDir defaults to `dist/assets`),
 * then prints the guide's path and size.
 */
async function buildGuide(contentDir: string, outDir: string): Promise<string> {
  const { funnel } = loadCourse(contentDir);
  const guide = loadGuide(contentDir);
  const pdf = await renderGuidePdf(
    guide,
    { ...funnel.brand, siteUrl: funnel.siteUrl },
    { photos: loadPosePhotos(contentDir, guide) },
  );
  const file = join(outDir, funnel.guide.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, pdf);
  // The site's fonts and browser scripts, served from the same bucket under /static/.
  for (const [path, asset] of staticFiles()) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, asset.body);
  }
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
