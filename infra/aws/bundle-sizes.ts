import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { placeholderAssets, synthBundles } from "./bundles";

/**
 * `npm run bundle:sizes`: bundles every Lambda exactly as the stack does (a real synth with
 * bundling) and prints the minified size of each `index.mjs`, gzipped, and the compiled course.
 */
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`.padStart(11);

function treeSize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

const work = mkdtempSync(join(tmpdir(), "hh-bundles-"));
try {
  const dirs = synthBundles({
    outdir: join(work, "cdk.out"),
    assetsDir: placeholderAssets(join(work, "assets")),
  });
  console.log(
    `\n${"function".padEnd(10)}${"minified".padStart(11)}${"gzipped".padStart(11)}${"course".padStart(11)}`,
  );
  for (const [name, dir] of Object.entries(dirs)) {
    const code = readFileSync(join(dir, "index.mjs"));
    const contentSize = readdirSync(dir).includes("course.json") ? treeSize(dir) - code.length : 0;
    console.log(
      `${name.padEnd(10)}${kib(code.length)}${kib(gzipSync(code).length)}${contentSize ? kib(contentSize) : "-".padStart(11)}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
