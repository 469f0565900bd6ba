import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { buildSync } from "esbuild";
import { FONT_FACES, fontPath } from "./fonts";
import { SPELL_CHECK_PATH } from "./static-paths";

/**
 * The site's static files that are not content: the fonts and the browser's address
 * spell-check script. Build-time and local only (never imported by a Lambda): `npm start`
 * serves them, and the guide build writes them under `dist/assets/static/` for the bucket.
 */
export interface StaticFile {
  body: Uint8Array;
  type: string;
}

const require = createRequire(import.meta.url);

/** Path under the package, e.g. a font file; resolved from the project's node_modules. */
export function packageFile(pkg: string, file: string): string {
  return require.resolve(`${pkg}/${file}`);
}

/**
 * Bundles the maintained spell-check library for the browser (about 7 KB minified), so the
 * web Lambda never carries it. It defines `window.emailSuggestion(address)`.
 */
function spellCheckScript(): Uint8Array {
  const out = buildSync({
    stdin: {
      contents: `import { run } from "@zootools/email-spell-checker";
window.emailSuggestion = (email) => { const s = run({ email }); return s ? s.full : undefined; };`,
      resolveDir: import.meta.dirname,
      loader: "js",
    },
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2019",
    write: false,
    legalComments: "none",
  });
  return (out.outputFiles[0] as { contents: Uint8Array }).contents;
}

let cached: Map<string, StaticFile> | undefined;

/** Every static file by public path, e.g. "/static/fonts/lora-latin-600-normal.woff2". */
export function staticFiles(): Map<string, StaticFile> {
  if (cached) return cached;
  const files = new Map<string, StaticFile>();
  for (const face of FONT_FACES) {
    files.set(fontPath(face), {
      body: readFileSync(packageFile(face.pkg, `files/${face.file}.woff2`)),
      type: "font/woff2",
    });
  }
  files.set(SPELL_CHECK_PATH, { body: spellCheckScript(), type: "text/javascript; charset=utf-8" });
  cached = files;
  return files;
}
